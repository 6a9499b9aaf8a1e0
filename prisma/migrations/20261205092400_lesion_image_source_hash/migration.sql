-- AlterTable
ALTER TABLE "LesionImage" ADD COLUMN     "sourceHash" TEXT;

-- CreateIndex
CREATE INDEX "LesionImage_sourceHash_idx" ON "LesionImage"("sourceHash");
