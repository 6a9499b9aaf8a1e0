/**
 * The background worker: imports, scoring, and (as it lands) training. It runs as its own process (started by
 * `npm start`, or alone with `npm run worker` on another machine against the same database), so heavy work never
 * blocks the web server.
 */
import type PgBoss from "pg-boss";
import { createPrismaClient, type Db } from "../db/client";
import { createImageStoreFromEnv } from "../services/images/create-image-store";
import { disposePredictors } from "../services/inference/predictors";
import { startBoss } from "./boss";
import { handleImportDataset } from "./handlers/import-dataset";
import { handleScoreImages, handleScoreSweep, requestScoreSweep } from "./handlers/score";
import { QUEUES } from "./queues";

export interface RunningWorker {
  boss: PgBoss;
  db: Db;
  stop(): Promise<void>;
}

export async function startWorker(options: { databaseUrl: string; log: (line: string) => void }): Promise<RunningWorker> {
  const { log } = options;
  const db = createPrismaClient(options.databaseUrl, { max: 8 });
  const store = createImageStoreFromEnv();
  const boss = await startBoss(options.databaseUrl, "worker");

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
  // Whatever arrived while no worker ran (or before a model was active) gets scored now.
  await requestScoreSweep(boss);

  return {
    boss,
    db,
    async stop() {
      await boss.stop({ graceful: true, timeout: 10_000 });
      await disposePredictors();
      await db.$disconnect();
    },
  };
}
