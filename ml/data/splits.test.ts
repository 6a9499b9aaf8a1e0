import { describe, expect, it } from "vitest";
import { readDermamnist } from "./read-dermamnist";
import { lesionKey, SPLITS, type ImageRecord } from "./records";
import { DERMAMNIST_28_DIR } from "./shared-data";
import { lesionAwareSplit, lesionDisjointTestRecords, lesionsInSeveralSplits } from "./splits";

const records = readDermamnist(DERMAMNIST_28_DIR);

describe("lesionDisjointTestRecords on dermamnist-28", () => {
  it("keeps the 1,232 test images (149 malignant) whose lesion is in neither train nor val", () => {
    const disjoint = lesionDisjointTestRecords(records);
    expect(disjoint).toHaveLength(1_232);
    expect(disjoint.filter((r) => r.malignant)).toHaveLength(149);
    expect(disjoint.every((r) => r.split === "test")).toBe(true);
  });

  it("confirms the official split leaks: 693 test images share a lesion with a train image", () => {
    const trainLesions = new Set(records.filter((r) => r.split === "train").map((r) => r.lesionId));
    expect(records.filter((r) => r.split === "test" && trainLesions.has(r.lesionId))).toHaveLength(693);
    expect(lesionsInSeveralSplits(records).size).toBeGreaterThan(0);
  });

  it("treats a record without a lesion id as its own lesion", () => {
    const base = records[0]!;
    const rs: ImageRecord[] = [
      { ...base, id: "a", split: "train", lesionId: null },
      { ...base, id: "b", split: "test", lesionId: null },
      { ...base, id: "c", split: "test", lesionId: "HAM_1" },
      { ...base, id: "d", split: "val", lesionId: "HAM_1" },
    ];
    expect(lesionDisjointTestRecords(rs).map((r) => r.id)).toEqual(["b"]);
  });
});

describe("lesionAwareSplit", () => {
  const fractions = { train: 0.7, val: 0.15, test: 0.15 };
  const split = lesionAwareSplit(records, fractions, 7);

  it("never puts one lesion in two splits", () => {
    expect(lesionsInSeveralSplits(split).size).toBe(0);
  });

  it("hits each fraction and keeps the malignant share in every split", () => {
    const overallShare = records.filter((r) => r.malignant).length / records.length;
    for (const s of SPLITS) {
      const part = split.filter((r) => r.split === s);
      expect(part.length / records.length, s).toBeCloseTo(fractions[s], 2);
      expect(part.filter((r) => r.malignant).length / part.length, s).toBeCloseTo(overallShare, 2);
    }
  });

  it("is deterministic, independent of input order, and changes with the seed", () => {
    const byId = (rs: readonly ImageRecord[]) => new Map(rs.map((r) => [r.id, r.split]));
    expect(byId(lesionAwareSplit([...records].reverse(), fractions, 7))).toEqual(byId(split));
    expect(byId(lesionAwareSplit(records, fractions, 8))).not.toEqual(byId(split));
  });

  it("keeps input order and does not modify the input", () => {
    expect(split.map((r) => r.id)).toEqual(records.map((r) => r.id));
    expect(records.filter((r) => r.split === "train")).toHaveLength(7_007);
  });

  it("supports two-way splits and rejects fractions that do not sum to 1", () => {
    const twoWay = lesionAwareSplit(records, { train: 0.8, test: 0.2 }, 1);
    expect(twoWay.some((r) => r.split === "val")).toBe(false);
    expect(new Set(twoWay.filter((r) => r.split === "test").map(lesionKey)).size).toBeGreaterThan(0);
    expect(() => lesionAwareSplit(records, { train: 0.8, test: 0.1 }, 1)).toThrow(/sum to 1/);
    expect(() => lesionAwareSplit(records, { train: 1.2, test: -0.2 }, 1)).toThrow(/>= 0/);
  });
});
