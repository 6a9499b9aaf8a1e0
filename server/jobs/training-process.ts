/**
 * The training process: one per training run, started by the worker (handlers/train-model.ts) with an IPC channel,
 * so training never runs on the web server's or the worker's event loop, and a killed worker takes its training
 * with it: when the channel closes, the run is stopped and marked failed.
 *
 *   node --import tsx server/jobs/training-process.ts <trainingRunId>
 */
import path from "node:path";
import { createPrismaClient } from "../db/client";
import { env } from "../env";
import { createLogger } from "../logging/logger";
import { createImageStoreFromEnv } from "../services/images/create-image-store";
import { importRoot } from "../services/imports/import-runs";
import { executeTrainingRun } from "../services/training/execute-training-run";

const runId = process.argv[2];
const databaseUrl = env().DATABASE_URL;
// On stdout: the worker relays stdout as this run's log and keeps the last stderr line (a crash) as its error.
const logger = createLogger(process.stdout).child({ component: "training" });
const log = (line: string) => logger.info(line);

if (!runId || !databaseUrl) {
  logger.error("Usage: DATABASE_URL=... node --import tsx server/jobs/training-process.ts <trainingRunId>");
  process.exit(2);
}

const stop = new AbortController();
process.on("disconnect", () => stop.abort(new Error("The worker that ran this training stopped (the run cannot report to anyone).")));
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => stop.abort(new Error(`The worker was stopped (${signal}) during training.`)));
}

const db = createPrismaClient(databaseUrl, { max: 3 });
try {
  const outcome = await executeTrainingRun({
    db,
    runId,
    store: createImageStoreFromEnv(),
    modelStoreDir: env().MODEL_STORE_DIR,
    importRoot: importRoot(),
    workRoot: path.join(env().DATA_DIR, "training-runs"),
    stopSignal: stop.signal,
    log,
  });
  log(`run ${runId}: ${outcome}`);
  process.exitCode = outcome === "FAILED" ? 1 : 0;
} finally {
  await db.$disconnect();
}
// The ml backends keep handles open; the run is over and recorded.
process.exit();
