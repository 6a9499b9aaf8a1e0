/**
 * pg-boss instances. The worker process runs the full one (maintenance, schedules, handlers); the web process only
 * sends jobs, so its instance does no maintenance or scheduling.
 */
import PgBoss from "pg-boss";
import { env } from "../env";
import { componentLogger, errorMessage } from "../logging/logger";
import { QUEUE_OPTIONS } from "./queues";

export const BOSS_SCHEMA = "pgboss";

/** Test-only tuning: how often the cron table is read (default 30 s) and due schedules are sent. */
export interface BossTuning {
  cronMonitorIntervalSeconds?: number;
  cronWorkerIntervalSeconds?: number;
}

export async function startBoss(connectionString: string, role: "worker" | "sender", tuning: BossTuning = {}): Promise<PgBoss> {
  const boss = new PgBoss({
    ...tuning,
    connectionString,
    schema: BOSS_SCHEMA,
    max: role === "worker" ? 4 : 2,
    supervise: role === "worker",
    schedule: role === "worker",
    application_name: `dermflag-${role}`,
  });
  // pg-boss reports its own connection and maintenance errors here (no job data in them).
  boss.on("error", (error: Error) => componentLogger("jobs").error({ err: error, detail: errorMessage(error) }, "pg-boss error"));
  await boss.start();
  for (const [name, options] of Object.entries(QUEUE_OPTIONS)) {
    if (!(await boss.getQueue(name))) await boss.createQueue(name, { name, ...options });
  }
  return boss;
}

const globalForBoss = globalThis as unknown as { dermflagBoss?: Promise<PgBoss> };

/** The web process's sender, created on first use. */
export function getSenderBoss(): Promise<PgBoss> {
  const url = env().DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set.");
  globalForBoss.dermflagBoss ??= startBoss(url, "sender").catch((error: unknown) => {
    globalForBoss.dermflagBoss = undefined;
    throw error;
  });
  return globalForBoss.dermflagBoss;
}
