import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DIAGNOSES } from "../diagnoses";
import { damagedCopy, dropColumn, setCell, type DamagedCopy } from "./damaged-copy.test-helper";
import { readDermamnist } from "./read-dermamnist";
import { readHam10000 } from "./read-ham10000";
import { ImageRecordSchema } from "./records";
import { DERMAMNIST_28_DIR, HAM10000_SAMPLE_DIR } from "./shared-data";

describe("readHam10000 on the real ham10000-sample", () => {
  const records = readHam10000(HAM10000_SAMPLE_DIR);

  it("reads 70 images, 10 per diagnosis, 45 biopsied", () => {
    expect(records).toHaveLength(70);
    for (const dx of DIAGNOSES) expect(records.filter((r) => r.diagnosis === dx), dx).toHaveLength(10);
    expect(records.filter((r) => r.dxType === "histo")).toHaveLength(45);
    expect(records.filter((r) => r.malignant)).toHaveLength(30);
    for (const r of records) ImageRecordSchema.parse(r);
  });

  it('puts every record in "train" unless told otherwise', () => {
    expect(new Set(records.map((r) => r.split))).toEqual(new Set(["train"]));
    expect(new Set(readHam10000(HAM10000_SAMPLE_DIR, { split: "test" }).map((r) => r.split))).toEqual(new Set(["test"]));
  });

  it("agrees with dermamnist-28 on every shared image (so it is not an independent test set)", () => {
    const dermamnist = new Map(readDermamnist(DERMAMNIST_28_DIR).map((r) => [r.id, r]));
    for (const r of records) {
      const twin = dermamnist.get(r.id);
      expect(twin, r.id).toBeDefined();
      expect({ dx: twin?.diagnosis, lesion: twin?.lesionId, dxType: twin?.dxType }).toEqual({ dx: r.diagnosis, lesion: r.lesionId, dxType: r.dxType });
    }
  });
});

describe("readHam10000 errors", () => {
  let copy: DamagedCopy | undefined;
  afterEach(() => copy?.remove());

  it("names a missing folder", () => {
    const missing = path.join(HAM10000_SAMPLE_DIR, "nope");
    expect(() => readHam10000(missing)).toThrow(`${missing}: HAM10000 dataset folder not found`);
  });

  it("names a missing column", () => {
    copy = damagedCopy(HAM10000_SAMPLE_DIR, "HAM10000_metadata.csv", (lines) => dropColumn(lines, "image_id"), ["images"]);
    expect(() => readHam10000(copy!.root)).toThrow(`${copy.csvPath}:1: missing column(s) "image_id"`);
  });

  it("names a bad dx_type value", () => {
    copy = damagedCopy(HAM10000_SAMPLE_DIR, "HAM10000_metadata.csv", (lines) => setCell(lines, 2, "dx_type", "biopsy"), ["images"]);
    expect(() => readHam10000(copy!.root)).toThrow(`${copy.csvPath}:2: bad row: column "dx_type" = "biopsy"`);
  });

  it("names a row without an image", () => {
    copy = damagedCopy(HAM10000_SAMPLE_DIR, "HAM10000_metadata.csv", (lines) => setCell(lines, 5, "image_id", "ISIC_9999999"), ["images"]);
    expect(() => readHam10000(copy!.root)).toThrow(`${copy.csvPath}:5: no image ISIC_9999999.jpg`);
  });
});
