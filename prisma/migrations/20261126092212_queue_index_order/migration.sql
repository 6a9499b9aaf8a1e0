-- DropIndex
DROP INDEX "Flag_status_biopsyPlanned_pMalignant_id_idx";

-- CreateIndex
CREATE INDEX "Flag_status_biopsyPlanned_pMalignant_id_idx" ON "Flag"("status", "biopsyPlanned" DESC, "pMalignant" DESC, "id" DESC);
