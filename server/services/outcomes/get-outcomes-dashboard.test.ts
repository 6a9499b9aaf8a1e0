import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../../auth/session";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { createCaller } from "../../trpc/root";
import { recordTrainingLesions, type TrainingSplit } from "../models/training-lesions";
import { getOutcomesDashboard } from "./get-outcomes-dashboard";
import { seedHandCases, type SeededHandCases } from "./hand-cases.test-helper";
import { loadLesionOutcomeRows } from "./lesion-outcome-rows";
import { summariseModelOutcomes } from "./model-outcomes";
import { HAND_ROWS, WILSON } from "./outcome-rows.test-helper";
import { outcomesDashboardSchema } from "./schemas";
import { COST_PER_BIOPSY_SETTING, monthBounds } from "./scope";

let database: TestDatabase;
let seeded: SeededHandCases;
let clinician: SessionUser;

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  const user = await db.user.create({ data: { email: "derm@outcomes.example", name: "Dr O", role: "DERMATOLOGIST", passwordHash: "x" } });
  clinician = { id: user.id, email: user.email, name: user.name, role: "DERMATOLOGIST" };
  seeded = await seedHandCases({ db, clinicianId: user.id, tag: "it", months: ["2025-01", "2025-02", "2025-03"], modelStatus: "ACTIVE" });
});
afterAll(() => database.drop());

const dashboard = (query: Parameters<typeof getOutcomesDashboard>[0]["query"] = {}) => getOutcomesDashboard({ db: database.db, query });

describe("per-lesion rows from SQL", () => {
  it("reproduce the hand-made rows: max score of the model's images, histopathology first, latest assessment, age at report", async () => {
    const rows = await loadLesionOutcomeRows({ db: database.db, modelVersionId: seeded.modelId, bounds: monthBounds(undefined, undefined) });
    const letterOf = new Map(Object.entries(seeded.lesionIds).map(([letter, id]) => [id, letter]));
    const asHand = rows.map((row) => ({ ...row, lesionId: letterOf.get(row.lesionId) })).sort((a, b) => a.lesionId!.localeCompare(b.lesionId!));
    expect(asHand).toEqual(HAND_ROWS);
  });

  it("take the other model's scores when asked for it", async () => {
    const rows = await loadLesionOutcomeRows({ db: database.db, modelVersionId: seeded.otherModelId, bounds: monthBounds(undefined, undefined) });
    expect(rows.filter((row) => row.score !== null).map((row) => [row.lesionId, row.score])).toEqual([[seeded.lesionIds.A, 0.99]]);
  });
});

