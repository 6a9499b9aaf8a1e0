import { describe, expect, it } from "vitest";
import { lesionsInSeveralSplits, type ImageRecord, type Split } from "@/ml/data";
import { readDermamnist } from "@/ml/data";
import { DERMAMNIST_28_DIR } from "@/ml/data/shared-data";
import { applyDeploymentSplits, clinicSplitOf, LOCKED_TEST_FRACTION, lesionSafeSplits, testSetIdentity } from "./locked-split";

const record = (id: string, lesionId: string | null, split: Split, malignant = false): ImageRecord => ({
  id,
  file: `/data/${id}.png`,
  split,
  diagnosis: null,
  malignant,
  lesionId,
  dxType: "histo",
  age: null,
  sex: null,
  site: null,
});

describe("the deployment's locked split", () => {
  it("makes a data set's own split lesion-safe: train wins over val, val over test", () => {
    const splits = lesionSafeSplits([record("a1", "A", "test"), record("a2", "A", "train"), record("b1", "B", "test"), record("b2", "B", "val"), record("c1", "C", "test")]);
    expect(Object.fromEntries(splits)).toEqual({ "lesion:A": "train", "lesion:B": "val", "lesion:C": "test" });
  });

  it("keeps every DermaMNIST lesion in one split, and its locked test lesions out of the official train and val splits", () => {
    const official = readDermamnist(DERMAMNIST_28_DIR);
    expect(lesionsInSeveralSplits(official).size).toBeGreaterThan(0); // the official split does straddle
    const records = applyDeploymentSplits({ base: official, clinic: [], salt: "s" });
    expect(lesionsInSeveralSplits(records).size).toBe(0);
    const seenInTraining = new Set(official.filter((r) => r.split !== "test").map((r) => r.lesionId));
    const lockedTest = records.filter((r) => r.split === "test");
    expect(lockedTest.length).toBeGreaterThan(1000);
    expect(lockedTest.every((r) => !seenInTraining.has(r.lesionId))).toBe(true);
  });

  it("places clinic lesions by a salted hash: about 20% test, stable, and all images of a lesion together", () => {
    const clinic = Array.from({ length: 4000 }, (_, i) => [record(`x${i}`, `L${i}`, "train"), record(`y${i}`, `L${i}`, "train")]).flat();
    const once = applyDeploymentSplits({ base: [], clinic, salt: "deployment-1" });
    const again = applyDeploymentSplits({ base: [], clinic: [...clinic].reverse(), salt: "deployment-1" });
    const splitById = new Map(once.map((r) => [r.id, r.split]));
    expect(again.every((r) => splitById.get(r.id) === r.split)).toBe(true);
    expect(lesionsInSeveralSplits(once).size).toBe(0);
    const testShare = once.filter((r) => r.split === "test").length / once.length;
    expect(Math.abs(testShare - LOCKED_TEST_FRACTION)).toBeLessThan(0.03);
    // Another deployment (another salt) draws another test set.
    const other = applyDeploymentSplits({ base: [], clinic, salt: "deployment-2" });
    expect(other.filter((r, i) => r.split !== once[i]!.split).length).toBeGreaterThan(1000);
  });

  it("puts a clinic lesion that is also in the base data set into the base data set's split", () => {
    const base = [record("ISIC_1", "HAM_1", "test"), record("ISIC_2", "HAM_2", "train")];
    const clinic = [record("clinic:a", "HAM_1", "train"), record("clinic:b", "HAM_2", "train")];
    const records = applyDeploymentSplits({ base, clinic, salt: "s" });
    expect(records.find((r) => r.id === "clinic:a")!.split).toBe("test");
    expect(records.find((r) => r.id === "clinic:b")!.split).toBe("train");
    expect(clinicSplitOf("lesion:HAM_1", "s")).toMatch(/train|val|test/);
  });

  it("identifies a test set by its images, whatever their order", () => {
    const records = [record("a", "A", "test", true), record("b", "B", "test"), record("c", "C", "train")];
    expect(testSetIdentity(records)).toEqual(testSetIdentity([...records].reverse()));
    expect(testSetIdentity(records)).toMatchObject({ images: 2, lesions: 2, malignant: 1 });
    expect(testSetIdentity(records).fingerprint).not.toBe(testSetIdentity(records.slice(1)).fingerprint);
  });
});
