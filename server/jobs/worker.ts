/**
 * The background worker: imports now, inference and training as they land. It runs as its own process (started by
 * `npm start`, or alone with `npm run worker` on another machine against the same database), so heavy work never
 * blocks the web server.
 */
import type PgBoss from "pg-boss";
import { createPrismaClient, type Db } from "../db/client";
import { startBoss } from "./boss";
import { handleImportDataset } from "./handlers/import-dataset";
import { QUEUES } from "./queues";

export interface RunningWorker {
  boss: PgBoss;
  db: Db;
  stop(): Promise<void>;
}

export async function startWorker(options: { databaseUrl: string; log: (line: string) => void }): Promise<RunningWorker> {
  const db = createPrismaClient(options.databaseUrl, { max: 8 });
  const boss = await startBoss(options.databaseUrl, "worker");
  await boss.work(QUEUES.importDataset, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
    if (!job) return;
    options.log(`import job ${job.id} started`);
    await handleImportDataset(db, job.data);
    options.log(`import job ${job.id} finished`);
  });
  return {
    boss,
    db,
    async stop() {
      await boss.stop({ graceful: true, timeout: 10_000 });
      await db.$disconnect();
    },
  };
}
