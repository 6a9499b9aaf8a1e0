-- Decisions and biopsy results are amended or retracted, never edited in place (issue 15); second reads name who
-- asked for them; patients list in natural MRN order.

-- AlterTable
ALTER TABLE "BiopsyOutcome" ADD COLUMN     "retractedAt" TIMESTAMP(3),
ADD COLUMN     "retractedById" TEXT,
ADD COLUMN     "retractionReason" TEXT,
ADD COLUMN     "supersededById" TEXT;

-- AlterTable
ALTER TABLE "Flag" ADD COLUMN     "secondReadOfId" TEXT,
ADD COLUMN     "secondReadRequestedById" TEXT;

-- AlterTable
ALTER TABLE "Review" ADD COLUMN     "retractedAt" TIMESTAMP(3),
ADD COLUMN     "retractedById" TEXT,
ADD COLUMN     "retractionReason" TEXT,
ADD COLUMN     "supersededById" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "BiopsyOutcome_supersededById_key" ON "BiopsyOutcome"("supersededById");

-- CreateIndex
CREATE INDEX "Flag_secondReadRequestedById_idx" ON "Flag"("secondReadRequestedById");

-- CreateIndex
CREATE UNIQUE INDEX "Review_supersededById_key" ON "Review"("supersededById");

-- AddForeignKey
ALTER TABLE "Flag" ADD CONSTRAINT "Flag_secondReadOfId_fkey" FOREIGN KEY ("secondReadOfId") REFERENCES "Flag"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Flag" ADD CONSTRAINT "Flag_secondReadRequestedById_fkey" FOREIGN KEY ("secondReadRequestedById") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Review" ADD CONSTRAINT "Review_retractedById_fkey" FOREIGN KEY ("retractedById") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Review" ADD CONSTRAINT "Review_supersededById_fkey" FOREIGN KEY ("supersededById") REFERENCES "Review"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BiopsyOutcome" ADD CONSTRAINT "BiopsyOutcome_retractedById_fkey" FOREIGN KEY ("retractedById") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BiopsyOutcome" ADD CONSTRAINT "BiopsyOutcome_supersededById_fkey" FOREIGN KEY ("supersededById") REFERENCES "BiopsyOutcome"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A retraction is complete (when, by whom, why), and only a retracted record can name the record that replaced it.
ALTER TABLE "Review" ADD CONSTRAINT "Review_retraction_complete" CHECK (
  ("retractedAt" IS NULL) = ("retractedById" IS NULL) AND ("retractedAt" IS NULL) = ("retractionReason" IS NULL)
  AND ("supersededById" IS NULL OR "retractedAt" IS NOT NULL));
ALTER TABLE "BiopsyOutcome" ADD CONSTRAINT "BiopsyOutcome_retraction_complete" CHECK (
  ("retractedAt" IS NULL) = ("retractedById" IS NULL) AND ("retractedAt" IS NULL) = ("retractionReason" IS NULL)
  AND ("supersededById" IS NULL OR "retractedAt" IS NOT NULL));

-- Never edited in place: the only change a decision or a result accepts is its retraction (once, then naming the
-- record that replaced it, if any), plus the database's own ON DELETE SET NULL of a deleted user who recorded a result.
-- A correction is a new record.
CREATE FUNCTION "record_is_retracted_not_edited"() RETURNS trigger AS $$
DECLARE
  retraction CONSTANT text[] := ARRAY['retractedAt', 'retractedById', 'retractionReason', 'supersededById', 'recordedById'];
BEGIN
  IF (to_jsonb(NEW) - retraction) IS DISTINCT FROM (to_jsonb(OLD) - retraction)
     OR (OLD."retractedAt" IS NOT NULL AND (
       NEW."retractedAt" IS DISTINCT FROM OLD."retractedAt"
       OR NEW."retractedById" IS DISTINCT FROM OLD."retractedById"
       OR NEW."retractionReason" IS DISTINCT FROM OLD."retractionReason"))
     OR (OLD."supersededById" IS NOT NULL AND NEW."supersededById" IS DISTINCT FROM OLD."supersededById") THEN
    RAISE EXCEPTION '% is amended or retracted, never edited in place', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "Review_retracted_not_edited"
  BEFORE UPDATE ON "Review"
  FOR EACH ROW EXECUTE FUNCTION "record_is_retracted_not_edited"();

CREATE TRIGGER "BiopsyOutcome_retracted_not_edited"
  BEFORE UPDATE ON "BiopsyOutcome"
  FOR EACH ROW EXECUTE FUNCTION "record_is_retracted_not_edited"();

-- Existing second reads: the flag raised by a SECOND_READ decision (same lesion and kind, the next one raised after
-- the decision, with the request's reason) is linked to that decision's flag and reviewer.
UPDATE "Flag" s SET "secondReadOfId" = m."flagId", "secondReadRequestedById" = m."reviewerId"
FROM (
  SELECT DISTINCT ON (r.id) r."flagId", r."reviewerId", c.id AS "secondReadId"
  FROM "Review" r
  JOIN "Flag" o ON o.id = r."flagId"
  JOIN "Flag" c ON c."lesionId" = o."lesionId" AND c.kind = o.kind AND c.id <> o.id
    AND c.reason LIKE 'Second read requested:%' AND c."createdAt" >= r."createdAt"
  WHERE r.decision = 'SECOND_READ'
  ORDER BY r.id, c."createdAt", c.id
) m
WHERE s.id = m."secondReadId" AND s."secondReadOfId" IS NULL;

-- Natural order of MRNs (MRN-2 before MRN-10) for the patient list, in SQL so that OFFSET paging stays correct;
-- the index serves that order.
CREATE COLLATION IF NOT EXISTS "natural_sort" (provider = icu, locale = 'und-u-kn-true');
CREATE INDEX "Patient_mrn_natural_idx" ON "Patient" ("mrn" COLLATE "natural_sort", "id");
