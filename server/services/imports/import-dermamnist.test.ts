import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DERMAMNIST_28_DIR } from "@/ml/data/shared-data";
import { DEFAULT_IMAGE_LIMITS } from "@/server/services/images/image-limits";
import { LocalImageStore } from "@/server/services/images/local-image-store";
import { tempFolder } from "@/server/services/images/test-images";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { importDermamnist } from "./import-dermamnist";

let database: TestDatabase;
const folder = tempFolder("import-dermamnist-");

const rows = readFileSync(path.join(DERMAMNIST_28_DIR, "labels.csv"), "utf8")
  .trim()
  .split(/\r?\n/)
  .slice(1)
  .map((line) => {
    const [file, , , imageId, lesionId, dx, dxType] = line.split(",") as string[];
    return { file: file!, imageId: imageId!, lesionId: lesionId!, dx: dx!, dxType: dxType! };
  });

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
  folder.remove();
});

describe("importDermamnist", () => {
  it("imports a subset with lesions grouped by lesion_id, resumes a larger subset, and re-running adds nothing", async () => {
    const { db } = database;
    const store = new LocalImageStore(folder.dir);
    // The configured minimum (64 px) is lowered to DermaMNIST's 28 px for this import.
    const first = await importDermamnist({ db, store, folder: DERMAMNIST_28_DIR, limit: 150, limits: DEFAULT_IMAGE_LIMITS });
    const lesionsIn = (n: number) => new Set(rows.slice(0, n).map((r) => r.lesionId)).size;
    expect(first).toMatchObject({ total: 150, imported: 150, skippedDuplicate: 0, rejected: [], lesionsCreated: lesionsIn(150) });

    const resumed = await importDermamnist({ db, store, folder: DERMAMNIST_28_DIR, limit: 250, limits: DEFAULT_IMAGE_LIMITS });
    expect(resumed).toMatchObject({ total: 250, imported: 100, skippedDuplicate: 150, rejected: [] });
    expect(await db.lesion.count()).toBe(lesionsIn(250));
    expect(await db.lesionImage.count()).toBe(250);

    const again = await importDermamnist({ db, store, folder: DERMAMNIST_28_DIR, limit: 250, limits: DEFAULT_IMAGE_LIMITS });
    expect(again).toMatchObject({ imported: 0, skippedDuplicate: 250, lesionsCreated: 0, outcomesCreated: 0 });
    expect(await db.lesionImage.count()).toBe(250);

    // Every outcome's confirmation is the CSV's dx_type; every lesion has exactly one.
    const outcomes = await db.biopsyOutcome.findMany({ select: { confirmation: true, histopathologyDiagnosis: true, lesion: { select: { externalId: true } } } });
    expect(outcomes).toHaveLength(lesionsIn(250));
    const byLesion = new Map(rows.slice(0, 250).map((r) => [`DERMAMNIST:${r.lesionId}`, r]));
    for (const outcome of outcomes) {
      const row = byLesion.get(outcome.lesion.externalId!)!;
      expect([outcome.confirmation, outcome.histopathologyDiagnosis]).toEqual([row.dxType, row.dx]);
    }
    // HAM_0001400 has two images among the first 250 rows: one lesion, two images.
    const twice = rows.slice(0, 250).filter((r) => r.lesionId === "HAM_0001400");
    expect(twice).toHaveLength(2);
    const lesion = await db.lesion.findUniqueOrThrow({ where: { externalId: "DERMAMNIST:HAM_0001400" }, include: { images: true, patient: true } });
    expect(lesion.images.map((i) => i.externalId).sort()).toEqual(twice.map((r) => `DERMAMNIST:${r.imageId}`).sort());
    expect(lesion.patient.mrn).toBe("DERMAMNIST-HAM_0001400");
  });
});
