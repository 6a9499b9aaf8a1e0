/**
 * A worker killed (kill -9) in the middle of scoring a batch of real uploads, then a new worker started. Every image
 * must end with exactly one prediction from the active model (none missing, none twice) and every lesion's flag in
 * line with its predictions (at most one open flag, nothing left to recompute).
 *
 * Which mechanism recovers: the killed worker's in-flight jobs stay "active" in pg-boss until they expire
 * (QUEUE_OPTIONS: 30 minutes for score-images, 6 hours for the sweep), so it is not the queue's retry. It is the
 * score sweep every worker requests when it starts (it scores whatever the active model has not scored yet) and the
 * per-upload jobs still queued. The test checks the recovery happened while the dead worker's jobs were still active.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ISIC2019_180_DIR } from "@/ml/data/shared-data";
import { Prisma } from "../db/generated/client";
import { BOSS_SCHEMA, startBoss } from "../jobs/boss";
import { QUEUES } from "../jobs/queues";
import { recordAssessment } from "../services/clinical/lesions";
import { ingestImage } from "../services/images/ingest-image";
import { LocalImageStore } from "../services/images/local-image-store";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { installActiveModel } from "./active-model";
import { flagChangesOnRecompute } from "./flags-in-line";
import { waitFor } from "./wait-for";
import { startWorkerProcess, type WorkerDirs, type WorkerProcess } from "./worker-process";

const LESIONS = 20;
const IMAGES_PER_LESION = 2;
const IMAGES = LESIONS * IMAGES_PER_LESION;

const root = mkdtempSync(path.join(os.tmpdir(), "dermflag-worker-kill-"));
let database: TestDatabase;
let dirs: WorkerDirs;
let sender: PgBoss;
let modelId: string;
const imageIds: string[] = [];
const lesionIds: string[] = [];
const workers: WorkerProcess[] = [];

/** Real images from the ISIC 2019 set, benign and malignant alternating. */
function isicImages(count: number): Uint8Array[] {
  const pick = (label: string) =>
    readdirSync(path.join(ISIC2019_180_DIR, "train", label))
      .sort()
      .slice(0, count / 2)
      .map((name) => readFileSync(path.join(ISIC2019_180_DIR, "train", label, name)));
  const benign = pick("benign");
  const malignant = pick("malignant");
  return benign.flatMap((bytes, i) => [bytes, malignant[i]!]);
}

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  dirs = { databaseUrl: database.url, dataDir: root, imageStoreDir: path.join(root, "images"), modelStoreDir: path.join(root, "models") };
  modelId = (await installActiveModel({ db, modelStoreDir: dirs.modelStoreDir })).id;
  const store = new LocalImageStore(dirs.imageStoreDir);
  const userId = (await db.user.create({ data: { email: "kill@clinic.example", name: "Dr Kill", role: "DERMATOLOGIST", passwordHash: "x" } })).id;
  const images = isicImages(IMAGES);
  for (let i = 0; i < LESIONS; i++) {
    const patient = await db.patient.create({ data: { mrn: `KILL-${i}`, name: `Kill Patient ${i}`, fitzpatrickType: i % 7 === 0 ? 6 : 2 } });
    const lesionId = (await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: `L${i}` } })).id;
    lesionIds.push(lesionId);
    // Both kinds of disagreement are possible: a benign call with discharge, and a planned biopsy.
    const input = i % 2 === 0 ? ({ impression: "BENIGN", plan: "DISCHARGE" } as const) : ({ impression: "MALIGNANT", plan: "BIOPSY" } as const);
    await recordAssessment({ db, actorId: userId, lesionId, input: { ...input, suspectedDiagnosis: null, note: null } });
    for (let k = 0; k < IMAGES_PER_LESION; k++) {
      const result = await ingestImage({ db, store, actorId: userId, lesionId, bytes: images[i * IMAGES_PER_LESION + k]! });
      if (result.status !== "created") throw new Error(`image ${i}/${k} was not stored: ${result.status}`);
      imageIds.push(result.image.id);
    }
  }
  sender = await startBoss(database.url, "sender");
  // One job per upload, as the upload route queues them.
  for (const imageId of imageIds) await sender.send(QUEUES.scoreImages, { imageIds: [imageId] });
}, 120_000);

