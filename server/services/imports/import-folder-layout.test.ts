import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ISIC2019_180_DIR } from "@/ml/data/shared-data";
import { writeTestBmp } from "@/ml/data/bmp/write-test-bmp";
import { DEFAULT_IMAGE_LIMITS } from "@/server/services/images/image-limits";
import { LocalImageStore } from "@/server/services/images/local-image-store";
import { tempFolder } from "@/server/services/images/test-images";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { importFolderLayout } from "./import-folder-layout";

let database: TestDatabase;
const folder = tempFolder("import-folder-layout-");
const limits = { ...DEFAULT_IMAGE_LIMITS };
const OUTCOME_DATE = new Date("2019-06-01T00:00:00Z");

const labelLines = readFileSync(path.join(ISIC2019_180_DIR, "labels.csv"), "utf8").trim().split(/\r?\n/);
const header = labelLines[0]!;
const labelFor = (file: string) => {
  const line = labelLines.find((l) => l.startsWith(`${file},`));
  if (!line) throw new Error(`no label for ${file}`);
  return line;
};

function allFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
  } catch {
    return [];
  }
}

const badlyLabelled = `train/benign/${readdirSync(path.join(ISIC2019_180_DIR, "train", "benign")).sort()[1]!}`;

/**
 * A small layout made of real isic2019-180 files and their real labels, plus what goes wrong in real folders: a
 * stray folder, a note saved as .jpg, a bad labels row, and the one HAM10000 lesion the archive files both as benign
 * (nevus) and malignant (actinic keratosis).
 */
function buildLayout(): string {
  const root = path.join(folder.dir, "isic-mini");
  const copy = (from: string, to = from) => {
    mkdirSync(path.dirname(path.join(root, to)), { recursive: true });
    copyFileSync(path.join(ISIC2019_180_DIR, from), path.join(root, to));
  };
  const labelled = [
    "train/malignant/ISIC_0025992.jpg", // HAM_0005480, histo, 2 images
    "train/malignant/ISIC_0026149.jpg",
    "train/malignant/ISIC_0024710.jpg", // squamous cell carcinoma, histo
    "train/malignant/ISIC_0025509(1).jpg", // basal cell carcinoma, not in HAM10000: archive label
    "train/malignant/ISIC_0026709.jpg", // HAM_0001565 as actinic keratosis ...
    "train/benign/ISIC_0028619.jpg", // ... and HAM_0001565 as nevus
    "train/benign/ISIC_0025223.jpg", // dermatofibroma, consensus
    "train/benign/ISIC_0000019.jpg", // nevus, archive label
  ];
  for (const file of labelled) copy(file);
  copy(badlyLabelled);
  copy("test/benign/" + readdirSync(path.join(ISIC2019_180_DIR, "test", "benign")).sort()[0]!, "train/unknown/lesion-x.jpg");
  mkdirSync(path.join(root, "train", "Benign_old"));
  writeFileSync(path.join(root, "train", "benign", "notes.jpg"), "Left shoulder, 6 mm, irregular border.\n");
  mkdirSync(path.join(root, "test", "benign"), { recursive: true });
  const bmp = writeTestBmp({ width: 80, height: 80, bitsPerPixel: 24, pixel: (x, y) => (x * 3) << 16 | (y * 3) << 8 | 90 });
  writeFileSync(path.join(root, "test", "benign", "scan.bmp"), bmp);
  const badRow = labelFor(badlyLabelled).replace(/,(histo|consensus|follow_up|confocal|)$/, ",biopsy");
  writeFileSync(path.join(root, "labels.csv"), [header, ...labelled.map(labelFor), badRow].join("\n") + "\n");
  return root;
}

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
  folder.remove();
});

