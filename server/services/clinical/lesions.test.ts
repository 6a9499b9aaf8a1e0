import { createHash } from "node:crypto";
import { DomainError } from "../domain-error";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIAGNOSES, isMalignantDiagnosis } from "@/ml/diagnoses";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { createLesion, getLesion, recordAssessment, recordBiopsyOutcome, updateLesion } from "./lesions";
import { getPatient } from "./patients";
import { biopsyOutcomeFormSchema, type BiopsyOutcomeForm } from "./schemas";
import { HISTOPATHOLOGY_DIAGNOSES, histopathologyOf } from "./vocabulary";

let database: TestDatabase;
let actorId: string;
let patientId: string;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  actorId = (await db.user.create({ data: { email: "derm@clinic.example", name: "Dr Derm", role: "DERMATOLOGIST", passwordHash: "x" } })).id;
  patientId = (await db.patient.create({ data: { mrn: "L-1", name: "Lesion Patient" } })).id;
});
afterAll(() => database.drop());

describe("lesions", () => {
  it("are created on an existing patient only, and edits are audited before -> after", async () => {
    const { db } = database;
    expect(await codeOf(createLesion({ db, actorId, patientId: "nobody", input: { bodySite: "back", label: "x" } }))).toBe("NOT_FOUND");
    const lesion = await createLesion({ db, actorId, patientId, input: { bodySite: "back", label: "upper back, left" } });
    await updateLesion({ db, actorId, lesionId: lesion.id, input: { bodySite: "chest", label: "upper back, left" } });
    const audit = await db.auditLog.findMany({ where: { entityType: "Lesion", entityId: lesion.id }, orderBy: { id: "asc" } });
    expect(audit.map((entry) => entry.action)).toEqual(["CREATE", "UPDATE"]);
    expect(audit[1]!.before).toMatchObject({ bodySite: "back", label: "upper back, left" });
    expect(audit[1]!.after).toMatchObject({ bodySite: "chest", label: "upper back, left" });
    expect(audit.every((entry) => entry.actorId === actorId)).toBe(true);
  });

  it("list images as a timeline: by capture date, undated ones last in upload order", async () => {
    const { db } = database;
    const lesion = await createLesion({ db, actorId, patientId, input: { bodySite: "face", label: "cheek" } });
    const add = (name: string, capturedAt: Date | null) =>
      db.lesionImage.create({
        data: {
          lesionId: lesion.id,
          contentHash: createHash("sha256").update(`${lesion.id}-${name}`).digest("hex"),
          storageKey: `${name}.png`,
          width: 600,
          height: 450,
          mimeType: "image/png",
          byteSize: 1,
          capturedAt,
        },
        select: { id: true },
      });
    const undatedFirst = await add("undated-1", null);
    const late = await add("late", new Date("2025-06-01T10:00:00Z"));
    const undatedSecond = await add("undated-2", null);
    const early = await add("early", new Date("2023-01-15T09:00:00Z"));
    const { images } = await getLesion({ db, lesionId: lesion.id });
    expect(images.map((image) => image.id)).toEqual([early.id, late.id, undatedFirst.id, undatedSecond.id]);
  });

  it("refuses an unknown lesion", async () => {
    expect(await codeOf(getLesion({ db: database.db, lesionId: "no-such-lesion" }))).toBe("NOT_FOUND");
  });
});

