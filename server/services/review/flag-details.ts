/**
 * Everything a reviewer needs for one flag: the lesion's images (earliest first, with the model's output for each
 * under the flag's model version), the latest clinical assessment, the patient's skin type, and the decision if any.
 *
 * One statement, one row per image (a lesion without images gives one row with no image): the review page is opened
 * for every case, and reading it relation by relation took eleven round trips to the database.
 */
import { DomainError } from "../domain-error";
import { diagnosisProbabilitiesSchema } from "@/ml/diagnoses";
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import type { FlagKind, FlagStatus, Impression, Plan, ReviewDecision, Sex } from "../../db/generated/enums";
import { readImageQuality } from "../quality/image-quality";

/** One row of the statement; a LEFT JOINed part is typed as when it exists and read only after checking its id. */
interface FlagRow {
  id: string;
  kind: FlagKind;
  status: FlagStatus;
  reason: string;
  deferralSuggested: boolean;
  biopsyPlanned: boolean;
  pMalignant: number | null;
  threshold: number | null;
  createdAt: Date;
  modelVersionId: string | null;
  mvVersion: string | null;
  mvTargetSensitivity: number | null;
  predictionId: string | null;
  predImageId: string;
  predBackend: string;
  predProbabilities: Prisma.JsonValue;
  predLatencyMs: number;
  predCreatedAt: Date;
  assessmentId: string | null;
  impression: Impression;
  plan: Plan;
  suspectedDiagnosis: string | null;
  assessmentNote: string | null;
  assessedAt: Date;
  clinicianName: string;
  reviewId: string | null;
  decision: ReviewDecision;
  reviewReason: string | null;
  reviewNote: string | null;
  followUpDate: Date | null;
  reviewCreatedAt: Date;
  reviewerName: string;
  reviewerId: string;
  reviewRetractedAt: Date | null;
  reviewRetractionReason: string | null;
  reviewRetractedByName: string | null;
  amendedFlagId: string | null;
  clinicianId: string;
  secondReadOfId: string | null;
  secondReadRequestedById: string | null;
  secondReadRequestedByName: string | null;
  lesionId: string;
  bodySite: string;
  label: string;
  patientId: string;
  mrn: string;
  patientName: string;
  sex: Sex;
  birthDate: Date | null;
  fitzpatrickType: number | null;
  imageId: string | null;
  width: number;
  height: number;
  capturedAt: Date | null;
  imageCreatedAt: Date;
  quality: Prisma.JsonValue | null;
  imagePredictionModelVersionId: string | null;
  imagePMalignant: number;
  imageProbabilities: Prisma.JsonValue;
  imageBackend: string;
  imageOodScore: number | null;
  imageOodThreshold: number | null;
}

