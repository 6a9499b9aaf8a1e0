/**
 * Lesions awaiting a clinical assessment, on the real database: exactly the lesions with an image scored by the active
 * model, no assessment and no outcome; oldest first through every page size and cursor; the total; what a row shows
 * (and that it never carries the model's score); recording an assessment removes a lesion; the tRPC procedure's
 * output validation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../../auth/session";
import type { Db } from "../../db/client";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { createModelRowWithoutFiles } from "../../testing/model-rows";
import { createCaller } from "../../trpc/root";
import { recordAssessment } from "../clinical/lesions";
import { listAwaitingAssessment, type AwaitingAssessmentInput } from "./awaiting-assessment";

let database: TestDatabase;
let clinician: SessionUser;
let activeModelId: string;
let retiredModelId: string;
const TODAY = new Date("2026-06-14T09:00:00Z");

/** Lesions the list must show, in the order it must show them. */
const expected: { lesionId: string; mrn: string; waitingSince: Date }[] = [];
/** Lesions it must leave out, by why. */
const excluded: Record<string, string> = {};

let imageNumber = 0;
async function addImage(db: Db, lesionId: string, uploadedAt: Date, options: { capturedAt?: Date; scoredBy?: string } = {}) {
  imageNumber += 1;
  const image = await db.lesionImage.create({
    data: {
      lesionId,
      contentHash: imageNumber.toString(16).padStart(64, "0"),
      storageKey: `awaiting/${imageNumber}`,
      width: 600,
      height: 450,
      mimeType: "image/jpeg",
      byteSize: 1,
      capturedAt: options.capturedAt ?? null,
      createdAt: uploadedAt,
    },
  });
  if (options.scoredBy) {
    await db.prediction.create({
      data: {
        imageId: image.id,
        modelVersionId: options.scoredBy,
        probabilities: { nv: 0.9, mel: 0.1 },
        pMalignant: 0.1234,
        threshold: 0.3,
        aboveThreshold: false,
        backend: "test",
        latencyMs: 1,
      },
    });
  }
  return image;
}

async function addLesion(db: Db, id: string, patient: { birthDate?: Date } = {}) {
  const created = await db.patient.create({ data: { mrn: `AW-${id}`, name: `Awaiting ${id}`, birthDate: patient.birthDate ?? null } });
  const lesion = await db.lesion.create({ data: { id, patientId: created.id, bodySite: "back", label: `Lesion ${id}` } });
  return { lesionId: lesion.id, mrn: created.mrn };
}

const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n, 8, 0, 0));

async function walk(input: AwaitingAssessmentInput): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const result = await listAwaitingAssessment({ db: database.db, input: { ...input, cursor }, today: TODAY });
    ids.push(...result.items.map((item) => item.lesionId));
    if (!result.nextCursor) return ids;
    expect(result.nextCursor).toBe(ids.at(-1));
    cursor = result.nextCursor;
  }
  throw new Error("the list did not end");
}

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  const user = await db.user.create({ data: { email: "aw@x.example", name: "Dr Awaiting", role: "DERMATOLOGIST", passwordHash: "x" } });
  clinician = { id: user.id, email: user.email, name: user.name, role: "DERMATOLOGIST" };
  retiredModelId = (await createModelRowWithoutFiles(db, "awaiting-retired")).id;
  await db.modelVersion.update({ where: { id: retiredModelId }, data: { status: "RETIRED" } });
  activeModelId = (await createModelRowWithoutFiles(db, "awaiting-active")).id;

  // Included: scored by the active model, waiting since its first image. Ids chosen so that ties order by id only.
  // n is the day of the first image; several share a day (ties).
  const waiting: [string, number][] = [
    ["aw-m", 5], ["aw-c", 2], ["aw-k", 9], ["aw-a", 5], ["aw-z", 1], ["aw-d", 7], ["aw-b", 5], ["aw-q", 3],
  ];
  for (const [id, first] of waiting) {
    const { lesionId, mrn } = await addLesion(db, id, id === "aw-c" ? { birthDate: new Date("1970-06-15T00:00:00Z") } : {});
    // The first image may be unscored: the lesion still waits since it arrived.
    await addImage(db, lesionId, day(first), id === "aw-k" ? {} : { scoredBy: activeModelId });
    await addImage(db, lesionId, day(first + 20), { scoredBy: activeModelId, capturedAt: id === "aw-c" ? new Date("2026-01-10T00:00:00Z") : undefined });
    expected.push({ lesionId, mrn, waitingSince: day(first) });
  }
  expected.sort((a, b) => a.waitingSince.getTime() - b.waitingSince.getTime() || (a.lesionId < b.lesionId ? -1 : 1));

  const noImage = await addLesion(db, "ex-no-image");
  excluded[noImage.lesionId] = "no image";
  const unscored = await addLesion(db, "ex-unscored");
  await addImage(db, unscored.lesionId, day(0));
  excluded[unscored.lesionId] = "images not scored by any model";
  const retiredOnly = await addLesion(db, "ex-retired");
  await addImage(db, retiredOnly.lesionId, day(0), { scoredBy: retiredModelId });
  excluded[retiredOnly.lesionId] = "scored by a retired model only";
  const assessed = await addLesion(db, "ex-assessed");
  await addImage(db, assessed.lesionId, day(0), { scoredBy: activeModelId });
  await db.clinicalAssessment.create({ data: { lesionId: assessed.lesionId, clinicianId: user.id, impression: "BENIGN", plan: "MONITOR" } });
  excluded[assessed.lesionId] = "assessed";
  const withOutcome = await addLesion(db, "ex-outcome");
  await addImage(db, withOutcome.lesionId, day(0), { scoredBy: activeModelId });
  await db.biopsyOutcome.create({ data: { lesionId: withOutcome.lesionId, histopathologyDiagnosis: "nv", malignant: false, reportDate: day(1) } });
  excluded[withOutcome.lesionId] = "outcome recorded";
});
afterAll(() => database.drop());

