-- CreateIndex
CREATE INDEX "Prediction_modelVersionId_imageId_pMalignant_idx" ON "Prediction"("modelVersionId", "imageId", "pMalignant");
