import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { damagedCopy, setCell, type DamagedCopy } from "./damaged-copy.test-helper";
import { readFolderLayout } from "./read-folder-layout";
import { hasMalignancyLabel, ImageRecordSchema, lesionKey, type ImageRecord } from "./records";
import { DERMAMNIST_28_DIR, ISIC2019_180_DIR } from "./shared-data";
import { lesionDisjointTestRecords, lesionsInSeveralSplits } from "./splits";

const count = (records: readonly ImageRecord[], split: string, malignant: boolean | null) =>
  records.filter((r) => r.split === split && r.malignant === malignant).length;

describe("readFolderLayout on the real isic2019-180", () => {
  const records = readFolderLayout(ISIC2019_180_DIR, { valFraction: 0.1, seed: 42 });

  it("reads train 978 benign / 1,111 malignant (before the val carve) and test 51 / 64", () => {
    expect(records).toHaveLength(2_204);
    expect(count(records, "train", false) + count(records, "val", false)).toBe(978);
    expect(count(records, "train", true) + count(records, "val", true)).toBe(1_111);
    expect(count(records, "test", false)).toBe(51);
    expect(count(records, "test", true)).toBe(64);
    for (const r of records) ImageRecordSchema.parse(r);
    expect(records.every((r) => r.diagnosis === null)).toBe(true);
  });

  it("carves about 10% of train into val, keeping the malignant share, with no lesion in both", () => {
    const val = records.filter((r) => r.split === "val");
    expect(val.length / 2_089).toBeGreaterThan(0.095);
    expect(val.length / 2_089).toBeLessThan(0.105);
    expect(val.filter((r) => r.malignant).length / val.length).toBeCloseTo(1_111 / 2_089, 1);
    const straddling = [...lesionsInSeveralSplits(records).values()].filter((s) => s.includes("train") && s.includes("val"));
    expect(straddling).toEqual([]);
  });

  it("takes lesion ids and dx_type from labels.csv", () => {
    expect(records.filter((r) => r.lesionId !== null)).toHaveLength(1_437);
    expect(records.filter((r) => r.dxType === "histo")).toHaveLength(1_160);
  });

  it("is deterministic for a seed and changes with the seed", () => {
    const valIds = (rs: readonly ImageRecord[]) => rs.filter((r) => r.split === "val").map((r) => r.id);
    expect(valIds(readFolderLayout(ISIC2019_180_DIR, { valFraction: 0.1, seed: 42 }))).toEqual(valIds(records));
    expect(valIds(readFolderLayout(ISIC2019_180_DIR, { valFraction: 0.1, seed: 43 }))).not.toEqual(valIds(records));
  });

  it("exposes the dataset's own train/test lesion overlap: 33 test images share a lesion with train", () => {
    const disjoint = lesionDisjointTestRecords(records);
    expect(disjoint).toHaveLength(82);
    const trainLesions = new Set(records.filter((r) => r.split !== "test").map(lesionKey));
    expect(records.filter((r) => r.split === "test" && trainLesions.has(lesionKey(r)))).toHaveLength(33);
  });
});

describe("readFolderLayout with an unknown folder and damaged layouts", () => {
  let root: string | undefined;
  let copy: DamagedCopy | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = undefined;
    copy?.remove();
    copy = undefined;
  });

  /** A tiny layout built from real 28 px images: `{train,test}/<class>/<n>.jpg`. */
  function makeLayout(files: Record<string, number>): string {
    const dir = mkdtempSync(path.join(tmpdir(), "dermflag-layout-"));
    let n = 0;
    for (const [folder, howMany] of Object.entries(files)) {
      mkdirSync(path.join(dir, folder), { recursive: true });
      for (let i = 0; i < howMany; i++, n++) {
        const source = path.join(DERMAMNIST_28_DIR, "images", `DermaMNIST_train_${String(n).padStart(5, "0")}.jpg`);
        copyFileSync(source, path.join(dir, folder, `img_${n}.jpg`));
      }
    }
    return dir;
  }

  it("reads unknown as malignant null, which never counts as a label", () => {
    root = makeLayout({ "train/benign": 6, "train/malignant": 4, "train/unknown": 3, "test/benign": 2, "test/unknown": 1 });
    const records = readFolderLayout(root, { valFraction: 0.25, seed: 1 });
    expect(records).toHaveLength(16);
    const unknown = records.filter((r) => r.id.includes("/unknown/"));
    expect(unknown).toHaveLength(4);
    expect(unknown.every((r) => r.malignant === null)).toBe(true);
    expect(records.filter(hasMalignancyLabel)).toHaveLength(12);
    expect(records.filter((r) => r.split === "val").length).toBeGreaterThan(0);
    expect(records.filter((r) => r.split === "test")).toHaveLength(3);
  });

  it("names a missing test folder", () => {
    root = makeLayout({ "train/benign": 1 });
    expect(() => readFolderLayout(root!, { valFraction: 0.1, seed: 1 })).toThrow(`${path.join(root, "test")}: "test" folder not found`);
  });

  it("rejects a misspelt class folder instead of silently dropping its images", () => {
    root = makeLayout({ "train/benign": 1, "train/Malignant": 1, "test/benign": 1 });
    expect(() => readFolderLayout(root!, { valFraction: 0.1, seed: 1 })).toThrow(/train\/Malignant: unexpected folder/);
  });

  it("reads BMP images like the others (ml/data decodes BMP), and names a file of any other type", () => {
    root = makeLayout({ "train/benign": 1, "test/benign": 1 });
    writeFileSync(path.join(root, "train/benign/scan.bmp"), "BM");
    expect(readFolderLayout(root!, { valFraction: 0, seed: 1 }).map((r) => path.basename(r.file))).toContain("scan.bmp");
    writeFileSync(path.join(root, "train/benign/notes.txt"), "text");
    expect(() => readFolderLayout(root!, { valFraction: 0.1, seed: 1 })).toThrow(/notes\.txt: not a supported image .*\.bmp\)/);
  });

  it("rejects a labels.csv whose malignant flag contradicts the folder, naming the line", () => {
    copy = damagedCopy(ISIC2019_180_DIR, "labels.csv", (lines) => setCell(lines, 2, "malignant", "0"), ["train", "test"]);
    expect(() => readFolderLayout(copy!.root, { valFraction: 0.1, seed: 1 })).toThrow(`${copy.csvPath}:2: malignant = "0" contradicts the folder`);
  });

  it("rejects a bad lesion id in labels.csv", () => {
    copy = damagedCopy(ISIC2019_180_DIR, "labels.csv", (lines) => setCell(lines, 7, "ham10000_lesion_id", "lesion-7"), ["train", "test"]);
    expect(() => readFolderLayout(copy!.root, { valFraction: 0.1, seed: 1 })).toThrow(`${copy.csvPath}:7: bad row: column "ham10000_lesion_id" = "lesion-7"`);
  });

  it("rejects a val fraction outside [0, 1)", () => {
    expect(() => readFolderLayout(ISIC2019_180_DIR, { valFraction: 1, seed: 1 })).toThrow(RangeError);
  });
});
