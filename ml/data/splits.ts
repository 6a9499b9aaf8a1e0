/**
 * Split hygiene: images of one lesion must never sit on both sides of a train/test boundary, or a model is graded
 * on lesions it has already seen. DermaMNIST's official split is per image (a third of its test images share a
 * lesion with a training image), so evaluation also reports on the lesion-disjoint part of the test split.
 */
import { createRng, shuffleInPlace } from "../random";
import { lesionKey, SPLITS, type ImageRecord, type Split } from "./records";

/**
 * Test records whose lesion appears in neither train nor val. A record without a lesion id counts as a lesion of
 * its own, so it is included (nothing is known that would link it to a training image).
 */
export function lesionDisjointTestRecords(records: readonly ImageRecord[]): ImageRecord[] {
  const seen = new Set(records.filter((r) => r.split !== "test").map(lesionKey));
  return records.filter((r) => r.split === "test" && !seen.has(lesionKey(r)));
}

/** Lesion ids whose images sit in more than one split, with those splits; empty means the split is lesion-safe. */
export function lesionsInSeveralSplits(records: readonly ImageRecord[]): Map<string, Split[]> {
  const splitsByLesion = new Map<string, Set<Split>>();
  for (const r of records) {
    if (r.lesionId === null) continue;
    const splits = splitsByLesion.get(r.lesionId) ?? new Set<Split>();
    splits.add(r.split);
    splitsByLesion.set(r.lesionId, splits);
  }
  const result = new Map<string, Split[]>();
  for (const [lesion, splits] of splitsByLesion) {
    if (splits.size > 1) result.set(lesion, SPLITS.filter((s) => splits.has(s)));
  }
  return result;
}

export type SplitFractions = Partial<Record<Split, number>>;

/**
 * Reassigns every record to train/val/test so that no lesion straddles two splits and each split gets close to its
 * fraction of the images (within one lesion's image count per stratum). Stratified by malignant (true / false /
 * unknown) so every split keeps the data's malignant share. Deterministic for a given seed and set of records,
 * whatever their input order. Returns new records in input order; the input is not modified.
 */
export function lesionAwareSplit(records: readonly ImageRecord[], fractions: SplitFractions, seed: number): ImageRecord[] {
  const targets = SPLITS.map((split) => fractions[split] ?? 0);
  if (targets.some((f) => !Number.isFinite(f) || f < 0)) {
    throw new RangeError(`lesionAwareSplit: fractions must be >= 0, got ${JSON.stringify(fractions)}`);
  }
  const total = targets.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) > 1e-9) {
    throw new RangeError(`lesionAwareSplit: fractions must sum to 1, got ${total} from ${JSON.stringify(fractions)}`);
  }

  const groups = new Map<string, number[]>();
  records.forEach((r, i) => {
    const key = lesionKey(r);
    const members = groups.get(key) ?? [];
    members.push(i);
    groups.set(key, members);
  });

  // A lesion with any malignant image counts as malignant: a safeguard, as no HAM10000 lesion has two diagnoses.
  const strata = new Map<string, string[]>([["malignant", []], ["benign", []], ["unknown", []]]);
  for (const [key, members] of groups) {
    const values = members.map((i) => records[i]?.malignant);
    const stratum = values.includes(true) ? "malignant" : values.includes(false) ? "benign" : "unknown";
    strata.get(stratum)?.push(key);
  }

  const rng = createRng(seed);
  const assigned = new Array<Split>(records.length);
  for (const keys of strata.values()) {
    // Sorting first makes the result independent of input order; the shuffle makes it depend on the seed.
    shuffleInPlace(keys.sort(), rng);
    const imageCount = keys.reduce((n, key) => n + (groups.get(key)?.length ?? 0), 0);
    const filled = SPLITS.map(() => 0);
    for (const key of keys) {
      const members = groups.get(key) ?? [];
      // Largest remaining deficit wins, which keeps every split close to its target at every step.
      let best = 0;
      let bestDeficit = -Infinity;
      SPLITS.forEach((_, s) => {
        if ((targets[s] ?? 0) === 0) return;
        const deficit = (targets[s] ?? 0) * imageCount - (filled[s] ?? 0);
        if (deficit > bestDeficit) {
          bestDeficit = deficit;
          best = s;
        }
      });
      filled[best] = (filled[best] ?? 0) + members.length;
      const split = SPLITS[best] ?? "train";
      for (const i of members) assigned[i] = split;
    }
  }
  return records.map((r, i) => ({ ...r, split: assigned[i] ?? r.split }));
}
