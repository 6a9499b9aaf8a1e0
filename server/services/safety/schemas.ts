/** What the safety API returns (events, deferral, local validation, drift), validated on the way out. */
import { z } from "zod";
import { DeferralStatus, SafetyEventKind } from "../../db/generated/enums";
import { proportionSchema } from "../outcomes/schemas";
import { storedCriteriaSchema } from "./local-validation-criteria";

const id = z.string().min(1);
const person = z.object({ name: z.string() });

export const safetyEventsOutput = z.array(
  z.object({
    id,
    kind: z.enum(SafetyEventKind),
    createdAt: z.date(),
    pMalignant: z.number().nullable(),
    threshold: z.number().nullable(),
    acknowledgedAt: z.date().nullable(),
    acknowledgement: z.string().nullable(),
    acknowledgedBy: person.nullable(),
    modelVersion: z.object({ version: z.string() }).nullable(),
    // A result amended or retracted since keeps its event (never hidden); the event says so.
    outcome: z.object({ histopathologyDiagnosis: z.string(), reportDate: z.date(), retractedAt: z.date().nullable(), retractionReason: z.string().nullable() }),
    lesion: z.object({ id, label: z.string(), bodySite: z.string(), patient: z.object({ mrn: z.string() }) }),
  }),
);

export const acknowledgedSafetyEventOutput = z.object({ id, alreadyAcknowledged: z.boolean() });

/** local-validation.ts LocalValidation. */
export const localValidationSchema = z.object({
  modelVersionId: id,
  threshold: z.number(),
  criteria: storedCriteriaSchema,
  malignantLesions: z.number().int(),
  benignLesions: z.number().int(),
  scoredAfterOutcome: z.number().int(),
  seenInTraining: z.number().int(),
  sensitivity: proportionSchema,
  specificity: proportionSchema,
  proposedThreshold: z.object({ value: z.number(), sensitivity: proportionSchema, specificity: proportionSchema }).nullable(),
  unacknowledgedSafetyEvents: z.number().int(),
  criteriaMet: z.boolean(),
  checks: z.array(z.object({ name: z.string(), passed: z.boolean(), detail: z.string() })),
});

export const localValidationOutput = z
  .object({
    model: z.object({
      id,
      version: z.string(),
      deferralStatus: z.enum(DeferralStatus),
      deferralChangedAt: z.date().nullable(),
      deferralReason: z.string().nullable(),
    }),
    validation: localValidationSchema,
  })
  .nullable();

/** The model's deferral after a change (deferral.ts setDeferralStatus); null when there was nothing to suspend. */
export const deferralChangeOutput = z.object({ version: z.string(), deferralStatus: z.enum(DeferralStatus), deferralReason: z.string().nullable() });

const driftLevel = z.enum(["stable", "moderate", "major"]);

/** drift.ts ModelDrift. */
export const modelDriftOutput = z
  .object({
    modelVersionId: id,
    version: z.string(),
    validationDeciles: z.array(z.number()).nullable(),
    validationOodRate: z.number().nullable(),
    months: z.array(
      z.object({
        month: z.string(),
        images: z.number().int(),
        meanPMalignant: z.number(),
        binShares: z.array(z.number()),
        psi: z.number(),
        psiLevel: driftLevel,
        oodChecked: z.number().int(),
        oodFlagged: z.number().int(),
        oodRate: z.number().nullable(),
        oodRaised: z.boolean(),
      }),
    ),
  })
  .nullable();
