import { describe, expect, it } from "vitest";
import { clinicianCallsMalignant } from "./clinician-call";
import { monthlyTrends } from "./monthly-trends";
import { HAND_ROWS } from "./outcome-rows.test-helper";
import { monthBounds, nextMonth, outcomesQueryInput } from "./scope";

describe("monthlyTrends", () => {
  const activity = {
    flags: [
      { month: "2025-02", kind: "LIKELY_BENIGN" as const, count: 3 },
      { month: "2025-02", kind: "REVIEW_REQUIRED" as const, count: 1 },
      { month: "2025-04", kind: "POSSIBLE_MISSED_MALIGNANCY" as const, count: 2 },
    ],
    decisions: [{ month: "2025-02", decision: "DEFER_MONITOR" as const, count: 2 }],
    decisionTotals: [{ decision: "DEFER_MONITOR" as const, count: 2, lesions: 2 }],
  };

  it("gives each month its outcome figures and workflow counts, months in order", () => {
    const trends = monthlyTrends(HAND_ROWS, activity, 0.3);
    expect(trends.map((month) => month.month)).toEqual(["2025-01", "2025-02", "2025-03", "2025-04"]);
    const [january, february, march, april] = trends;
    // January: A, B (benign), C (malignant) biopsied; H not biopsied. Scored below 0.3: A, B benign, C malignant.
    expect(january).toMatchObject({ biopsies: 3, benignBiopsies: 2, malignantBiopsies: 1, numberNeededToBiopsy: 3, scoredBiopsies: 3, benignAvoidable: 2, malignantMissed: 1 });
    expect(january!.avoidableRate.estimate).toBe(1);
    // February: D, G benign (0.40, 0.30: not below), E, F malignant.
    expect(february).toMatchObject({ biopsies: 4, benignBiopsies: 2, malignantBiopsies: 2, numberNeededToBiopsy: 2, scoredBiopsies: 4, benignAvoidable: 0, malignantMissed: 0 });
    expect(february!.flags).toEqual({ LIKELY_BENIGN: 3, POSSIBLE_MISSED_MALIGNANCY: 0, REVIEW_REQUIRED: 1 });
    expect(february!.decisions).toEqual({ PROCEED_BIOPSY: 0, DEFER_MONITOR: 2, SECOND_READ: 0 });
    // March: I biopsied and malignant but never scored.
    expect(march).toMatchObject({ biopsies: 1, malignantBiopsies: 1, numberNeededToBiopsy: 1, scoredBiopsies: 0 });
    expect(march!.avoidableRate.estimate).toBeNull();
    // April: flags only.
    expect(april).toMatchObject({ biopsies: 0, numberNeededToBiopsy: null });
    expect(april!.flags.POSSIBLE_MISSED_MALIGNANCY).toBe(2);
  });

  it("without a model, reports biopsies only", () => {
    const trends = monthlyTrends(HAND_ROWS, null, null);
    expect(trends.map((month) => [month.month, month.biopsies, month.scoredBiopsies, month.benignAvoidable])).toEqual([
      ["2025-01", 3, 0, 0],
      ["2025-02", 4, 0, 0],
      ["2025-03", 1, 0, 0],
    ]);
  });

  it("is empty for no data", () => {
    expect(monthlyTrends([], null, 0.3)).toEqual([]);
  });
});

describe("clinicianCallsMalignant", () => {
  it.each([
    ["MALIGNANT", "MONITOR", true],
    ["UNCERTAIN", "DISCHARGE", true],
    ["BENIGN", "BIOPSY", true],
    ["BENIGN", "MONITOR", false],
    ["BENIGN", "DISCHARGE", false],
  ] as const)("%s with plan %s -> %s", (impression, plan, expected) => {
    expect(clinicianCallsMalignant({ impression, plan })).toBe(expected);
  });
});

describe("dashboard scope", () => {
  it("turns a month range into calendar-date bounds, end exclusive", () => {
    expect(monthBounds("2025-01", "2025-12")).toEqual({ fromDate: "2025-01-01", toDateExclusive: "2026-01-01" });
    expect(monthBounds(undefined, "2025-02")).toEqual({ fromDate: null, toDateExclusive: "2025-03-01" });
    expect(monthBounds(undefined, undefined)).toEqual({ fromDate: null, toDateExclusive: null });
    expect(nextMonth("0999-12")).toBe("1000-01");
  });

  it("validates months, their order and the cost", () => {
    expect(outcomesQueryInput.safeParse({ from: "2025-13" }).success).toBe(false);
    expect(outcomesQueryInput.safeParse({ from: "2025-03", to: "2025-02" }).success).toBe(false);
    expect(outcomesQueryInput.safeParse({ costPerBiopsy: -1 }).success).toBe(false);
    expect(outcomesQueryInput.parse({ from: "2025-02", to: "2025-02", costPerBiopsy: 0 })).toEqual({ from: "2025-02", to: "2025-02", costPerBiopsy: 0 });
  });
});
