-- AlterTable
ALTER TABLE "Prediction" ADD COLUMN     "oodScore" DOUBLE PRECISION,
ADD COLUMN     "oodThreshold" DOUBLE PRECISION;
