/** How many re-score sweeps pg-boss holds (queued by a sender with no worker): what a change queued, counted in tests. */
import type { Db } from "../db/client";
import { QUEUES } from "../jobs/queues";

export async function queuedScoreSweeps(db: Db): Promise<number> {
  const rows = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${QUEUES.scoreSweep}`;
  return rows[0]!.n;
}
