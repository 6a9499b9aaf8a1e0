import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { damagedCopy, dropColumn, setCell, type DamagedCopy } from "./damaged-copy.test-helper";
import { DatasetError } from "./dataset-error";
import { readDermamnist } from "./read-dermamnist";
import { ImageRecordSchema, SPLITS } from "./records";
import { DERMAMNIST_28_DIR } from "./shared-data";

describe("readDermamnist on the real dermamnist-28", () => {
  const records = readDermamnist(DERMAMNIST_28_DIR);

  it("reads the official split: 7,007 / 1,003 / 2,005", () => {
    expect(records).toHaveLength(10_015);
    const bySplit = Object.fromEntries(SPLITS.map((s) => [s, records.filter((r) => r.split === s).length]));
    expect(bySplit).toEqual({ train: 7_007, val: 1_003, test: 2_005 });
  });

  it("keeps a 19.5% malignant share in every split", () => {
    expect(records.filter((r) => r.malignant).length).toBe(1_954);
    for (const split of SPLITS) {
      const part = records.filter((r) => r.split === split);
      const share = part.filter((r) => r.malignant).length / part.length;
      expect(share, split).toBeGreaterThan(0.19);
      expect(share, split).toBeLessThan(0.2);
    }
  });

  it("marks 5,340 biopsied (histo) images: every malignant one and 3,386 benign", () => {
    const histo = records.filter((r) => r.dxType === "histo");
    expect(histo).toHaveLength(5_340);
    expect(histo.filter((r) => r.malignant)).toHaveLength(1_954);
    expect(histo.filter((r) => !r.malignant)).toHaveLength(3_386);
  });

  it("returns valid records with unique ids and absolute paths to existing files", () => {
    for (const r of records) ImageRecordSchema.parse(r);
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    const first = records[0];
    expect(first).toMatchObject({ id: "ISIC_0027615", split: "train", diagnosis: "akiec", malignant: true, lesionId: "HAM_0006180", dxType: "histo", age: 70, sex: "male", site: "upper extremity" });
    expect(path.isAbsolute(first?.file ?? "")).toBe(true);
    expect(existsSync(first?.file ?? "")).toBe(true);
  });

  it('maps "unknown" and empty metadata to null', () => {
    expect(records.some((r) => r.sex === "unknown" || r.site === "unknown")).toBe(false);
    expect(records.filter((r) => r.sex === null).length).toBeGreaterThan(0);
    expect(records.filter((r) => r.age === null).length).toBeGreaterThan(0);
  });
});

describe("readDermamnist errors", () => {
  let copy: DamagedCopy | undefined;
  afterEach(() => copy?.remove());

  it("names a missing dataset folder", () => {
    const missing = path.join(DERMAMNIST_28_DIR, "..", "no-such-dataset");
    expect(() => readDermamnist(missing)).toThrow(DatasetError);
    expect(() => readDermamnist(missing)).toThrow(`${missing}: DermaMNIST dataset folder not found`);
  });

  it("names a missing images folder", () => {
    copy = damagedCopy(DERMAMNIST_28_DIR, "labels.csv", (lines) => lines, []);
    expect(() => readDermamnist(copy!.root)).toThrow(`${path.join(copy.root, "images")}: DermaMNIST images folder not found`);
  });

  it("names a missing column", () => {
    copy = damagedCopy(DERMAMNIST_28_DIR, "labels.csv", (lines) => dropColumn(lines, "dx_type"), ["images"]);
    expect(() => readDermamnist(copy!.root)).toThrow(`${copy.csvPath}:1: missing column(s) "dx_type"`);
  });

  it("names the line, column and value of a bad diagnosis", () => {
    copy = damagedCopy(DERMAMNIST_28_DIR, "labels.csv", (lines) => setCell(lines, 6, "dx", "melanoma"), ["images"]);
    expect(() => readDermamnist(copy!.root)).toThrow(`${copy.csvPath}:6: bad row: column "dx" = "melanoma"`);
  });

  it("rejects an impossible age and a split outside train/val/test", () => {
    copy = damagedCopy(DERMAMNIST_28_DIR, "labels.csv", (lines) => setCell(lines, 3, "age", "abc"), ["images"]);
    expect(() => readDermamnist(copy!.root)).toThrow(`${copy.csvPath}:3: bad row: column "age" = "abc"`);
    copy.remove();
    copy = damagedCopy(DERMAMNIST_28_DIR, "labels.csv", (lines) => setCell(lines, 9, "split", "training"), ["images"]);
    expect(() => readDermamnist(copy!.root)).toThrow(`${copy.csvPath}:9: bad row: column "split" = "training"`);
  });

  it("rejects a malignant flag that contradicts the diagnosis", () => {
    // Line 3 is a nevus (benign); flagging it malignant must fail rather than silently train on a wrong label.
    copy = damagedCopy(DERMAMNIST_28_DIR, "labels.csv", (lines) => setCell(lines, 3, "malignant", "1"), ["images"]);
    expect(() => readDermamnist(copy!.root)).toThrow(/:3: bad row: column "malignant" = "1": disagrees with dx/);
  });

  it("names a row whose image file is missing", () => {
    copy = damagedCopy(DERMAMNIST_28_DIR, "labels.csv", (lines) => setCell(lines, 4, "file", "missing.jpg"), ["images"]);
    expect(() => readDermamnist(copy!.root)).toThrow(`${copy.csvPath}:4: image "missing.jpg" is not in`);
  });
});
