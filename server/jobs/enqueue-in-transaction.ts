/**
 * Jobs queued inside the caller's database transaction. pg-boss sends a job through whatever `db` it is given
 * (`send(name, data, { db: { executeSql(text, values) } })`, pg-boss 10's manager.createJob); backed by a Prisma
 * interactive transaction, the job is a row that transaction writes: it commits with the change that asked for it
 * (a promotion, a roll back, a new operating point) or not at all. A failed enqueue aborts the change; a change
 * rolled back for any other reason leaves no job behind.
 */
import type PgBoss from "pg-boss";
import type { Prisma } from "../db/generated/client";
import { QUEUES, SWEEP_SINGLETON } from "./queues";

/** What a service needs from pg-boss to queue a job: its `send` (the web process's sender, or the worker's boss). */
export type JobSender = Pick<PgBoss, "send">;

/** pg-boss's database interface on a Prisma transaction's own connection. */
export function transactionDb(tx: Prisma.TransactionClient): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      const rows = await tx.$queryRawUnsafe<Record<string, unknown>[]>(text, ...values.map(asParameter));
      return { rows };
    },
  };
}

/** pg-boss passes the job's data as an object (node-postgres would serialise it) and unset options as undefined. */
function asParameter(value: unknown): unknown {
  if (value === undefined) return null;
  if (value !== null && typeof value === "object" && !(value instanceof Date)) return JSON.stringify(value);
  return value;
}

/**
 * Queues the score sweep (score what the active model has not scored, then bring open cases' flags in line with the
 * active model and its operating point) in `tx`. Throws when nothing was queued, so the caller's change rolls back.
 */
export async function enqueueScoreSweepInTransaction(tx: Prisma.TransactionClient, boss: JobSender): Promise<string> {
  const id = await boss.send(QUEUES.scoreSweep, {}, { singletonKey: SWEEP_SINGLETON, db: transactionDb(tx) });
  // pg-boss inserts nothing (and returns null) when the queue does not exist.
  if (!id) throw new Error(`The re-scoring job could not be queued (pg-boss has no "${QUEUES.scoreSweep}" queue): nothing was changed.`);
  return id;
}
