-- CreateTable
CREATE TABLE "ModelTrainingSet" (
    "modelVersionId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "trainLesions" INTEGER NOT NULL,
    "valLesions" INTEGER NOT NULL,
    "recordedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelTrainingSet_pkey" PRIMARY KEY ("modelVersionId")
);

-- CreateTable
CREATE TABLE "ModelTrainingLesion" (
    "modelVersionId" TEXT NOT NULL,
    "lesionKey" TEXT NOT NULL,
    "split" TEXT NOT NULL,

    CONSTRAINT "ModelTrainingLesion_pkey" PRIMARY KEY ("modelVersionId","lesionKey")
);

-- AddForeignKey
ALTER TABLE "ModelTrainingSet" ADD CONSTRAINT "ModelTrainingSet_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelTrainingLesion" ADD CONSTRAINT "ModelTrainingLesion_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelTrainingSet"("modelVersionId") ON DELETE CASCADE ON UPDATE CASCADE;
