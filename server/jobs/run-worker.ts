/** `npm run worker`: a worker process against DATABASE_URL (started by `npm start`, or alone on another machine). */
import { startWorker } from "./worker";

const log = (line: string) => console.log(`[worker] ${line}`);

async function main() {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error("[worker] DATABASE_URL is not set: point the worker at DermFlag's PostgreSQL.");
    process.exit(2);
  }
  const worker = await startWorker({ databaseUrl, log });
  log("ready");
  const stop = async () => {
    log("stopping");
    await worker.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((error: unknown) => {
  console.error(`[worker] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
