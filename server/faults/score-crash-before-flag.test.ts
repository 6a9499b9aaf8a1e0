/**
 * Scoring writes a prediction and then brings the lesion's flag in line with it. A worker that dies between the two
 * (kill -9, the database connection lost) must not leave a lesion whose flag still shows the old score: the
 * recovery paths (the job's retry, the sweep every worker runs at start) must end with the flag in line.
 *
 * The death is simulated deterministically: a trigger makes every write to this lesion's flags fail, which is what
 * the database sees of a worker killed at that point (its transaction never commits).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ISIC2019_180_DIR } from "@/ml/data/shared-data";
import { handleScoreImages, handleScoreSweep } from "../jobs/handlers/score";
import { recordAssessment } from "../services/clinical/lesions";
import { ingestImage } from "../services/images/ingest-image";
import { LocalImageStore } from "../services/images/local-image-store";
import { disposePredictors, predictorFor } from "../services/inference/predictors";
import { activeModel } from "../services/inference/score-images";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { installActiveModel } from "./active-model";
import { flagChangesOnRecompute } from "./flags-in-line";

const root = mkdtempSync(path.join(os.tmpdir(), "dermflag-score-crash-"));
const store = new LocalImageStore(path.join(root, "images"));
let database: TestDatabase;
let userId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  await installActiveModel({ db: database.db, modelStoreDir: path.join(root, "models") });
  userId = (await database.db.user.create({ data: { email: "crash@clinic.example", name: "Dr Crash", role: "DERMATOLOGIST", passwordHash: "x" } })).id;
}, 60_000);

afterAll(async () => {
  await disposePredictors();
  await database?.drop();
  rmSync(root, { recursive: true, force: true });
});

/** Two real images of one lesion, the second scoring higher than the first under the active model. */
async function lowThenHighImages(): Promise<[Uint8Array, Uint8Array]> {
  const model = (await activeModel(database.db))!;
  const predictor = await predictorFor(model);
  const scored = await Promise.all(
    ["benign", "malignant"].flatMap((label) => {
      const dir = path.join(ISIC2019_180_DIR, "train", label);
      return readdirSync(dir)
        .sort()
        .slice(0, 4)
        .map(async (name) => {
          const bytes = readFileSync(path.join(dir, name));
          return { bytes, p: (await predictor.predictBytes(bytes)).pMalignant };
        });
    }),
  );
  scored.sort((a, b) => a.p - b.p);
  return [scored[0]!.bytes, scored.at(-1)!.bytes];
}

async function failFlagWrites(lesionId: string, fail: boolean): Promise<void> {
  const { db } = database;
  if (!fail) {
    await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS faults_flag_write_dies ON "Flag"`);
    return;
  }
  await db.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION faults_flag_write_dies() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'simulated: the worker died before the flag was written'; END $$ LANGUAGE plpgsql`);
  // A cuid: letters and digits only, safe inside the DDL.
  expect(lesionId).toMatch(/^[a-z0-9]+$/);
  await db.$executeRawUnsafe(
    `CREATE TRIGGER faults_flag_write_dies BEFORE INSERT OR UPDATE ON "Flag" FOR EACH ROW WHEN (NEW."lesionId" = '${lesionId}') EXECUTE FUNCTION faults_flag_write_dies()`,
  );
}

describe("a worker dying between a prediction and its flag", () => {
  it("ends, after the retry and the next sweep, with the lesion's flag in line with all its predictions", async () => {
    const { db } = database;
    const [low, high] = await lowThenHighImages();
    const patient = await db.patient.create({ data: { mrn: "CRASH-1", name: "Crash Patient", fitzpatrickType: 2 } });
    const lesionId = (await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: "L1" } })).id;
    await recordAssessment({ db, actorId: userId, lesionId, input: { impression: "UNCERTAIN", plan: "BIOPSY", suspectedDiagnosis: null, note: null } });
    const ingest = async (bytes: Uint8Array) => {
      const result = await ingestImage({ db, store, actorId: userId, lesionId, bytes });
      if (result.status !== "created") throw new Error("expected a new image");
      return result.image.id;
    };
    const first = await ingest(low);
    await handleScoreImages(db, store, { imageIds: [first] });
    // A planned biopsy with a low score: "likely benign, consider deferring". This is the flag at stake.
    expect((await db.flag.findFirst({ where: { lesionId, status: "OPEN" } }))?.kind).toBe("LIKELY_BENIGN");

    const second = await ingest(high);
    await failFlagWrites(lesionId, true);
    // The job fails (pg-boss would retry it); whatever it committed stays.
    await expect(handleScoreImages(db, store, { imageIds: [second] })).rejects.toThrow();
    await failFlagWrites(lesionId, false);

    // Recovery: the job's retry, then the sweep a restarted worker runs.
    await handleScoreImages(db, store, { imageIds: [second] }).catch(() => undefined);
    await handleScoreSweep(db, store, () => {});

    const model = (await activeModel(db))!;
    const predictions = await db.prediction.findMany({ where: { modelVersionId: model.id, image: { lesionId } }, select: { imageId: true, pMalignant: true } });
    expect(predictions.map((prediction) => prediction.imageId).sort()).toEqual([first, second].sort());
    const top = Math.max(...predictions.map((prediction) => prediction.pMalignant));
    expect(top).toBeGreaterThan(predictions.find((prediction) => prediction.imageId === first)!.pMalignant);
    const open = await db.flag.findFirst({ where: { lesionId, status: "OPEN" } });
    // Nothing left to bring in line: the flag (or its absence) already reflects the highest score.
    expect(await flagChangesOnRecompute(db, [lesionId])).toEqual([]);
    if (open) expect(open.pMalignant).toBe(top);
  }, 120_000);
});

describe("the score sweep's report", () => {
  it("names the images it could not score and why, not only how many", async () => {
    const { db } = database;
    const patient = await db.patient.create({ data: { mrn: "CRASH-2", name: "Lost Image", fitzpatrickType: 2 } });
    const lesionId = (await db.lesion.create({ data: { patientId: patient.id, bodySite: "arm", label: "L2" } })).id;
    // A row whose file the store lost.
    const lost = await db.lesionImage.create({
      data: { lesionId, contentHash: "f".repeat(64), storageKey: `lost/${"f".repeat(64)}.png`, width: 600, height: 450, mimeType: "image/png", byteSize: 1 },
    });
    const lines: string[] = [];
    await handleScoreSweep(db, store, (line) => lines.push(line));
    expect(lines[0]).toMatch(/^score sweep: \d+ images scored, 1 failed/);
    expect(lines[1]).toMatch(new RegExp(`^score sweep: could not score 1 image: ${lost.id} \\(.*not found`));
    expect(lines.join("\n")).not.toContain("Lost Image");
  }, 120_000);
});
