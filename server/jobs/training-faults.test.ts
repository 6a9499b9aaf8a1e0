/**
 * Faults during training, with real processes: a worker process (`npm run worker`'s entry) runs a real training
 * process, and the test kills them. Whatever is killed, the run ends up FAILED, no candidate is registered, no model
 * directory is left behind, and the active model stays active.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listModelVersions } from "@/ml/store";
import { PRETRAINED_MODELS_DIR } from "@/prisma/seed-demo";
import type { TrainingRunStatus } from "../db/generated/client";
import { installModel } from "../services/models/install-model";
import { promoteModelVersion } from "../services/models/registry";
import { launchTrainingRun } from "../services/training/training-runs";
import type { TrainingParams } from "../services/training/training-params";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { writeDermamnistSubset } from "../testing/dermamnist-subset";
import { startBoss } from "./boss";

const root = mkdtempSync(path.join(os.tmpdir(), "dermflag-training-faults-"));
const modelStoreDir = path.join(root, "models");
let database: TestDatabase;
let sender: PgBoss;
let activeVersion: string;
const workers: ChildProcess[] = [];
// Long enough that the kill lands mid-training.
const params: TrainingParams = { baseDataset: "dermamnist-small", recipe: "cnn", includeClinicCases: false, epochs: 200, timeBudgetMinutes: null, targetSensitivity: 0.9 };

function startWorkerProcess(options: { staleAfterSeconds: number }): ChildProcess {
  const worker = spawn(process.execPath, ["--import", "tsx", path.resolve("server/jobs/run-worker.ts")], {
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      DATA_DIR: root,
      SHARED_DATA_DIR: path.join(root, "shared"),
      IMAGE_STORE_DIR: path.join(root, "images"),
      MODEL_STORE_DIR: modelStoreDir,
      TRAINING_STALE_AFTER_SECONDS: String(options.staleAfterSeconds),
    },
    stdio: ["ignore", "ignore", "inherit"],
    // Its own process group, so the test can kill the worker together with its training process.
    detached: true,
  });
  workers.push(worker);
  return worker;
}

async function waitFor<T>(read: () => Promise<T | null>, seconds: number, what: string): Promise<T> {
  for (let i = 0; i < seconds * 4; i++) {
    const value = await read();
    if (value !== null) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const runIn = (id: string, statuses: TrainingRunStatus[], phase?: string) => async () => {
  const run = await database.db.trainingRun.findUniqueOrThrow({ where: { id }, include: { modelVersion: true } });
  if (!statuses.includes(run.status)) return null;
  if (phase && (run.progress as { phase?: string } | null)?.phase !== phase) return null;
  return run;
};

async function expectNothingChanged(runId: string, modelsBefore: string[]) {
  expect(await database.db.modelVersion.count({ where: { trainingRunId: runId } })).toBe(0);
  expect((await database.db.modelVersion.findFirstOrThrow({ where: { status: "ACTIVE" } })).version).toBe(activeVersion);
  expect(readdirSync(modelStoreDir).filter((name) => !name.startsWith(".")).sort()).toEqual(modelsBefore);
}

beforeAll(async () => {
  writeDermamnistSubset(path.join(root, "shared", "dermamnist-small"), { train: 256, val: 120, test: 120 });
  database = await createTestDatabase();
  const pretrained = listModelVersions(PRETRAINED_MODELS_DIR).at(-1)!;
  const installed = await installModel({ db: database.db, sourceDir: pretrained.dir, storeDir: modelStoreDir });
  await promoteModelVersion({ db: database.db, actorId: null, modelVersionId: installed.id, overrideReason: "test: the committed demo model" });
  activeVersion = installed.version;
  sender = await startBoss(database.url, "sender");
}, 60_000);

afterAll(async () => {
  for (const worker of workers) {
    try {
      if (worker.pid) process.kill(-worker.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  await sender?.stop({ graceful: false });
  await database?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe("killing the worker during training", () => {
  it("kill -9 of the worker: its training process notices, stops and marks the run failed", async () => {
    const worker = startWorkerProcess({ staleAfterSeconds: 120 });
    const modelsBefore = readdirSync(modelStoreDir).sort();
    const run = await launchTrainingRun({ db: database.db, boss: sender, actorId: null, params, trigger: "MANUAL" });
    await waitFor(runIn(run.id, ["RUNNING"], "train"), 120, "the run to be training");
    process.kill(worker.pid!, "SIGKILL");
    const failed = await waitFor(runIn(run.id, ["FAILED"]), 60, "the run to be marked failed");
    expect(failed.error).toMatch(/worker that ran this training stopped/);
    expect(failed.finishedAt).not.toBeNull();
    await expectNothingChanged(run.id, modelsBefore);
  }, 240_000);

  it("kill -9 of the worker and its training process together: the next worker fails the silent run", async () => {
    const worker = startWorkerProcess({ staleAfterSeconds: 3 });
    const modelsBefore = readdirSync(modelStoreDir).sort();
    const run = await launchTrainingRun({ db: database.db, boss: sender, actorId: null, params, trigger: "MANUAL" });
    await waitFor(runIn(run.id, ["RUNNING"], "train"), 120, "the run to be training");
    process.kill(-worker.pid!, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await database.db.trainingRun.findUniqueOrThrow({ where: { id: run.id } })).status).toBe("RUNNING"); // nobody left to say otherwise
    startWorkerProcess({ staleAfterSeconds: 3 });
    const failed = await waitFor(runIn(run.id, ["FAILED"]), 60, "the new worker to fail the stale run");
    expect(failed.error).toMatch(/stopped reporting for over 3 s/);
    await expectNothingChanged(run.id, modelsBefore);
    // And a new run can be launched again.
    await expect(launchTrainingRun({ db: database.db, boss: sender, actorId: null, params: { ...params, epochs: 1 }, trigger: "MANUAL" })).resolves.toMatchObject({ status: "QUEUED" });
  }, 240_000);
});
