-- CreateEnum
CREATE TYPE "DeferralStatus" AS ENUM ('SHADOW', 'ENABLED', 'SUSPENDED');

-- CreateEnum
CREATE TYPE "SafetyEventKind" AS ENUM ('CALLED_LIKELY_BENIGN', 'DEFERRED');

-- AlterTable
ALTER TABLE "Flag" ADD COLUMN     "deferralSuggested" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "ModelVersion" ADD COLUMN     "deferralChangedAt" TIMESTAMP(3),
ADD COLUMN     "deferralReason" TEXT,
ADD COLUMN     "deferralStatus" "DeferralStatus" NOT NULL DEFAULT 'SHADOW';

-- CreateTable
CREATE TABLE "SafetyEvent" (
    "id" TEXT NOT NULL,
    "outcomeId" TEXT NOT NULL,
    "lesionId" TEXT NOT NULL,
    "kind" "SafetyEventKind" NOT NULL,
    "flagId" TEXT,
    "modelVersionId" TEXT,
    "pMalignant" DOUBLE PRECISION,
    "threshold" DOUBLE PRECISION,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledgedAt" TIMESTAMP(3),
    "acknowledgedById" TEXT,
    "acknowledgement" TEXT,

    CONSTRAINT "SafetyEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SafetyEvent_outcomeId_key" ON "SafetyEvent"("outcomeId");

-- CreateIndex
CREATE INDEX "SafetyEvent_acknowledgedAt_idx" ON "SafetyEvent"("acknowledgedAt");

-- CreateIndex
CREATE INDEX "SafetyEvent_modelVersionId_idx" ON "SafetyEvent"("modelVersionId");

-- AddForeignKey
ALTER TABLE "SafetyEvent" ADD CONSTRAINT "SafetyEvent_outcomeId_fkey" FOREIGN KEY ("outcomeId") REFERENCES "BiopsyOutcome"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SafetyEvent" ADD CONSTRAINT "SafetyEvent_lesionId_fkey" FOREIGN KEY ("lesionId") REFERENCES "Lesion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SafetyEvent" ADD CONSTRAINT "SafetyEvent_flagId_fkey" FOREIGN KEY ("flagId") REFERENCES "Flag"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SafetyEvent" ADD CONSTRAINT "SafetyEvent_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SafetyEvent" ADD CONSTRAINT "SafetyEvent_acknowledgedById_fkey" FOREIGN KEY ("acknowledgedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
