-- DropIndex
DROP INDEX "Flag_status_kind_idx";
