import type PgBoss from "pg-boss";
import type { Db } from "../../db/client";
import type { ImageStore } from "../../services/images/image-store";
import { recomputeStaleFlags } from "../../services/flags/recompute-flags";
import { scoreImages, unscoredImageIds, type ScoreSummary } from "../../services/inference/score-images";
import { QUEUES, scoreImagesPayload, SWEEP_SINGLETON } from "../queues";

export async function handleScoreImages(db: Db, store: ImageStore, data: unknown): Promise<ScoreSummary> {
  const { imageIds } = scoreImagesPayload.parse(data);
  const summary = await scoreImages({ db, store, imageIds });
  // A failure here is retried by pg-boss; predictions already written are kept (the next try skips them).
  if (summary.failed.length > 0) throw new Error(`${summary.failed.length} of ${imageIds.length} images could not be scored`);
  return summary;
}

const SWEEP_BATCH = 128;

/**
 * Scores every image the active model has not scored yet, in batches (images that fail are reported, not retried
 * forever), then brings open cases' flags in line with the active model.
 */
export async function handleScoreSweep(db: Db, store: ImageStore, log: (line: string) => void): Promise<void> {
  const failed = new Map<string, string>();
  let scored = 0;
  for (;;) {
    const ids = (await unscoredImageIds(db, SWEEP_BATCH + failed.size)).filter((id) => !failed.has(id)).slice(0, SWEEP_BATCH);
    if (ids.length === 0) break;
    const summary = await scoreImages({ db, store, imageIds: ids });
    scored += summary.scored;
    for (const failure of summary.failed) failed.set(failure.imageId, failure.reason);
  }
  // Open cases already scored by the (newly) active model still need their flags brought in line with it.
  const recomputed = await recomputeStaleFlags({ db });
  log(`score sweep: ${scored} images scored, ${failed.size} failed, ${recomputed} open cases recomputed`);
  if (failed.size > 0) log(describeFailures(failed));
}

const FAILURES_NAMED = 5;

/**
 * Which images could not be scored and why, for the engineer on call: the first few image ids (not patient data) and
 * their reasons (a missing blob, an undecodable file). The count alone said nothing a repair could start from.
 */
function describeFailures(failed: ReadonlyMap<string, string>): string {
  const named = [...failed].slice(0, FAILURES_NAMED).map(([imageId, reason]) => `${imageId} (${reason.slice(0, 160)})`);
  const more = failed.size > FAILURES_NAMED ? `; and ${failed.size - FAILURES_NAMED} more` : "";
  return `score sweep: could not score ${failed.size} image${failed.size === 1 ? "" : "s"}: ${named.join("; ")}${more}`;
}

export function requestScoreSweep(boss: PgBoss): Promise<string | null> {
  return boss.send(QUEUES.scoreSweep, {}, { singletonKey: SWEEP_SINGLETON });
}
