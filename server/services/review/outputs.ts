/** What the review API returns (queue, flag, explanation, decisions), validated on the way out. */
import { z } from "zod";
import { diagnosisProbabilitiesSchema } from "@/ml/diagnoses";
import { FlagKind, FlagStatus, Impression, ModelStatus, Plan, ReviewDecision, Sex } from "../../db/generated/enums";
import { imageQualitySchema } from "../quality/image-quality";

const id = z.string().min(1);
const person = z.object({ name: z.string() });
const probability = z.number().nullable();

const flagFields = {
  id,
  kind: z.enum(FlagKind),
  status: z.enum(FlagStatus),
  reason: z.string(),
  deferralSuggested: z.boolean(),
  biopsyPlanned: z.boolean(),
  pMalignant: probability,
  threshold: probability,
  createdAt: z.date(),
};

/** One page of the queue (queue.ts listQueue). */
export const queuePageOutput = z.object({
  items: z.array(
    z.object({
      ...flagFields,
      modelVersion: z.object({ version: z.string() }).nullable(),
      assessment: z.object({ impression: z.enum(Impression), plan: z.enum(Plan) }).nullable(),
      lesion: z.object({
        id,
        bodySite: z.string(),
        label: z.string(),
        patient: z.object({ id, mrn: z.string(), name: z.string(), fitzpatrickType: z.number().int().nullable(), birthDate: z.date().nullable() }),
        images: z.array(z.object({ id })),
        latestImageAt: z.date().nullable(),
      }),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const openFlagCountsOutput = z.object({ LIKELY_BENIGN: z.number().int(), POSSIBLE_MISSED_MALIGNANCY: z.number().int(), REVIEW_REQUIRED: z.number().int() });

export const queueFilterOptionsOutput = z.object({
  bodySites: z.array(z.string()),
  modelVersions: z.array(z.object({ id, version: z.string(), status: z.enum(ModelStatus) })),
});

export const neighbouringFlagsOutput = z.object({ previous: z.string().nullable(), next: z.string().nullable() });

/** Everything the review page shows of one flag (flag-details.ts getFlagForReview). */
export const flagForReviewOutput = z.object({
  ...flagFields,
  outOfDistribution: z.object({ checkedImages: z.number().int(), flaggedImages: z.number().int() }).nullable(),
  modelVersionId: z.string().nullable(),
  modelVersion: z.object({ version: z.string(), targetSensitivity: z.number() }).nullable(),
  prediction: z
    .object({ imageId: id, backend: z.string(), probabilities: diagnosisProbabilitiesSchema, latencyMs: z.number(), createdAt: z.date() })
    .nullable(),
  assessment: z
    .object({
      impression: z.enum(Impression),
      plan: z.enum(Plan),
      suspectedDiagnosis: z.string().nullable(),
      note: z.string().nullable(),
      assessedAt: z.date(),
      clinician: z.object({ id, name: z.string() }),
    })
    .nullable(),
  review: z
    .object({
      id,
      decision: z.enum(ReviewDecision),
      reason: z.string().nullable(),
      note: z.string().nullable(),
      followUpDate: z.date().nullable(),
      createdAt: z.date(),
      reviewer: z.object({ id, name: z.string() }),
      retractedAt: z.date().nullable(),
      retractionReason: z.string().nullable(),
      retractedBy: person.nullable(),
      amendedFlagId: z.string().nullable(),
    })
    .nullable(),
  secondRead: z.object({ ofFlagId: z.string().nullable(), requestedBy: z.object({ id, name: z.string() }) }).nullable(),
  lesion: z.object({
    id,
    bodySite: z.string(),
    label: z.string(),
    patient: z.object({
      id,
      mrn: z.string(),
      name: z.string(),
      sex: z.enum(Sex),
      birthDate: z.date().nullable(),
      fitzpatrickType: z.number().int().nullable(),
    }),
    images: z.array(
      z.object({
        id,
        width: z.number().int(),
        height: z.number().int(),
        capturedAt: z.date().nullable(),
        createdAt: z.date(),
        quality: imageQualitySchema.nullable(),
        prediction: z
          .object({
            modelVersionId: id,
            pMalignant: z.number(),
            probabilities: diagnosisProbabilitiesSchema,
            backend: z.string(),
            outOfDistribution: z.boolean().nullable(),
          })
          .nullable(),
      }),
    ),
  }),
});

/** explain-image.ts ImageExplanation: an occlusion map, or why there is none. */
export const imageExplanationOutput = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("ready"),
    imageId: id,
    modelVersion: z.string(),
    backend: z.string(),
    fit: z.enum(["cover", "fill"]),
    labelMode: z.enum(["diagnosis", "malignancy"]),
    inputSize: z.number().int(),
    patch: z.number().int(),
    stride: z.number().int(),
    baseline: z.number(),
    cells: z.number().int(),
    drops: z.array(z.number()),
    maxAbsDrop: z.number(),
    computeMs: z.number(),
  }),
  z.object({ status: z.literal("unavailable"), imageId: z.string().nullable(), reason: z.string() }),
]);

/** Deferred lesions past their follow-up date (queue.ts listOverdueFollowUps). */
export const overdueFollowUpsOutput = z.array(
  z.object({
    id,
    followUpDate: z.date().nullable(),
    reason: z.string().nullable(),
    reviewer: person,
    flag: z.object({
      id,
      lesion: z.object({ id, label: z.string(), bodySite: z.string(), patient: z.object({ mrn: z.string(), name: z.string() }) }),
    }),
  }),
);

/** A recorded decision as every output shows it (here and on the lesion's timeline, clinical/lesion-record.ts). */
export const recordedDecisionFields = {
  id,
  flagId: id,
  decision: z.enum(ReviewDecision),
  reason: z.string().nullable(),
  note: z.string().nullable(),
  followUpDate: z.date().nullable(),
};

export const recordedReviewOutput = z.object({ ...recordedDecisionFields, createdAt: z.date() });

/** An amended decision (amend-review.ts): the new decision, on a new flag with the same inputs. */
export const amendedReviewOutput = z.object({ id, flagId: id, supersedes: id });

/** A retracted decision: the case's open flag again, if it is open (newer data may have replaced it). */
export const retractedReviewOutput = z.object({ id, flagId: id, reopenedFlagId: z.string().nullable() });
