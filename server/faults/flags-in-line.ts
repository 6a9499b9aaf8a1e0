/**
 * Whether lesions' flags already reflect their data: recomputes each one and returns what the recomputation changed
 * (nothing, when the flags were in line). recomputeLesionFlag reports "updated" even when it rewrote the same values,
 * so the flags are compared before and after rather than trusting its result.
 */
import type { Db } from "../db/client";
import { recomputeLesionFlag } from "../services/flags/recompute-flags";

const flagSelect = {
  id: true,
  lesionId: true,
  kind: true,
  status: true,
  reason: true,
  biopsyPlanned: true,
  pMalignant: true,
  threshold: true,
  modelVersionId: true,
  predictionId: true,
  assessmentId: true,
} as const;

async function snapshot(db: Db, lesionIds: readonly string[]) {
  const flags = await db.flag.findMany({ where: { lesionId: { in: [...lesionIds] } }, select: flagSelect, orderBy: { id: "asc" } });
  return new Map(flags.map((flag) => [flag.id, JSON.stringify(flag)]));
}

export async function flagChangesOnRecompute(db: Db, lesionIds: readonly string[]): Promise<string[]> {
  const before = await snapshot(db, lesionIds);
  for (const lesionId of lesionIds) await recomputeLesionFlag({ db, lesionId });
  const after = await snapshot(db, lesionIds);
  const changes: string[] = [];
  for (const [id, flag] of after) {
    const was = before.get(id);
    if (was === undefined) changes.push(`raised ${flag}`);
    else if (was !== flag) changes.push(`changed ${was} -> ${flag}`);
  }
  return changes;
}
