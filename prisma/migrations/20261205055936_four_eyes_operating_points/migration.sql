-- CreateEnum
CREATE TYPE "PromotionRequestStatus" AS ENUM ('PENDING', 'APPROVED', 'REJECTED', 'VOID');

-- CreateEnum
CREATE TYPE "OperatingPointSource" AS ENUM ('VALIDATION', 'LOCAL');

-- CreateTable
CREATE TABLE "PromotionRequest" (
    "id" TEXT NOT NULL,
    "modelVersionId" TEXT NOT NULL,
    "status" "PromotionRequestStatus" NOT NULL DEFAULT 'PENDING',
    "requestedById" TEXT NOT NULL,
    "requestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activeVersionAtRequest" TEXT,
    "gatesPassed" BOOLEAN NOT NULL,
    "gateVerdict" TEXT NOT NULL,
    "overrideReason" TEXT,
    "decidedById" TEXT,
    "decidedAt" TIMESTAMP(3),
    "decisionReason" TEXT,

    CONSTRAINT "PromotionRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OperatingPoint" (
    "id" TEXT NOT NULL,
    "modelVersionId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "source" "OperatingPointSource" NOT NULL,
    "targetSensitivity" DOUBLE PRECISION NOT NULL,
    "reason" TEXT NOT NULL,
    "evidence" JSONB,
    "adoptedById" TEXT,
    "adoptedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OperatingPoint_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PromotionRequest_status_requestedAt_idx" ON "PromotionRequest"("status", "requestedAt");

-- CreateIndex
CREATE INDEX "PromotionRequest_modelVersionId_idx" ON "PromotionRequest"("modelVersionId");

-- CreateIndex
CREATE UNIQUE INDEX "OperatingPoint_modelVersionId_version_key" ON "OperatingPoint"("modelVersionId", "version");

-- AddForeignKey
ALTER TABLE "PromotionRequest" ADD CONSTRAINT "PromotionRequest_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PromotionRequest" ADD CONSTRAINT "PromotionRequest_requestedById_fkey" FOREIGN KEY ("requestedById") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PromotionRequest" ADD CONSTRAINT "PromotionRequest_decidedById_fkey" FOREIGN KEY ("decidedById") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OperatingPoint" ADD CONSTRAINT "OperatingPoint_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OperatingPoint" ADD CONSTRAINT "OperatingPoint_adoptedById_fkey" FOREIGN KEY ("adoptedById") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- At most one pending promotion request per model version (Prisma cannot express a partial index).
CREATE UNIQUE INDEX "PromotionRequest_one_pending_per_model" ON "PromotionRequest"("modelVersionId") WHERE status = 'PENDING';

-- Operating points are history: a change is a new version, never an edit in place or a deletion.
CREATE FUNCTION "operating_point_is_append_only"() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'OperatingPoint is append-only: % is not allowed (adopt a new version instead)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "OperatingPoint_append_only"
  BEFORE UPDATE OR DELETE ON "OperatingPoint"
  FOR EACH ROW EXECUTE FUNCTION "operating_point_is_append_only"();

CREATE TRIGGER "OperatingPoint_no_truncate"
  BEFORE TRUNCATE ON "OperatingPoint"
  FOR EACH STATEMENT EXECUTE FUNCTION "operating_point_is_append_only"();

-- Every registered model's first operating point: its own validation threshold, from when it was registered.
INSERT INTO "OperatingPoint" ("id", "modelVersionId", "version", "threshold", "source", "targetSensitivity", "reason", "adoptedAt")
SELECT 'op1-' || m."id", m."id", 1, m."threshold", 'VALIDATION', m."targetSensitivity",
       'the threshold chosen on the model''s validation data', m."createdAt"
FROM "ModelVersion" m;
