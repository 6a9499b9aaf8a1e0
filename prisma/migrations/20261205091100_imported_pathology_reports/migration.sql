-- CreateTable
CREATE TABLE "ImportedPathologyReport" (
    "identifierSystem" TEXT NOT NULL,
    "identifierValue" TEXT NOT NULL,
    "outcomeId" TEXT NOT NULL,
    "importedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ImportedPathologyReport_pkey" PRIMARY KEY ("identifierSystem","identifierValue")
);

-- CreateIndex
CREATE UNIQUE INDEX "ImportedPathologyReport_outcomeId_key" ON "ImportedPathologyReport"("outcomeId");

-- AddForeignKey
ALTER TABLE "ImportedPathologyReport" ADD CONSTRAINT "ImportedPathologyReport_outcomeId_fkey" FOREIGN KEY ("outcomeId") REFERENCES "BiopsyOutcome"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