afterAll(async () => {
  for (const worker of workers) worker.killHard();
  await sender?.stop({ graceful: false });
  await database?.drop();
  rmSync(root, { recursive: true, force: true });
});

const countPredictions = () => database.db.prediction.count({ where: { modelVersionId: modelId } });

describe("killing the worker while it scores uploads", () => {
  it("kill -9 mid-batch, then a new worker: one prediction per image, flags in line", async () => {
    const { db } = database;
    const first = startWorkerProcess(dirs);
    workers.push(first);
    // The per-upload jobs are taken one per polling interval (about one a second); the sweep the worker requests at
    // start scores the rest in one long job. Kill while that job is running and has scored some images.
    const scoredAtKill = await waitFor(
      async () => {
        const [row] = await db.$queryRawUnsafe<{ scored: number; sweeping: boolean }[]>(
          `SELECT (SELECT count(*)::int FROM "Prediction" WHERE "modelVersionId" = $1) AS scored,
                  EXISTS (SELECT 1 FROM ${BOSS_SCHEMA}.job WHERE name = $2 AND state = 'active') AS sweeping`,
          modelId,
          QUEUES.scoreSweep,
        );
        return row && row.sweeping && row.scored >= 4 ? row.scored : null;
      },
      { seconds: 120, what: "the sweep to be scoring", everyMs: 10 },
    );
    first.killHard();
    expect((await first.exited).signal).toBe("SIGKILL");
    const afterKill = await countPredictions();
    // The kill landed mid-batch: some images were scored, not all.
    expect(afterKill).toBeLessThan(IMAGES);
    expect(scoredAtKill).toBeGreaterThan(0);

    const orphaned = (
      await db.$queryRawUnsafe<{ id: string; name: string }[]>(
        `SELECT id::text AS id, name FROM ${BOSS_SCHEMA}.job WHERE name = ANY($1) AND state = 'active'`,
        [QUEUES.scoreImages, QUEUES.scoreSweep],
      )
    ).map((job) => job.id);
    expect(orphaned.length).toBeGreaterThan(0);

    const second = startWorkerProcess(dirs);
    workers.push(second);
    // The new worker's start-up sweep scores what the dead one left, then brings open cases' flags in line.
    await second.waitForOutput(/score sweep: \d+ images scored/, 120);
    expect(await countPredictions()).toBe(IMAGES);
    // Recovered without the queue's retry: the dead worker's jobs are still waiting for their expiry.
    const stillActive = await db.$queryRawUnsafe<{ n: bigint }[]>(
      `SELECT count(*) AS n FROM ${BOSS_SCHEMA}.job WHERE id::text = ANY($1) AND state = 'active'`,
      orphaned,
    );
    expect(Number(stillActive[0]!.n)).toBe(orphaned.length);
    await second.stop();

    // Exactly one prediction per image for the active model.
    const perImage = await db.prediction.groupBy({ by: ["imageId"], where: { modelVersionId: modelId }, _count: { _all: true } });
    expect(perImage.map((row) => row.imageId).sort()).toEqual([...imageIds].sort());
    expect(perImage.filter((row) => row._count._all !== 1)).toEqual([]);
    // Every scored image has its quality verdict, written in the same transaction as its prediction.
    expect(await db.lesionImage.count({ where: { id: { in: imageIds }, quality: { equals: Prisma.DbNull } } })).toBe(0);

    // Flags: at most one open per lesion, and each already in line with the lesion's predictions.
    const open = await db.flag.groupBy({ by: ["lesionId"], where: { status: "OPEN" }, _count: { _all: true } });
    expect(open.filter((row) => row._count._all > 1)).toEqual([]);
    expect(open.length).toBeGreaterThan(0);
    expect(await flagChangesOnRecompute(db, lesionIds)).toEqual([]);
    for (const flag of await db.flag.findMany({ where: { status: "OPEN" }, select: { lesionId: true, pMalignant: true } })) {
      const top = await db.prediction.aggregate({ where: { modelVersionId: modelId, image: { lesionId: flag.lesionId } }, _max: { pMalignant: true } });
      expect(flag.pMalignant).toBe(top._max.pMalignant);
    }
  }, 300_000);
});