describe("importFolderLayout", () => {
  it("stores folder labels honestly: biopsies as histo, other confirmations as such, unknown with no outcome", async () => {
    const { db } = database;
    const root = buildLayout();
    const store = new LocalImageStore(path.join(folder.dir, "store-mini"));
    const summary = await importFolderLayout({ db, store, folder: root, limits, outcomeDate: OUTCOME_DATE, datasetCode: "MINI" });

    const reasons = summary.rejected.map((r) => `${path.basename(r.file ?? "")}|${r.reason}`);
    expect(reasons).toHaveLength(4);
    expect(reasons).toContainEqual(expect.stringMatching(/^Benign_old\|unexpected entry/));
    expect(reasons).toContainEqual(expect.stringMatching(/^notes\.jpg\|UNSUPPORTED_TYPE: This file is text/));
    expect(reasons.filter((r) => r.startsWith(`${path.basename(badlyLabelled)}|labels.csv: column "ham10000_dx_type" = "biopsy"`))).toHaveLength(1);
    expect(reasons).toContainEqual(expect.stringMatching(/^ISIC_0026709\.jpg\|lesion HAM_0001565 is benign\/histo in train\/benign\/ISIC_0028619\.jpg but malignant\/histo here/));
    expect(summary).toMatchObject({ total: 13, imported: 9, skippedDuplicate: 0, lesionsCreated: 8, outcomesCreated: 7 });

    const outcomeOf = async (lesionId: string) => {
      const lesion = await db.lesion.findUniqueOrThrow({
        where: { externalId: `MINI:${lesionId}` },
        include: { biopsyOutcomes: true, images: true, patient: true },
      });
      return { images: lesion.images.length, outcome: lesion.biopsyOutcomes[0] ?? null, patient: lesion.patient };
    };
    const twoImages = await outcomeOf("HAM_0005480");
    expect(twoImages.images).toBe(2);
    expect(twoImages.outcome).toMatchObject({ histopathologyDiagnosis: "akiec", malignant: true, confirmation: "histo" });
    expect(twoImages.outcome?.reportDate.toISOString().slice(0, 10)).toBe("2018-08-14");
    expect(twoImages.patient).toMatchObject({ mrn: "MINI-HAM_0005480", sex: "UNKNOWN", birthDate: null, fitzpatrickType: null });
    expect((await outcomeOf("HAM_0004609")).outcome).toMatchObject({ histopathologyDiagnosis: "squamous cell carcinoma", malignant: true, confirmation: "histo" });
    const archive = (await outcomeOf("ISIC_0025509(1)")).outcome;
    expect(archive).toMatchObject({ histopathologyDiagnosis: "bcc", malignant: true, confirmation: "archive-label", reportDate: OUTCOME_DATE });
    expect((await outcomeOf("HAM_0000827")).outcome).toMatchObject({ histopathologyDiagnosis: "df", malignant: false, confirmation: "consensus" });
    expect((await outcomeOf("ISIC_0000019")).outcome).toMatchObject({ histopathologyDiagnosis: "nv", confirmation: "archive-label" });
    expect(await outcomeOf("lesion-x")).toMatchObject({ images: 1, outcome: null });
    const scan = await outcomeOf("scan");
    expect(scan.outcome).toMatchObject({ histopathologyDiagnosis: "benign", malignant: false, confirmation: "archive-label" });
    expect(await db.lesionImage.findUniqueOrThrow({ where: { externalId: "MINI:scan" } })).toMatchObject({ width: 80, height: 80, mimeType: "image/png" });

    const again = await importFolderLayout({ db, store, folder: root, limits, outcomeDate: OUTCOME_DATE, datasetCode: "MINI" });
    expect(again).toMatchObject({ imported: 0, skippedDuplicate: 9, lesionsCreated: 0, outcomesCreated: 0 });
    expect(again.rejected).toHaveLength(4);
  });

  it("reads the real isic2019-180 folder and labels.csv (subset)", async () => {
    const own = await createTestDatabase();
    try {
      const store = new LocalImageStore(path.join(folder.dir, "store-real"));
      const summary = await importFolderLayout({ db: own.db, store, folder: ISIC2019_180_DIR, limits, limit: 40 });
      expect(summary).toMatchObject({ total: 40, imported: 40, rejected: [] });
      const lesion = await own.db.lesion.findFirstOrThrow({ where: { externalId: { startsWith: "ISIC2019-180:" } } });
      expect(lesion.externalId).toMatch(/^ISIC2019-180:(HAM_\d+|ISIC_\d+)/);
    } finally {
      await own.drop();
    }
  });

  it("leaves no blobs and no rows when a lesion's transaction fails after its blobs were written", async () => {
    const own = await createTestDatabase();
    try {
      const { db } = own;
      // The first image's lesion already exists, so the transaction goes straight to writing blobs and rows; the
      // audit entry then fails (no such user), after the blobs are on disk.
      const first = readdirSync(path.join(ISIC2019_180_DIR, "train", "benign")).sort()[0]!;
      const label = labelFor(`train/benign/${first}`).split(",");
      const lesionId = label[5] || label[2]!;
      const patient = await db.patient.create({ data: { mrn: "PRE-1", name: "Pre-existing" } });
      await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: "pre", externalId: `ISIC2019-180:${lesionId}` } });
      const store = new LocalImageStore(path.join(folder.dir, "store-failing"));
      const summary = await importFolderLayout({ db, store, folder: ISIC2019_180_DIR, limits, limit: 1, actorId: "no-such-user" });
      expect(summary.imported).toBe(0);
      expect(summary.rejected).toEqual([expect.objectContaining({ reason: expect.stringMatching(/could not be saved \(P2003\)/) })]);
      expect(allFiles(store.root)).toEqual([]);
      expect(await db.lesionImage.count()).toBe(0);
      expect(await db.auditLog.count()).toBe(0);
    } finally {
      await own.drop();
    }
  });
});
