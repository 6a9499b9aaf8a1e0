/** `npm run worker`: a worker process against DATABASE_URL (started by `npm start`, or alone on another machine). */
import { env } from "../env";
import { componentLogger, errorMessage } from "../logging/logger";
import { startWorker } from "./worker";

const logger = componentLogger("worker");
const log = (line: string) => logger.info(line);

async function main() {
  const { DATABASE_URL: databaseUrl } = env();
  if (!databaseUrl) {
    logger.error("DATABASE_URL is not set: point the worker at DermFlag's PostgreSQL.");
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
  // Start-up failures are configuration and connection errors (an invalid variable, an unreachable database).
  logger.error({ err: error, detail: errorMessage(error) }, "failed to start");
  process.exit(1);
});