describe("getOutcomesDashboard", () => {
  it("defaults to the active model and gives every figure computed by hand", async () => {
    const result = outcomesDashboardSchema.parse(await dashboard());
    expect(result.model).toMatchObject({ id: seeded.modelId, version: seeded.modelVersion, status: "ACTIVE", threshold: 0.3 });
    expect(result.scope).toEqual({ from: null, to: null, costPerBiopsy: 300 });
    expect(result.outcomes).toEqual({ lesions: 9, biopsied: 8, benignBiopsied: 4, malignantBiopsied: 4, notBiopsied: 1, numberNeededToBiopsy: 2 });

    const model = result.modelOutcomes!;
    expect(model.scoredBiopsied).toBe(7);
    expect(model.unscoredBiopsied).toBe(1);
    expect(model.biopsy).toMatchObject({ benignBiopsied: 4, benignCalledLikelyBenign: 2, malignantBiopsied: 3, malignantMissed: 1, numberNeededToBiopsyIfDeferred: 2 });
    expect(model.biopsy.avoidableRate.lower).toBeCloseTo(WILSON["2/4"][0], 12);
    expect(model.estimatedSaving).toBe(600);
    expect(model.comparison.model.counts).toEqual({ tp: 1, fp: 2, tn: 2, fn: 1, positives: 2, negatives: 4, total: 6 });
    expect(model.comparison.clinician.counts).toEqual({ tp: 1, fp: 3, tn: 1, fn: 1, positives: 2, negatives: 4, total: 6 });
    expect(model.roc.auc).toBeCloseTo(10 / 12, 12);
    expect(model.calibration.ece).toBeCloseTo(0.25, 12);
    expect(model.missedMalignancies).toEqual({
      total: 1,
      lesions: [{ lesionId: seeded.lesionIds.C, mrn: seeded.mrns.C, bodySite: "face", score: 0.25, histopathologyDiagnosis: "mel", reportDate: "2025-01-15" }],
    });

    // The whole model section is exactly the pure computation on the hand rows.
    const expected = summariseModelOutcomes(HAND_ROWS, { threshold: 0.3, costPerBiopsy: 300 });
    const { missedLesions: _ids, trainingLeftOut: _none, ...expectedFigures } = expected;
    const { missedMalignancies: _missed, trainingCases, ...actualFigures } = model;
    expect(trainingCases).toEqual({ recorded: false, source: null, trainLesions: null, valLesions: null, leftOutBiopsied: 0 });
    expect(actualFigures).toEqual(JSON.parse(JSON.stringify(expectedFigures)));
  });

  it("counts flags (not superseded ones) and decisions of the model's flags, by month", async () => {
    const result = await dashboard();
    expect(result.activity).toEqual({
      flags: { LIKELY_BENIGN: 1, POSSIBLE_MISSED_MALIGNANCY: 1, REVIEW_REQUIRED: 1 },
      decisions: [
        { decision: "DEFER_MONITOR", count: 1, lesions: 1 },
        { decision: "PROCEED_BIOPSY", count: 1, lesions: 1 },
        { decision: "SECOND_READ", count: 1, lesions: 1 },
      ],
    });
    expect(result.trends.map((month) => [month.month, month.biopsies, month.benignAvoidable, month.malignantMissed, month.flags, month.decisions])).toEqual([
      ["2025-01", 3, 2, 1, { LIKELY_BENIGN: 1, POSSIBLE_MISSED_MALIGNANCY: 0, REVIEW_REQUIRED: 1 }, { PROCEED_BIOPSY: 1, DEFER_MONITOR: 1, SECOND_READ: 0 }],
      ["2025-02", 4, 0, 0, { LIKELY_BENIGN: 0, POSSIBLE_MISSED_MALIGNANCY: 1, REVIEW_REQUIRED: 0 }, { PROCEED_BIOPSY: 0, DEFER_MONITOR: 0, SECOND_READ: 1 }],
      ["2025-03", 1, 0, 0, { LIKELY_BENIGN: 0, POSSIBLE_MISSED_MALIGNANCY: 0, REVIEW_REQUIRED: 0 }, { PROCEED_BIOPSY: 0, DEFER_MONITOR: 0, SECOND_READ: 0 }],
    ]);
  });

  it("always shows malignancies among deferred lesions, whatever the model and months", async () => {
    for (const query of [{}, { modelVersionId: seeded.modelId, from: "2025-03", to: "2025-03" }]) {
      const { safety } = await dashboard(query);
      // Deferred: A (benign) and C (malignant, deferred under the other model).
      expect(safety).toMatchObject({ deferredLesions: 2, deferredWithOutcome: 2, malignant: 1 });
      expect(safety.lesions).toEqual([
        {
          lesionId: seeded.lesionIds.C,
          mrn: seeded.mrns.C,
          bodySite: "face",
          deferredAt: "2025-01-09T00:00:00.000Z",
          followUpDate: "2025-03-01",
          modelVersion: seeded.otherModelVersion,
          histopathologyDiagnosis: "mel",
          confirmation: "histo",
          reportDate: "2025-01-15",
        },
      ]);
    }
  });

  it("narrows outcomes, flags and decisions to the chosen months", async () => {
    const february = await dashboard({ from: "2025-02", to: "2025-02" });
    // D, E, F, G: E keeps its February biopsy month although a consensus report came in March.
    expect(february.outcomes).toMatchObject({ lesions: 4, biopsied: 4, benignBiopsied: 2, malignantBiopsied: 2, numberNeededToBiopsy: 2 });
    expect(february.modelOutcomes!.biopsy).toMatchObject({ benignCalledLikelyBenign: 0, malignantMissed: 0 });
    expect(february.modelOutcomes!.roc.auc).toBe(1);
    expect(february.activity!.flags).toEqual({ LIKELY_BENIGN: 0, POSSIBLE_MISSED_MALIGNANCY: 1, REVIEW_REQUIRED: 0 });
    expect(february.trends.map((month) => month.month)).toEqual(["2025-02"]);
  });

  it("shows another model version with its own threshold", async () => {
    const result = await dashboard({ modelVersionId: seeded.otherModelId });
    expect(result.model).toMatchObject({ id: seeded.otherModelId, status: "RETIRED", threshold: 0.5 });
    const model = result.modelOutcomes!;
    // Only A (0.99, benign) is scored: called malignant at 0.5, so nothing avoidable.
    expect(model.scoredBiopsied).toBe(1);
    expect(model.unscoredBiopsied).toBe(7);
    expect(model.biopsy).toMatchObject({ benignBiopsied: 1, benignCalledLikelyBenign: 0, malignantBiopsied: 0 });
    expect(model.roc.auc).toBeNull();
    // Its only flag is C's, which was deferred.
    expect(result.activity!.flags.LIKELY_BENIGN).toBe(1);
    expect(result.activity!.decisions).toEqual([{ decision: "DEFER_MONITOR", count: 1, lesions: 1 }]);
    expect(result.modelVersions.map((version) => version.id).sort()).toEqual([seeded.modelId, seeded.otherModelId].sort());
  });

  it("judges a version at the operating point in force, once an admin has adopted a local one", async () => {
    // Operating points are append-only: version 2 of the other model, a local threshold above A's 0.99.
    await database.db.operatingPoint.create({
      data: { modelVersionId: seeded.otherModelId, version: 2, threshold: 0.995, source: "LOCAL", targetSensitivity: 0.95, reason: "adopted locally" },
    });
    const result = await dashboard({ modelVersionId: seeded.otherModelId });
    expect(result.model).toMatchObject({ id: seeded.otherModelId, threshold: 0.995 });
    // A (0.99, benign) is now below the threshold in force: called likely benign.
    expect(result.modelOutcomes!.biopsy).toMatchObject({ benignBiopsied: 1, benignCalledLikelyBenign: 1 });
    expect(result.modelVersions.find((version) => version.id === seeded.otherModelId)?.threshold).toBe(0.995);
  });

  it("takes the cost per biopsy from the request, else the setting, else 300", async () => {
    expect((await dashboard({ costPerBiopsy: 1000 })).modelOutcomes!.estimatedSaving).toBe(2000);
    await database.db.setting.create({ data: { key: COST_PER_BIOPSY_SETTING, value: 120 } });
    try {
      const result = await dashboard();
      expect(result.scope.costPerBiopsy).toBe(120);
      expect(result.modelOutcomes!.estimatedSaving).toBe(240);
    } finally {
      await database.db.setting.delete({ where: { key: COST_PER_BIOPSY_SETTING } });
    }
  });

  it("refuses an unknown model version", async () => {
    await expect(dashboard({ modelVersionId: "no-such-model" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("outcomes.dashboard procedure", () => {
  it("is open to dermatologists, validates its output, and refuses anonymous callers and bad input", async () => {
    const caller = createCaller({ db: database.db, user: clinician });
    const result = await caller.outcomes.dashboard({ from: "2025-01" });
    expect(result.outcomes.biopsied).toBe(8);
    await expect(createCaller({ db: database.db, user: null }).outcomes.dashboard({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(caller.outcomes.dashboard({ from: "January" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("an empty database and one without a model", () => {
  let empty: TestDatabase;
  beforeAll(async () => {
    empty = await createTestDatabase();
  });
  afterAll(() => empty.drop());

  it("has no figures to invent", async () => {
    const result = outcomesDashboardSchema.parse(await getOutcomesDashboard({ db: empty.db, query: {} }));
    expect(result.model).toBeNull();
    expect(result.modelOutcomes).toBeNull();
    expect(result.activity).toBeNull();
    expect(result.outcomes).toEqual({ lesions: 0, biopsied: 0, benignBiopsied: 0, malignantBiopsied: 0, notBiopsied: 0, numberNeededToBiopsy: null });
    expect(result.safety).toEqual({ deferredLesions: 0, deferredWithOutcome: 0, malignant: 0, lesions: [] });
    expect(result.trends).toEqual([]);
  });

  it("still counts biopsies when no model is active", async () => {
    const { db } = empty;
    const patient = await db.patient.create({ data: { mrn: "NM-1", name: "No Model" } });
    const lesion = await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: "L" } });
    await db.biopsyOutcome.create({
      data: { lesionId: lesion.id, histopathologyDiagnosis: "bcc", malignant: true, reportDate: new Date("2024-06-30T00:00:00Z"), confirmation: "histo" },
    });
    const result = await getOutcomesDashboard({ db, query: {} });
    expect(result.model).toBeNull();
    expect(result.modelOutcomes).toBeNull();
    expect(result.outcomes).toMatchObject({ lesions: 1, biopsied: 1, malignantBiopsied: 1, numberNeededToBiopsy: 1 });
    expect(result.trends).toEqual([expect.objectContaining({ month: "2024-06", biopsies: 1, scoredBiopsies: 0 })]);
  });
});

describe("a model is evaluated only on lesions it never saw in training", () => {
  let own: TestDatabase;
  let cases: SeededHandCases;
  beforeAll(async () => {
    own = await createTestDatabase();
    const user = await own.db.user.create({ data: { email: "derm@training.example", name: "Dr T", role: "DERMATOLOGIST", passwordHash: "x" } });
    cases = await seedHandCases({ db: own.db, clinicianId: user.id, tag: "tr", months: ["2025-01", "2025-02", "2025-03"], modelStatus: "ACTIVE" });
  });
  afterAll(() => own.drop());

  it("says when a model's training cases are not recorded, and leaves nothing out", async () => {
    const result = outcomesDashboardSchema.parse(await getOutcomesDashboard({ db: own.db, query: {} }));
    expect(result.modelOutcomes!.trainingCases).toEqual({ recorded: false, source: null, trainLesions: null, valLesions: null, leftOutBiopsied: 0 });
    expect(result.modelOutcomes!.scoredBiopsied).toBe(7);
  });

  it("leaves out every lesion the model was trained or validated on, by any of its keys, and counts them", async () => {
    const { db } = own;
    // E is a clinic lesion the model trained on; F an imported copy of a data-set lesion it trained on (HAM id in its
    // external id); B's picture is a data-set image without a lesion id that it validated on. D's lesion id is a
    // training key of the OTHER model only.
    await db.lesion.update({ where: { id: cases.lesionIds.F }, data: { externalId: "ISIC2019-180:HAM_0099991" } });
    const imageOfB = await db.lesionImage.findFirstOrThrow({ where: { lesionId: cases.lesionIds.B } });
    await db.lesionImage.update({ where: { id: imageOfB.id }, data: { externalId: "ISIC2019-180:ISIC_0099992" } });
    await db.$transaction(async (tx) => {
      await recordTrainingLesions(tx, cases.modelId, {
        source: "hand-made training set",
        lesions: new Map<string, TrainingSplit>([
          [`lesion:${cases.lesionIds.E}`, "train"],
          ["source-lesion:HAM_0099991", "train"],
          ["source-image:ISIC_0099992", "val"],
          ["source-lesion:HAM_0000001", "train"], // a training lesion never imported here
        ]),
      });
      await recordTrainingLesions(tx, cases.otherModelId, { source: "other", lesions: new Map([[`lesion:${cases.lesionIds.D}`, "train" as const]]) });
    });

    const rows = await loadLesionOutcomeRows({ db, modelVersionId: cases.modelId, bounds: monthBounds(undefined, undefined) });
    const seen = rows.filter((row) => row.seenInTraining).map((row) => row.lesionId).sort();
    expect(seen).toEqual([cases.lesionIds.B, cases.lesionIds.E, cases.lesionIds.F].sort());

    const result = outcomesDashboardSchema.parse(await getOutcomesDashboard({ db, query: {} }));
    const model = result.modelOutcomes!;
    expect(model.trainingCases).toEqual({ recorded: true, source: "hand-made training set", trainLesions: 3, valLesions: 1, leftOutBiopsied: 3 });
    // Left: A C D G (scored, biopsied) and I (unscored). Before this rule: 7 scored, B E F included.
    expect(model.scoredBiopsied).toBe(4);
    expect(model.unscoredBiopsied).toBe(1);
    // C is the only malignant lesion left, missed at 0.25: sensitivity 0 instead of 2/3.
    expect(model.biopsy).toMatchObject({ benignBiopsied: 3, benignCalledLikelyBenign: 1, malignantBiopsied: 1, malignantMissed: 1 });
    expect(model.comparison.n).toBe(4);
    expect(model.allConfirmed.n).toBe(5); // + H (follow-up)
    // Biopsy counts as practised do not depend on the model: nothing is left out of them.
    expect(result.outcomes).toMatchObject({ biopsied: 8, malignantBiopsied: 4 });
    // The monthly model figures leave the same lesions out (B in January; E, F in February).
    expect(result.trends.map((month) => [month.month, month.biopsies, month.scoredBiopsies])).toEqual([
      ["2025-01", 3, 2],
      ["2025-02", 4, 2],
      ["2025-03", 1, 0],
    ]);
    const expected = summariseModelOutcomes(
      HAND_ROWS.map((row) => ({ ...row, seenInTraining: ["B", "E", "F"].includes(row.lesionId) })),
      { threshold: 0.3, costPerBiopsy: 300 },
    );
    expect(model.roc).toEqual(JSON.parse(JSON.stringify(expected.roc)));

    // The other model saw only D.
    const other = outcomesDashboardSchema.parse(await getOutcomesDashboard({ db, query: { modelVersionId: cases.otherModelId } }));
    expect(other.modelOutcomes!.trainingCases).toMatchObject({ recorded: true, leftOutBiopsied: 1 });
  });

  it("records a model's training set once: a second record changes nothing", async () => {
    const again = await own.db.$transaction((tx) =>
      recordTrainingLesions(tx, cases.modelId, { source: "again", lesions: new Map([[`lesion:${cases.lesionIds.A}`, "train" as const]]) }),
    );
    expect(again).toEqual({ recorded: false });
    expect(await own.db.modelTrainingLesion.count({ where: { modelVersionId: cases.modelId } })).toBe(4);
  });
});
