/**
 * Retraining through the real job system: pg-boss on a real database, the worker, and a real training process per
 * run, on a small real DermaMNIST subset. Also: one run at a time, cancel, and a run started by a cron schedule.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DomainError } from "../services/domain-error";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/client";
import type { TrainingRunStatus } from "../db/generated/client";
import { LocalImageStore } from "../services/images/local-image-store";
import { importHam10000 } from "../services/imports/import-ham10000";
import { cancelTrainingRun, launchTrainingRun } from "../services/training/training-runs";
import { runScheduledTraining, saveTrainingSchedule } from "../services/training/training-schedule";
import type { TrainingParams } from "../services/training/training-params";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { writeDermamnistSubset } from "../testing/dermamnist-subset";
import { startBoss } from "./boss";
import { startWorker, type RunningWorker } from "./worker";

const root = mkdtempSync(path.join(os.tmpdir(), "dermflag-training-job-"));
// Read by env() in this process and inherited by the training processes the worker starts.
process.env.DATA_DIR = root;
process.env.SHARED_DATA_DIR = path.join(root, "shared");
process.env.IMAGE_STORE_DIR = path.join(root, "images");
process.env.MODEL_STORE_DIR = path.join(root, "models");

let database: TestDatabase;
let worker: RunningWorker;
let sender: PgBoss;
let adminId: string;
const params: TrainingParams = { baseDataset: "dermamnist-small", recipe: "cnn", includeClinicCases: false, epochs: 1, timeBudgetMinutes: null, targetSensitivity: 0.9 };

async function waitForRun(db: Db, where: { id?: string; trigger?: "SCHEDULED" }, until: (status: TrainingRunStatus, progress: unknown) => boolean, seconds = 240) {
  for (let i = 0; i < seconds * 4; i++) {
    const run = await db.trainingRun.findFirst({ where, orderBy: { createdAt: "desc" }, include: { modelVersion: true } });
    if (run && until(run.status, run.progress)) return run;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error("the training run did not reach the expected state in time");
}
const ended = (status: TrainingRunStatus) => !["QUEUED", "RUNNING"].includes(status);

beforeAll(async () => {
  writeDermamnistSubset(path.join(root, "shared", "dermamnist-small"), { train: 256, val: 120, test: 120 });
  database = await createTestDatabase();
  adminId = (await database.db.user.create({ data: { email: "admin@train.example", name: "Ada", role: "ADMIN", passwordHash: "x" } })).id;
  worker = await startWorker({ databaseUrl: database.url, log: () => {}, boss: { cronMonitorIntervalSeconds: 1, cronWorkerIntervalSeconds: 1 } });
  sender = await startBoss(database.url, "sender");
}, 60_000);

afterAll(async () => {
  await sender?.stop({ graceful: false });
  await worker?.stop();
  await database?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe("retraining jobs", () => {
  it("runs a launched run in a training process to the end and registers its candidate", async () => {
    const run = await launchTrainingRun({ db: database.db, boss: sender, actorId: adminId, params, trigger: "MANUAL" });
    const seen = new Set<string>();
    const finished = await waitForRun(database.db, { id: run.id }, (status, progress) => {
      const phase = (progress as { phase?: string } | null)?.phase;
      if (phase) seen.add(phase);
      return ended(status);
    });
    expect(finished.error).toBeNull();
    expect(finished.status).toBe("SUCCEEDED");
    expect(finished.modelVersion?.status).toBe("CANDIDATE");
    expect(seen.has("train") || seen.has("evaluate")).toBe(true); // progress was reported while it ran
    expect((finished.progress as { overall: number }).overall).toBe(1);
  }, 300_000);

  it("refuses a second launch while one is queued or running, with a message (two at once: exactly one starts)", async () => {
    const launches = await Promise.allSettled([
      launchTrainingRun({ db: database.db, boss: sender, actorId: adminId, params: { ...params, epochs: 200 }, trigger: "MANUAL" }),
      launchTrainingRun({ db: database.db, boss: sender, actorId: adminId, params: { ...params, epochs: 200 }, trigger: "MANUAL" }),
    ]);
    const started = launches.filter((launch) => launch.status === "fulfilled");
    const refused = launches.filter((launch): launch is PromiseRejectedResult => launch.status === "rejected");
    expect(started).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toBeInstanceOf(DomainError);
    expect((refused[0]!.reason as DomainError).code).toBe("CONFLICT");
    expect((refused[0]!.reason as DomainError).message).toMatch(/already (queued|running).*only one runs at a time/);

    // The admin cancels the one that started; it stops within seconds and registers nothing.
    const runId = (started[0] as PromiseFulfilledResult<{ id: string }>).value.id;
    await waitForRun(database.db, { id: runId }, (status, progress) => (progress as { phase?: string } | null)?.phase === "train");
    await cancelTrainingRun({ db: database.db, actorId: adminId, trainingRunId: runId });
    const cancelled = await waitForRun(database.db, { id: runId }, ended, 60);
    expect(cancelled.status).toBe("CANCELLED");
    expect(cancelled.modelVersion).toBeNull();
    await expect(cancelTrainingRun({ db: database.db, actorId: adminId, trainingRunId: runId })).rejects.toThrow(/already ended/);
  }, 300_000);

  it("skips a scheduled run with a message when too few new cases arrived", async () => {
    const outcome = await runScheduledTraining({ db: database.db, boss: sender });
    expect(outcome.started).toBe(false); // the schedule is off by default
    await saveTrainingSchedule({
      db: database.db,
      boss: sender,
      actorId: adminId,
      schedule: { enabled: true, cron: "0 3 * * 1", timezone: "Europe/Amsterdam", minNewCases: 5, params },
    });
    const skipped = await runScheduledTraining({ db: database.db, boss: sender });
    expect(skipped).toMatchObject({ started: false, message: expect.stringMatching(/^Skipped: 0 new confirmed cases since the last successful run .*needs at least 5\.$/) });
    const row = await database.db.trainingRun.findFirstOrThrow({ where: { status: "SKIPPED" } });
    expect(row.trigger).toBe("SCHEDULED");
    await expect(
      saveTrainingSchedule({ db: database.db, boss: sender, actorId: adminId, schedule: { enabled: true, cron: "every sunday", timezone: "UTC", minNewCases: 5, params } }),
    ).rejects.toThrow(/Not a valid schedule/);
  }, 60_000);

  it("starts a run from its cron expression once enough new confirmed cases arrived", async () => {
    // 70 confirmed cases arrive (the HAM10000 sample with its outcomes).
    await importHam10000({ db: database.db, store: new LocalImageStore(process.env.IMAGE_STORE_DIR!), actorId: null, folder: path.resolve("../shared/data/ham10000-sample") });
    const before = new Date();
    // Every minute: pg-boss finds it due at once (its cron check runs every second in this test).
    await saveTrainingSchedule({ db: database.db, boss: sender, actorId: adminId, schedule: { enabled: true, cron: "* * * * *", timezone: "UTC", minNewCases: 10, params } });
    const run = await waitForRun(database.db, { trigger: "SCHEDULED" }, (status) => status !== "SKIPPED", 90);
    expect(run.createdAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(run.requestedById).toBeNull();
    const finished = await waitForRun(database.db, { id: run.id }, ended);
    expect(finished.status).toBe("SUCCEEDED");
    await saveTrainingSchedule({ db: database.db, boss: sender, actorId: adminId, schedule: { enabled: false, cron: "* * * * *", timezone: "UTC", minNewCases: 10, params } });
  }, 300_000);
});
