-- AlterEnum
ALTER TYPE "TrainingRunStatus" ADD VALUE 'SKIPPED';

-- AlterTable
ALTER TABLE "TrainingRun" ADD COLUMN     "cancelRequestedAt" TIMESTAMP(3),
ADD COLUMN     "message" TEXT,
ADD COLUMN     "result" JSONB;

-- At most one training run queued or running per deployment: a second launch fails on this index (refused with a
-- message), whatever the timing of two admins clicking at once.
CREATE UNIQUE INDEX "TrainingRun_one_in_progress" ON "TrainingRun" ((true)) WHERE status IN ('QUEUED', 'RUNNING');
