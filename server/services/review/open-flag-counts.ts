/**
 * Open flags per kind are kept as signed changes: triggers on Flag (migration `open_flag_counts`) add one row per kind
 * for each statement that opens or closes flags, in that statement's transaction, so the queue's header
 * (countOpenFlagsByKind in queue.ts) is exact and live yet sums a handful of rows instead of counting every open flag
 * (counting 40,000 open flags took 8-20 ms per queue page at 100,000 lesions: bench/queue-profile.ts, EXPLAIN).
 */
import type { Db } from "../../db/client";

/**
 * Folds the recorded changes into one row per kind (the worker does this every few seconds, so a read sums a few
 * rows whatever the flag traffic). One statement: the rows it deletes are exactly those it sums, and changes
 * committed meanwhile stay as they are; a second fold running at the same time skips the rows the first removed.
 * Returns how many rows were folded.
 */
export async function foldOpenFlagCounts(db: Db): Promise<number> {
  const [row] = await db.$queryRaw<{ folded: number }[]>`
    WITH folded AS (DELETE FROM "OpenFlagCountDelta" RETURNING kind, delta),
         summed AS (
           INSERT INTO "OpenFlagCountDelta" (kind, delta)
           SELECT kind, sum(delta) FROM folded GROUP BY kind HAVING sum(delta) <> 0
         )
    SELECT count(*)::int AS folded FROM folded`;
  return row?.folded ?? 0;
}
