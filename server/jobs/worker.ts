/**
 * The background worker: imports, scoring, and (as it lands) training. It runs as its own process (started by
 * `npm start`, or alone with `npm run worker` on another machine against the same database), so heavy work never
 * blocks the web server.
 */
import type PgBoss from "pg-boss";
import { createPrismaClient, type Db } from "../db/client";
import { env } from "../env";
import { createImageStoreFromEnv } from "../services/images/create-image-store";
import { disposePredictors } from "../services/inference/predictors";
import { startBoss } from "./boss";
import { handleImportDataset } from "./handlers/import-dataset";
import { handleScoreImages, handleScoreSweep, requestScoreSweep } from "./handlers/score";
import { handleTrainModel, stopTrainingProcesses } from "./handlers/train-model";
import { failStaleTrainingRuns } from "../services/training/training-runs";
import { getTrainingSchedule, runScheduledTraining, syncTrainingSchedule } from "../services/training/training-schedule";
import type { BossTuning } from "./boss";
import { QUEUES } from "./queues";
import { foldOpenFlagCounts } from "../services/review/open-flag-counts";

export interface RunningWorker {
  boss: PgBoss;
  db: Db;
  stop(): Promise<void>;
}

/** How often the worker looks for training runs whose process stopped reporting. */
const REAP_INTERVAL_MS = 15_000;
/** How often the worker folds the open-flag count changes (a queue header then sums a few rows, not thousands). */
const FOLD_COUNTS_INTERVAL_MS = 10_000;

export async function startWorker(options: { databaseUrl: string; log: (line: string) => void; boss?: BossTuning }): Promise<RunningWorker> {
  const { log } = options;
  const db = createPrismaClient(options.databaseUrl, { max: 8 });
  const store = createImageStoreFromEnv();
  const boss = await startBoss(options.databaseUrl, "worker", options.boss);

  // Runs left "running" by a worker that died (and its training process with it) are failed first.
  const staleAfterSeconds = env().TRAINING_STALE_AFTER_SECONDS;
  const reap = async () => {
    const failed = await failStaleTrainingRuns({ db, staleAfterSeconds });
    if (failed > 0) log(`${failed} training run(s) stopped reporting and were marked failed`);
  };
  await reap();
  const reaper = setInterval(() => void reap().catch((error: unknown) => log(`reaper: ${String(error)}`)), REAP_INTERVAL_MS);
  reaper.unref();
  const folder = setInterval(() => void foldOpenFlagCounts(db).catch((error: unknown) => log(`open flag counts: ${String(error)}`)), FOLD_COUNTS_INTERVAL_MS);
  folder.unref();

  await boss.work(QUEUES.importDataset, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
    if (!job) return;
    log(`import job ${job.id} started`);
    await handleImportDataset(db, job.data);
    log(`import job ${job.id} finished`);
    // Newly imported images are scored by the active model.
    await requestScoreSweep(boss);
  });
  await boss.work(QUEUES.scoreImages, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
    if (job) await handleScoreImages(db, store, job.data);
  });
  await boss.work(QUEUES.scoreSweep, { batchSize: 1, pollingIntervalSeconds: 2 }, async ([job]) => {
    if (job) await handleScoreSweep(db, store, log);
  });
  // One training run at a time per worker; the run itself is a separate process (handlers/train-model.ts).
  await boss.work(QUEUES.trainModel, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
    if (job) await handleTrainModel({ db, databaseUrl: options.databaseUrl, data: job.data, log });
  });
  await boss.work(QUEUES.trainingSchedule, { batchSize: 1, pollingIntervalSeconds: 2 }, async ([job]) => {
    if (job) await runScheduledTraining({ db, boss, log });
  });
  await syncTrainingSchedule(boss, await getTrainingSchedule(db));

  // Whatever arrived while no worker ran (or before a model was active) gets scored now.
  await requestScoreSweep(boss);

  return {
    boss,
    db,
    async stop() {
      clearInterval(reaper);
      clearInterval(folder);
      stopTrainingProcesses();
      await boss.stop({ graceful: true, timeout: 10_000 });
      await disposePredictors();
      await db.$disconnect();
    },
  };
}