export async function getFlagForReview(options: { db: Db; flagId: string }) {
  const rows = await options.db.$queryRaw<FlagRow[]>`
    SELECT f.id, f.kind::text AS kind, f.status::text AS status, f.reason, f."deferralSuggested", f."biopsyPlanned", f."pMalignant", f.threshold,
           f."createdAt", f."modelVersionId",
           mv.version AS "mvVersion", mv."targetSensitivity" AS "mvTargetSensitivity",
           pr.id AS "predictionId", pr."imageId" AS "predImageId", pr.backend AS "predBackend",
           pr.probabilities AS "predProbabilities", pr."latencyMs" AS "predLatencyMs", pr."createdAt" AS "predCreatedAt",
           a.id AS "assessmentId", a.impression::text AS impression, a.plan::text AS plan, a."suspectedDiagnosis",
           a.note AS "assessmentNote", a."assessedAt", cu.name AS "clinicianName",
           r.id AS "reviewId", r.decision::text AS decision, r.reason AS "reviewReason", r.note AS "reviewNote",
           r."followUpDate", r."createdAt" AS "reviewCreatedAt", ru.name AS "reviewerName", r."reviewerId",
           r."retractedAt" AS "reviewRetractedAt", r."retractionReason" AS "reviewRetractionReason", rb.name AS "reviewRetractedByName",
           amended."flagId" AS "amendedFlagId", a."clinicianId",
           f."secondReadOfId", f."secondReadRequestedById", sr.name AS "secondReadRequestedByName",
           l.id AS "lesionId", l."bodySite", l.label,
           pt.id AS "patientId", pt.mrn, pt.name AS "patientName", pt.sex::text AS sex, pt."birthDate", pt."fitzpatrickType",
           i.id AS "imageId", i.width, i.height, i."capturedAt", i."createdAt" AS "imageCreatedAt", i.quality,
           ip."modelVersionId" AS "imagePredictionModelVersionId", ip."pMalignant" AS "imagePMalignant",
           ip.probabilities AS "imageProbabilities", ip.backend AS "imageBackend",
           ip."oodScore" AS "imageOodScore", ip."oodThreshold" AS "imageOodThreshold"
    FROM "Flag" f
    JOIN "Lesion" l ON l.id = f."lesionId"
    JOIN "Patient" pt ON pt.id = l."patientId"
    LEFT JOIN "ModelVersion" mv ON mv.id = f."modelVersionId"
    LEFT JOIN "Prediction" pr ON pr.id = f."predictionId"
    LEFT JOIN "ClinicalAssessment" a ON a.id = f."assessmentId"
    LEFT JOIN "User" cu ON cu.id = a."clinicianId"
    LEFT JOIN "Review" r ON r."flagId" = f.id
    LEFT JOIN "User" ru ON ru.id = r."reviewerId"
    LEFT JOIN "User" rb ON rb.id = r."retractedById"
    LEFT JOIN "Review" amended ON amended.id = r."supersededById"
    LEFT JOIN "User" sr ON sr.id = f."secondReadRequestedById"
    LEFT JOIN "LesionImage" i ON i."lesionId" = l.id
    LEFT JOIN "Prediction" ip ON ip."imageId" = i.id AND ip."modelVersionId" = f."modelVersionId"
    WHERE f.id = ${options.flagId}
    ORDER BY i."capturedAt" ASC NULLS LAST, i."createdAt" ASC, i.id ASC`;
  const flag = rows[0];
  if (!flag) throw new DomainError("NOT_FOUND", "No such flag.");
  const images = rows.flatMap((row) =>
    row.imageId === null
      ? []
      : [
          {
            id: row.imageId,
            width: row.width,
            height: row.height,
            capturedAt: row.capturedAt,
            createdAt: row.imageCreatedAt,
            quality: readImageQuality(row.quality),
            prediction:
              row.imagePredictionModelVersionId === null
                ? null
                : {
                    modelVersionId: row.imagePredictionModelVersionId,
                    pMalignant: row.imagePMalignant,
                    probabilities: diagnosisProbabilitiesSchema.parse(row.imageProbabilities),
                    backend: row.imageBackend,
                    outOfDistribution: row.imageOodScore === null || row.imageOodThreshold === null ? null : row.imageOodScore > row.imageOodThreshold,
                  },
          },
        ],
  );
  // The out-of-distribution check over the images this flag's model scored (null: the model has no detector).
  const checked = images.flatMap((image) => (image.prediction?.outOfDistribution == null ? [] : [image.prediction.outOfDistribution]));
  return {
    id: flag.id,
    kind: flag.kind,
    outOfDistribution: checked.length === 0 ? null : { checkedImages: checked.length, flaggedImages: checked.filter(Boolean).length },
    status: flag.status,
    reason: flag.reason,
    deferralSuggested: flag.deferralSuggested,
    biopsyPlanned: flag.biopsyPlanned,
    pMalignant: flag.pMalignant,
    threshold: flag.threshold,
    createdAt: flag.createdAt,
    modelVersionId: flag.modelVersionId,
    modelVersion: flag.mvVersion === null ? null : { version: flag.mvVersion, targetSensitivity: flag.mvTargetSensitivity! },
    prediction:
      flag.predictionId === null
        ? null
        : { imageId: flag.predImageId, backend: flag.predBackend, probabilities: diagnosisProbabilitiesSchema.parse(flag.predProbabilities), latencyMs: flag.predLatencyMs, createdAt: flag.predCreatedAt },
    assessment:
      flag.assessmentId === null
        ? null
        : {
            impression: flag.impression,
            plan: flag.plan,
            suspectedDiagnosis: flag.suspectedDiagnosis,
            note: flag.assessmentNote,
            assessedAt: flag.assessedAt,
            clinician: { id: flag.clinicianId, name: flag.clinicianName },
          },
    review:
      flag.reviewId === null
        ? null
        : {
            decision: flag.decision,
            reason: flag.reviewReason,
            note: flag.reviewNote,
            followUpDate: flag.followUpDate,
            createdAt: flag.reviewCreatedAt,
            reviewer: { id: flag.reviewerId, name: flag.reviewerName },
            id: flag.reviewId,
            // Amended (amendedFlagId: where the decision now stands) or retracted: never edited in place.
            retractedAt: flag.reviewRetractedAt,
            retractionReason: flag.reviewRetractionReason,
            retractedBy: flag.reviewRetractedByName === null ? null : { name: flag.reviewRetractedByName },
            amendedFlagId: flag.amendedFlagId,
          },
    secondRead:
      flag.secondReadRequestedById === null
        ? null
        : { ofFlagId: flag.secondReadOfId, requestedBy: { id: flag.secondReadRequestedById, name: flag.secondReadRequestedByName ?? "" } },
    lesion: {
      id: flag.lesionId,
      bodySite: flag.bodySite,
      label: flag.label,
      patient: { id: flag.patientId, mrn: flag.mrn, name: flag.patientName, sex: flag.sex, birthDate: flag.birthDate, fitzpatrickType: flag.fitzpatrickType },
      images,
    },
  };
}

export { neighbouringFlags } from "./queue";
