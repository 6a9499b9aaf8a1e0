-- CreateEnum
CREATE TYPE "Role" AS ENUM ('DERMATOLOGIST', 'ADMIN');

-- CreateEnum
CREATE TYPE "Sex" AS ENUM ('FEMALE', 'MALE', 'OTHER', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "Impression" AS ENUM ('BENIGN', 'MALIGNANT', 'UNCERTAIN');

-- CreateEnum
CREATE TYPE "Plan" AS ENUM ('BIOPSY', 'MONITOR', 'DISCHARGE');

-- CreateEnum
CREATE TYPE "FlagKind" AS ENUM ('LIKELY_BENIGN', 'POSSIBLE_MISSED_MALIGNANCY', 'REVIEW_REQUIRED');

-- CreateEnum
CREATE TYPE "FlagStatus" AS ENUM ('OPEN', 'DECIDED', 'CLOSED', 'SUPERSEDED');

-- CreateEnum
CREATE TYPE "ReviewDecision" AS ENUM ('PROCEED_BIOPSY', 'DEFER_MONITOR', 'SECOND_READ');

-- CreateEnum
CREATE TYPE "ModelStatus" AS ENUM ('CANDIDATE', 'ACTIVE', 'RETIRED', 'REJECTED');

-- CreateEnum
CREATE TYPE "TrainingRunStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "TrainingTrigger" AS ENUM ('MANUAL', 'SCHEDULED');

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "failedLoginCount" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" TIMESTAMP(3),
    "lastLoginAt" TIMESTAMP(3),
    "passwordChangedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Patient" (
    "id" TEXT NOT NULL,
    "mrn" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "birthDate" DATE,
    "sex" "Sex" NOT NULL DEFAULT 'UNKNOWN',
    "fitzpatrickType" SMALLINT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Patient_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Lesion" (
    "id" TEXT NOT NULL,
    "patientId" TEXT NOT NULL,
    "bodySite" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "externalId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Lesion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LesionImage" (
    "id" TEXT NOT NULL,
    "lesionId" TEXT NOT NULL,
    "contentHash" TEXT NOT NULL,
    "storageKey" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "mimeType" TEXT NOT NULL,
    "byteSize" INTEGER NOT NULL,
    "capturedAt" TIMESTAMP(3),
    "uploadedById" TEXT,
    "externalId" TEXT,
    "quality" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LesionImage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ClinicalAssessment" (
    "id" TEXT NOT NULL,
    "lesionId" TEXT NOT NULL,
    "clinicianId" TEXT NOT NULL,
    "impression" "Impression" NOT NULL,
    "suspectedDiagnosis" TEXT,
    "plan" "Plan" NOT NULL,
    "note" TEXT,
    "assessedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ClinicalAssessment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelVersion" (
    "id" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "status" "ModelStatus" NOT NULL DEFAULT 'CANDIDATE',
    "architecture" TEXT NOT NULL,
    "inputSize" INTEGER NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "targetSensitivity" DOUBLE PRECISION NOT NULL,
    "metrics" JSONB NOT NULL,
    "gateResults" JSONB,
    "modelCardMarkdown" TEXT,
    "storagePath" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "trainingDataHash" TEXT NOT NULL,
    "codeVersion" TEXT NOT NULL,
    "trainingRunId" TEXT,
    "promotedAt" TIMESTAMP(3),
    "promotedById" TEXT,
    "promotionReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Prediction" (
    "id" TEXT NOT NULL,
    "imageId" TEXT NOT NULL,
    "modelVersionId" TEXT NOT NULL,
    "probabilities" JSONB NOT NULL,
    "pMalignant" DOUBLE PRECISION NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "aboveThreshold" BOOLEAN NOT NULL,
    "backend" TEXT NOT NULL,
    "latencyMs" DOUBLE PRECISION NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Prediction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Flag" (
    "id" TEXT NOT NULL,
    "lesionId" TEXT NOT NULL,
    "kind" "FlagKind" NOT NULL,
    "status" "FlagStatus" NOT NULL DEFAULT 'OPEN',
    "reason" TEXT NOT NULL,
    "biopsyPlanned" BOOLEAN NOT NULL DEFAULT false,
    "pMalignant" DOUBLE PRECISION,
    "threshold" DOUBLE PRECISION,
    "modelVersionId" TEXT,
    "predictionId" TEXT,
    "assessmentId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "closedAt" TIMESTAMP(3),

    CONSTRAINT "Flag_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Review" (
    "id" TEXT NOT NULL,
    "flagId" TEXT NOT NULL,
    "reviewerId" TEXT NOT NULL,
    "decision" "ReviewDecision" NOT NULL,
    "reason" TEXT,
    "note" TEXT,
    "followUpDate" DATE,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Review_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BiopsyOutcome" (
    "id" TEXT NOT NULL,
    "lesionId" TEXT NOT NULL,
    "histopathologyDiagnosis" TEXT NOT NULL,
    "malignant" BOOLEAN NOT NULL,
    "reportDate" DATE NOT NULL,
    "confirmation" TEXT NOT NULL DEFAULT 'histo',
    "recordedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BiopsyOutcome_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TrainingRun" (
    "id" TEXT NOT NULL,
    "status" "TrainingRunStatus" NOT NULL DEFAULT 'QUEUED',
    "trigger" "TrainingTrigger" NOT NULL,
    "requestedById" TEXT,
    "params" JSONB NOT NULL,
    "progress" JSONB,
    "backend" TEXT,
    "error" TEXT,
    "heartbeatAt" TIMESTAMP(3),
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TrainingRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" TEXT,
    "action" TEXT NOT NULL,
    "entityType" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedById" TEXT,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "Patient_mrn_key" ON "Patient"("mrn");

-- CreateIndex
CREATE INDEX "Patient_name_idx" ON "Patient"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Lesion_externalId_key" ON "Lesion"("externalId");

-- CreateIndex
CREATE INDEX "Lesion_patientId_idx" ON "Lesion"("patientId");

-- CreateIndex
CREATE INDEX "Lesion_bodySite_idx" ON "Lesion"("bodySite");

-- CreateIndex
CREATE UNIQUE INDEX "LesionImage_contentHash_key" ON "LesionImage"("contentHash");

-- CreateIndex
CREATE UNIQUE INDEX "LesionImage_externalId_key" ON "LesionImage"("externalId");

-- CreateIndex
CREATE INDEX "LesionImage_lesionId_capturedAt_idx" ON "LesionImage"("lesionId", "capturedAt");

-- CreateIndex
CREATE INDEX "ClinicalAssessment_lesionId_assessedAt_idx" ON "ClinicalAssessment"("lesionId", "assessedAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "ModelVersion_version_key" ON "ModelVersion"("version");

-- CreateIndex
CREATE UNIQUE INDEX "ModelVersion_trainingRunId_key" ON "ModelVersion"("trainingRunId");

-- CreateIndex
CREATE INDEX "ModelVersion_status_idx" ON "ModelVersion"("status");

-- CreateIndex
CREATE INDEX "Prediction_modelVersionId_createdAt_idx" ON "Prediction"("modelVersionId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Prediction_imageId_modelVersionId_key" ON "Prediction"("imageId", "modelVersionId");

-- CreateIndex
CREATE INDEX "Flag_status_biopsyPlanned_pMalignant_id_idx" ON "Flag"("status", "biopsyPlanned" DESC, "pMalignant" DESC, "id");

-- CreateIndex
CREATE INDEX "Flag_status_kind_idx" ON "Flag"("status", "kind");

-- CreateIndex
CREATE INDEX "Flag_lesionId_status_idx" ON "Flag"("lesionId", "status");

-- CreateIndex
CREATE INDEX "Flag_modelVersionId_idx" ON "Flag"("modelVersionId");

-- CreateIndex
CREATE UNIQUE INDEX "Review_flagId_key" ON "Review"("flagId");

-- CreateIndex
CREATE INDEX "Review_decision_followUpDate_idx" ON "Review"("decision", "followUpDate");

-- CreateIndex
CREATE INDEX "Review_createdAt_idx" ON "Review"("createdAt");

-- CreateIndex
CREATE INDEX "BiopsyOutcome_lesionId_idx" ON "BiopsyOutcome"("lesionId");

-- CreateIndex
CREATE INDEX "BiopsyOutcome_reportDate_idx" ON "BiopsyOutcome"("reportDate");

-- CreateIndex
CREATE INDEX "BiopsyOutcome_malignant_reportDate_idx" ON "BiopsyOutcome"("malignant", "reportDate");

-- CreateIndex
CREATE INDEX "TrainingRun_status_createdAt_idx" ON "TrainingRun"("status", "createdAt");

-- CreateIndex
CREATE INDEX "AuditLog_entityType_entityId_idx" ON "AuditLog"("entityType", "entityId");

-- CreateIndex
CREATE INDEX "AuditLog_at_idx" ON "AuditLog"("at");

-- CreateIndex
CREATE INDEX "AuditLog_actorId_at_idx" ON "AuditLog"("actorId", "at");

-- AddForeignKey
ALTER TABLE "Lesion" ADD CONSTRAINT "Lesion_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LesionImage" ADD CONSTRAINT "LesionImage_lesionId_fkey" FOREIGN KEY ("lesionId") REFERENCES "Lesion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LesionImage" ADD CONSTRAINT "LesionImage_uploadedById_fkey" FOREIGN KEY ("uploadedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ClinicalAssessment" ADD CONSTRAINT "ClinicalAssessment_lesionId_fkey" FOREIGN KEY ("lesionId") REFERENCES "Lesion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ClinicalAssessment" ADD CONSTRAINT "ClinicalAssessment_clinicianId_fkey" FOREIGN KEY ("clinicianId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelVersion" ADD CONSTRAINT "ModelVersion_trainingRunId_fkey" FOREIGN KEY ("trainingRunId") REFERENCES "TrainingRun"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelVersion" ADD CONSTRAINT "ModelVersion_promotedById_fkey" FOREIGN KEY ("promotedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Prediction" ADD CONSTRAINT "Prediction_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "LesionImage"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Prediction" ADD CONSTRAINT "Prediction_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Flag" ADD CONSTRAINT "Flag_lesionId_fkey" FOREIGN KEY ("lesionId") REFERENCES "Lesion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Flag" ADD CONSTRAINT "Flag_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Flag" ADD CONSTRAINT "Flag_predictionId_fkey" FOREIGN KEY ("predictionId") REFERENCES "Prediction"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Flag" ADD CONSTRAINT "Flag_assessmentId_fkey" FOREIGN KEY ("assessmentId") REFERENCES "ClinicalAssessment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Review" ADD CONSTRAINT "Review_flagId_fkey" FOREIGN KEY ("flagId") REFERENCES "Flag"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Review" ADD CONSTRAINT "Review_reviewerId_fkey" FOREIGN KEY ("reviewerId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BiopsyOutcome" ADD CONSTRAINT "BiopsyOutcome_lesionId_fkey" FOREIGN KEY ("lesionId") REFERENCES "Lesion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BiopsyOutcome" ADD CONSTRAINT "BiopsyOutcome_recordedById_fkey" FOREIGN KEY ("recordedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrainingRun" ADD CONSTRAINT "TrainingRun_requestedById_fkey" FOREIGN KEY ("requestedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditLog" ADD CONSTRAINT "AuditLog_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The audit log is append-only: regulators rely on it, so even the application's own database role cannot rewrite
-- or erase history. (A superuser can still drop the trigger; restrict that in production grants.)
CREATE FUNCTION "audit_log_is_append_only"() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'AuditLog is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "AuditLog_append_only"
  BEFORE UPDATE OR DELETE ON "AuditLog"
  FOR EACH ROW EXECUTE FUNCTION "audit_log_is_append_only"();

CREATE TRIGGER "AuditLog_no_truncate"
  BEFORE TRUNCATE ON "AuditLog"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_is_append_only"();