describe("lesions awaiting a clinical assessment", () => {
  it("are exactly the lesions scored by the active model with no assessment and no outcome, oldest first, on every page size", async () => {
    const order = expected.map((lesion) => lesion.lesionId);
    // The data has ties on the waiting time, broken by id.
    expect(new Set(expected.map((lesion) => lesion.waitingSince.getTime())).size).toBeLessThan(expected.length);
    for (const limit of [1, 2, 3, 7, 100]) expect(await walk({ limit })).toEqual(order);
    const first = await listAwaitingAssessment({ db: database.db, input: { limit: 3 }, today: TODAY });
    expect(first.total).toBe(expected.length);
    for (const id of Object.keys(excluded)) expect(order, excluded[id]).not.toContain(id);
  });

  it("continue right after any cursor, and start over for one that names no lesion", async () => {
    const order = expected.map((lesion) => lesion.lesionId);
    for (const [index, cursor] of order.entries()) {
      const page = await listAwaitingAssessment({ db: database.db, input: { cursor, limit: 2 }, today: TODAY });
      expect(page.items.map((item) => item.lesionId)).toEqual(order.slice(index + 1, index + 3));
      expect(page.total).toBe(order.length);
    }
    const unknown = await listAwaitingAssessment({ db: database.db, input: { cursor: "no-such-lesion", limit: 2 }, today: TODAY });
    expect(unknown.items.map((item) => item.lesionId)).toEqual(order.slice(0, 2));
  });

  it("show the patient's MRN and age, the lesion, its newest image and how long it waits, and never the model's score", async () => {
    const page = await listAwaitingAssessment({ db: database.db, input: { limit: 100 }, today: TODAY });
    const withAge = page.items.find((item) => item.lesionId === "aw-c")!;
    expect(withAge).toEqual({
      lesionId: "aw-c",
      bodySite: "back",
      label: "Lesion aw-c",
      patient: { id: expect.any(String), mrn: "AW-aw-c", name: "Awaiting aw-c", ageYears: 55 },
      imageCount: 2,
      latestImage: { capturedAt: new Date("2026-01-10T00:00:00Z"), uploadedAt: day(22) },
      waitingSince: day(2),
    });
    // A day later the patient is 56.
    const later = await listAwaitingAssessment({ db: database.db, input: { limit: 100 }, today: new Date("2026-06-15T00:00:00Z") });
    expect(later.items.find((item) => item.lesionId === "aw-c")!.patient.ageYears).toBe(56);
    const unknownAge = page.items.find((item) => item.lesionId === "aw-k")!;
    expect(unknownAge.patient.ageYears).toBeNull();
    expect(unknownAge.latestImage.capturedAt).toBeNull();
    // Nothing of the model: no score, threshold or probabilities (the predictions' 0.1234 appears nowhere).
    const text = JSON.stringify(page);
    for (const term of ["pMalignant", "threshold", "probabilities", "0.1234", "model"]) expect(text).not.toContain(term);
  });

  it("lose a lesion once a clinician records an assessment; a cursor on it still continues from where it stood", async () => {
    const { db } = database;
    const order = expected.map((lesion) => lesion.lesionId);
    const target = order[2]!;
    await recordAssessment({ db, actorId: clinician.id, lesionId: target, input: { impression: "MALIGNANT", plan: "BIOPSY", suspectedDiagnosis: "mel", note: null } });
    const remaining = order.filter((id) => id !== target);
    expect(await walk({ limit: 2 })).toEqual(remaining);
    const afterAssessed = await listAwaitingAssessment({ db, input: { cursor: target, limit: 100 }, today: TODAY });
    expect(afterAssessed.items.map((item) => item.lesionId)).toEqual(order.slice(3));
    expect(afterAssessed.total).toBe(remaining.length);
    // The model disagreed (P(malignant) 12.3% below the threshold 30%): the assessment raised a flag instead.
    expect(await db.flag.count({ where: { lesionId: target, status: "OPEN" } })).toBe(1);
    expected.splice(2, 1);
  });

  it("are read through review.awaitingAssessment with validated output; with no active model none is listed", async () => {
    const { db } = database;
    const caller = createCaller({ db, user: clinician });
    const page = await caller.review.awaitingAssessment({ limit: 2 });
    expect(page.items.map((item) => item.lesionId)).toEqual(expected.slice(0, 2).map((lesion) => lesion.lesionId));
    expect(page.items[0]!.waitingSince).toBeInstanceOf(Date);
    expect(page.nextCursor).toBe(expected[1]!.lesionId);
    await expect(caller.review.awaitingAssessment({ limit: 0 })).rejects.toThrow();
    await expect(createCaller({ db, user: null }).review.awaitingAssessment({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });

    await db.modelVersion.update({ where: { id: activeModelId }, data: { status: "RETIRED" } });
    try {
      expect(await caller.review.awaitingAssessment({})).toEqual({ total: 0, items: [], nextCursor: null });
    } finally {
      await db.modelVersion.update({ where: { id: activeModelId }, data: { status: "ACTIVE" } });
    }
  });
});
