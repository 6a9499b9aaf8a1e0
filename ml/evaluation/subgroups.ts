import { type BinaryCounts, binaryCounts, sensitivity, specificity } from "./binary";
import { rocAuc } from "./roc";
import { type ProportionEstimate, Z_95 } from "./wilson";

export interface SubgroupCase {
  /** Model P(malignant). */
  readonly score: number;
  readonly malignant: boolean;
  /** The subgroup key: Fitzpatrick type, sex, ageBand(age), body site, ... */
  readonly group: string;
}

export interface SubgroupMetrics {
  readonly group: string;
  readonly n: number;
  /** Malignant cases in the group. */
  readonly positives: number;
  readonly negatives: number;
  /** Null when the group has only one class. */
  readonly auc: number | null;
  readonly counts: BinaryCounts;
  readonly sensitivity: ProportionEstimate;
  readonly specificity: ProportionEstimate;
}

export interface SubgroupOptions {
  readonly z?: number;
  /**
   * Groups to list first, in this order (e.g. AGE_BANDS); listed groups with no cases are left out, and groups not
   * listed follow in order of first appearance.
   */
  readonly order?: readonly string[];
}

/**
 * Metrics per subgroup at the operating threshold, each with its own size and Wilson intervals, so small groups
 * (e.g. Fitzpatrick V-VI) show how little their numbers say rather than a bare percentage.
 */
export function subgroupMetrics(
  cases: readonly SubgroupCase[],
  threshold: number,
  options: SubgroupOptions = {},
): SubgroupMetrics[] {
  const z = options.z ?? Z_95;
  const byGroup = new Map<string, SubgroupCase[]>();
  for (const group of options.order ?? []) byGroup.set(group, []);
  for (const lesion of cases) {
    const members = byGroup.get(lesion.group);
    if (members === undefined) byGroup.set(lesion.group, [lesion]);
    else members.push(lesion);
  }
  const results: SubgroupMetrics[] = [];
  for (const [group, members] of byGroup) {
    if (members.length === 0) continue;
    const scores = members.map((lesion) => lesion.score);
    const labels = members.map((lesion) => lesion.malignant);
    const counts = binaryCounts(scores, labels, threshold);
    results.push({
      group,
      n: counts.total,
      positives: counts.positives,
      negatives: counts.negatives,
      auc: rocAuc(scores, labels),
      counts,
      sensitivity: sensitivity(counts, z),
      specificity: specificity(counts, z),
    });
  }
  return results;
}