describe("assessments and outcomes", () => {
  it("record an assessment by the signed-in clinician, newest first, audited", async () => {
    const { db } = database;
    const lesion = await createLesion({ db, actorId, patientId, input: { bodySite: "back", label: "assessed" } });
    await recordAssessment({
      db,
      actorId,
      lesionId: lesion.id,
      input: { impression: "UNCERTAIN", suspectedDiagnosis: null, plan: "MONITOR", note: null },
    });
    const second = await recordAssessment({
      db,
      actorId,
      lesionId: lesion.id,
      input: { impression: "MALIGNANT", suspectedDiagnosis: "mel", plan: "BIOPSY", note: "asymmetric, blue-white veil" },
    });
    const { assessments } = await getLesion({ db, lesionId: lesion.id });
    expect(assessments.map((a) => [a.impression, a.plan, a.clinician.name])).toEqual([
      ["MALIGNANT", "BIOPSY", "Dr Derm"],
      ["UNCERTAIN", "MONITOR", "Dr Derm"],
    ]);
    const audit = await db.auditLog.findFirstOrThrow({ where: { entityType: "ClinicalAssessment", entityId: second.id } });
    expect(audit).toMatchObject({ action: "CREATE", actorId, before: null });
    expect(audit.after).toMatchObject({ impression: "MALIGNANT", suspectedDiagnosis: "mel", plan: "BIOPSY" });
    expect(await codeOf(recordAssessment({ db, actorId, lesionId: "nope", input: { impression: "BENIGN", suspectedDiagnosis: null, plan: "DISCHARGE", note: null } }))).toBe(
      "NOT_FOUND",
    );
  });

  it("map every histopathology diagnosis to malignant or benign, as the product defines malignant", async () => {
    const { db } = database;
    const lesion = await createLesion({ db, actorId, patientId, input: { bodySite: "trunk", label: "excised" } });
    for (const diagnosis of HISTOPATHOLOGY_DIAGNOSES) {
      const outcome = await recordBiopsyOutcome({
        db,
        actorId,
        lesionId: lesion.id,
        input: { histopathologyDiagnosis: diagnosis.code, reportDate: "2026-01-10" },
      });
      expect(outcome, diagnosis.code).toMatchObject({ histopathologyDiagnosis: diagnosis.code, confirmation: "histo" });
    }
    const stored = await db.biopsyOutcome.findMany({ where: { lesionId: lesion.id }, select: { histopathologyDiagnosis: true, malignant: true } });
    const malignant = stored.filter((o) => o.malignant).map((o) => o.histopathologyDiagnosis).sort();
    expect(malignant).toEqual(["akiec", "bcc", "mel", "other_malignant", "scc"]);
    // The seven HAM10000 codes agree with the ml module's definition (mel, bcc, akiec malignant).
    for (const dx of DIAGNOSES) expect(histopathologyOf(dx)?.malignant, dx).toBe(isMalignantDiagnosis(dx));
    const audit = await db.auditLog.count({ where: { entityType: "BiopsyOutcome", actorId } });
    expect(audit).toBe(HISTOPATHOLOGY_DIAGNOSES.length);
  });

  it("refuse an unknown diagnosis and a report date in the future", async () => {
    const { db } = database;
    const lesion = await createLesion({ db, actorId, patientId, input: { bodySite: "trunk", label: "bad input" } });
    const unknown = { histopathologyDiagnosis: "lupus", reportDate: "2026-01-10" } as unknown as BiopsyOutcomeForm;
    expect(await codeOf(recordBiopsyOutcome({ db, actorId, lesionId: lesion.id, input: unknown }))).toBe("BAD_REQUEST");
    expect(biopsyOutcomeFormSchema.safeParse({ histopathologyDiagnosis: "mel", reportDate: "2999-01-01" }).success).toBe(false);
    expect(await db.biopsyOutcome.count({ where: { lesionId: lesion.id } })).toBe(0);
  });

  it("show the latest assessment and outcome per lesion on the patient page, and honest imported confirmations", async () => {
    const { db } = database;
    const patient = await db.patient.create({ data: { mrn: "L-2", name: "Summary Patient" } });
    const lesion = await createLesion({ db, actorId, patientId: patient.id, input: { bodySite: "back", label: "followed" } });
    await db.biopsyOutcome.create({
      data: { lesionId: lesion.id, histopathologyDiagnosis: "nv", malignant: false, reportDate: new Date("2024-03-01"), confirmation: "follow_up" },
    });
    await recordBiopsyOutcome({ db, actorId, lesionId: lesion.id, input: { histopathologyDiagnosis: "mel", reportDate: "2025-02-02" } });
    await recordAssessment({ db, actorId, lesionId: lesion.id, input: { impression: "BENIGN", suspectedDiagnosis: "nv", plan: "MONITOR", note: null } });
    const { lesions } = await getPatient({ db, patientId: patient.id });
    expect(lesions).toHaveLength(1);
    expect(lesions[0]).toMatchObject({
      label: "followed",
      imageCount: 0,
      latestAssessment: { impression: "BENIGN", plan: "MONITOR" },
      latestOutcome: { histopathologyDiagnosis: "mel", malignant: true, confirmation: "histo" },
    });
    const { biopsyOutcomes } = await getLesion({ db, lesionId: lesion.id });
    expect(biopsyOutcomes.map((o) => [o.histopathologyDiagnosis, o.confirmation, o.recordedBy?.name ?? null])).toEqual([
      ["mel", "histo", "Dr Derm"],
      ["nv", "follow_up", null],
    ]);
  });
});
