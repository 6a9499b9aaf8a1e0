import { describe, expect, it } from "vitest";
import { AGE_BANDS } from "./age-band";
import { type SubgroupCase, subgroupMetrics } from "./subgroups";
import { wilsonInterval } from "./wilson";

const cases: SubgroupCase[] = [
  { score: 0.9, malignant: true, group: "60-74" },
  { score: 0.2, malignant: false, group: "60-74" },
  { score: 0.4, malignant: true, group: "60-74" },
  { score: 0.6, malignant: false, group: "60-74" },
  { score: 0.7, malignant: false, group: "<30" },
  { score: 0.1, malignant: false, group: "<30" },
  { score: 0.8, malignant: true, group: "unknown" },
];

describe("subgroupMetrics", () => {
  it("computes size, AUC and sensitivity/specificity with intervals per group", () => {
    const [older, young, unknown] = subgroupMetrics(cases, 0.5);
    // Positives 0.9, 0.4 vs negatives 0.2, 0.6: 2 + 1 = 3 of 4 pairs. At 0.5: tp 1, fn 1, tn 1, fp 1.
    expect(older).toMatchObject({ group: "60-74", n: 4, positives: 2, negatives: 2, auc: 0.75 });
    expect(older!.sensitivity).toEqual(wilsonInterval(1, 2));
    expect(older!.specificity).toEqual(wilsonInterval(1, 2));
    // One class only: AUC and sensitivity undefined.
    expect(young).toMatchObject({ group: "<30", n: 2, positives: 0, auc: null });
    expect(young!.sensitivity.estimate).toBeNull();
    expect(young!.specificity.estimate).toBe(0.5);
    expect(unknown).toMatchObject({ group: "unknown", n: 1, auc: null });
    expect(unknown!.specificity.estimate).toBeNull();
  });

  it("orders groups by the given order, dropping empty listed groups, then by first appearance", () => {
    const withOrder = subgroupMetrics(cases, 0.5, { order: AGE_BANDS });
    expect(withOrder.map((g) => g.group)).toEqual(["<30", "60-74", "unknown"]);
    const partial = subgroupMetrics(cases, 0.5, { order: ["unknown"] });
    expect(partial.map((g) => g.group)).toEqual(["unknown", "60-74", "<30"]);
  });

  it("returns no groups for no cases", () => {
    expect(subgroupMetrics([], 0.5)).toEqual([]);
  });
});
