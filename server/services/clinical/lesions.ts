/**
 * Lesions and what is recorded on them: images (as a timeline), clinical assessments, biopsy outcomes.
 */
import { DomainError } from "../domain-error";
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { recordAudit } from "../audit/record-audit";
import { closeFlagsForOutcome, recomputeLesionFlag } from "../flags/recompute-flags";
import { raiseSafetyEventForOutcome } from "../safety/safety-events";
import type { AssessmentForm, BiopsyOutcomeForm, LesionForm } from "./schemas";
import { histopathologyOf } from "./vocabulary";

const lesionSelect = { id: true, patientId: true, bodySite: true, label: true, createdAt: true } as const;

export async function createLesion(options: { db: Db; actorId: string; patientId: string; input: LesionForm }) {
  const { db, actorId, patientId, input } = options;
  return db.$transaction(async (tx) => {
    if (!(await tx.patient.findUnique({ where: { id: patientId }, select: { id: true } }))) {
      throw new DomainError("NOT_FOUND", "No such patient.");
    }
    const lesion = await tx.lesion.create({ data: { ...input, patientId }, select: lesionSelect });
    await recordAudit(tx, { actorId, action: "CREATE", entityType: "Lesion", entityId: lesion.id, after: lesion });
    return lesion;
  });
}

export async function updateLesion(options: { db: Db; actorId: string; lesionId: string; input: LesionForm }) {
  const { db, actorId, lesionId, input } = options;
  return db.$transaction(async (tx) => {
    const before = await tx.lesion.findUnique({ where: { id: lesionId }, select: lesionSelect });
    if (!before) throw new DomainError("NOT_FOUND", "No such lesion.");
    const after = await tx.lesion.update({ where: { id: lesionId }, data: input, select: lesionSelect });
    await recordAudit(tx, { actorId, action: "UPDATE", entityType: "Lesion", entityId: lesionId, before, after });
    return after;
  });
}

export async function getLesion(options: { db: Db; lesionId: string }) {
  const lesion = await options.db.lesion.findUnique({
    where: { id: options.lesionId },
    select: {
      ...lesionSelect,
      patient: { select: { id: true, mrn: true, name: true, fitzpatrickType: true } },
      images: {
        // The timeline: by capture date, images without one last, in upload order.
        orderBy: [{ capturedAt: { sort: "asc", nulls: "last" } }, { createdAt: "asc" }],
        select: { id: true, width: true, height: true, mimeType: true, capturedAt: true, createdAt: true },
      },
      assessments: {
        orderBy: { assessedAt: "desc" },
        select: {
          id: true,
          impression: true,
          suspectedDiagnosis: true,
          plan: true,
          note: true,
          assessedAt: true,
          clinician: { select: { name: true } },
        },
      },
      biopsyOutcomes: {
        orderBy: [{ reportDate: "desc" }, { createdAt: "desc" }],
        select: {
          id: true,
          histopathologyDiagnosis: true,
          malignant: true,
          reportDate: true,
          confirmation: true,
          recordedById: true,
          recordedBy: { select: { name: true } },
          // Amended and retracted results stay on the record, marked (amend-outcome.ts).
          createdAt: true,
          retractedAt: true,
          retractionReason: true,
          retractedBy: { select: { name: true } },
          supersededById: true,
        },
      },
    },
  });
  if (!lesion) throw new DomainError("NOT_FOUND", "No such lesion.");
  return lesion;
}

export async function recordAssessment(options: { db: Db; actorId: string; lesionId: string; input: AssessmentForm }) {
  const { db, actorId, lesionId, input } = options;
  const assessment = await db.$transaction(async (tx) => {
    if (!(await tx.lesion.findUnique({ where: { id: lesionId }, select: { id: true } }))) {
      throw new DomainError("NOT_FOUND", "No such lesion.");
    }
    const assessment = await tx.clinicalAssessment.create({
      data: { ...input, lesionId, clinicianId: actorId },
      select: { id: true, lesionId: true, impression: true, suspectedDiagnosis: true, plan: true, note: true, assessedAt: true },
    });
    await recordAudit(tx, {
      actorId,
      action: "CREATE",
      entityType: "ClinicalAssessment",
      entityId: assessment.id,
      after: assessment,
    });
    return assessment;
  });
  // A new assessment changes what the model is compared with.
  await recomputeLesionFlag({ db, lesionId });
  return assessment;
}

export async function recordBiopsyOutcome(options: {
  db: Db;
  actorId: string;
  lesionId: string;
  input: BiopsyOutcomeForm;
}) {
  const { db, ...rest } = options;
  return db.$transaction((tx) => recordBiopsyOutcomeInTransaction(tx, rest));
}

/**
 * The same inside the caller's transaction, for an import that must commit all of its results or none (a FHIR
 * Bundle: server/fhir). Throws, so the caller's transaction rolls back, when the lesion or diagnosis is unknown.
 */
export async function recordBiopsyOutcomeInTransaction(
  tx: Prisma.TransactionClient,
  options: { actorId: string | null; lesionId: string; input: BiopsyOutcomeForm },
) {
  const { actorId, lesionId, input } = options;
  const diagnosis = histopathologyOf(input.histopathologyDiagnosis);
  if (!diagnosis) throw new DomainError("BAD_REQUEST", "Unknown histopathology diagnosis.");
  if (!(await tx.lesion.findUnique({ where: { id: lesionId }, select: { id: true } }))) {
    throw new DomainError("NOT_FOUND", "No such lesion.");
  }
  const outcome = await tx.biopsyOutcome.create({
    data: {
      lesionId,
      histopathologyDiagnosis: diagnosis.code,
      malignant: diagnosis.malignant,
      reportDate: new Date(`${input.reportDate}T00:00:00Z`),
      confirmation: "histo",
      recordedById: actorId,
    },
    select: { id: true, lesionId: true, histopathologyDiagnosis: true, malignant: true, reportDate: true, confirmation: true },
  });
  await recordAudit(tx, { actorId, action: "CREATE", entityType: "BiopsyOutcome", entityId: outcome.id, after: outcome });
  // A malignancy on a lesion the model called likely benign (or a reviewer deferred) is a safety event, raised with
  // the result itself; the safety rule may suspend deferral suggestions in the same transaction.
  await raiseSafetyEventForOutcome(tx, outcome);
  // Histopathology closes the lesion's loop: its flags are closed, and the outcome feeds the dashboard and retraining.
  await closeFlagsForOutcome(tx, lesionId);
  return outcome;
}
