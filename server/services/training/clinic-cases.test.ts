/**
 * Clinic cases meet the base data set as the same lesions: an imported HAM10000 lesion ("HAM:HAM_0000118") is the
 * base data set's "HAM_0000118", so it follows the base split (never the locked test part while its twin trains),
 * and an imported copy of a base image is not counted twice.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImageRecord } from "@/ml/data";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { LocalImageStore } from "../images/local-image-store";
import { hamSampleImage } from "../images/test-images";
import { loadClinicCases } from "./clinic-cases";
import { applyDeploymentSplits } from "./locked-split";

let database: TestDatabase;
const scratch = mkdtempSync(path.join(os.tmpdir(), "dermflag-clinic-cases-"));
const store = new LocalImageStore(path.join(scratch, "store"));

async function importedLesion(lesionExternalId: string, imageExternalId: string, index: number) {
  const { db } = database;
  const patient = await db.patient.create({ data: { mrn: `R-${index}`, name: `Research ${index}` } });
  const lesion = await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: "L", externalId: lesionExternalId } });
  const key = `img-${index}`;
  await store.put(key, hamSampleImage(index));
  await db.lesionImage.create({
    data: { lesionId: lesion.id, externalId: imageExternalId, contentHash: String(index).padStart(64, "c"), storageKey: key, width: 600, height: 450, mimeType: "image/jpeg", byteSize: 1 },
  });
  const clinician = await db.user.upsert({ where: { email: "c@x.example" }, create: { email: "c@x.example", name: "C", role: "DERMATOLOGIST", passwordHash: "x" }, update: {} });
  await db.biopsyOutcome.create({
    data: { lesionId: lesion.id, histopathologyDiagnosis: "mel", malignant: true, confirmation: "histo", reportDate: new Date("2026-11-01"), recordedById: clinician.id },
  });
  return lesion.id;
}

const baseRecord = (id: string, lesionId: string, split: ImageRecord["split"]): ImageRecord => ({
  id,
  file: `/base/${id}.jpg`,
  split,
  diagnosis: "nv",
  malignant: false,
  lesionId,
  dxType: "histo",
  age: null,
  sex: null,
  site: null,
});

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
  rmSync(scratch, { recursive: true, force: true });
});

describe("loadClinicCases", () => {
  it("matches imported lesions and images to the base data set by their data set ids, not DermFlag's namespaced ones", async () => {
    await importedLesion("HAM:HAM_0000118", "HAM:ISIC_0000001", 0);
    await importedLesion("HAM:HAM_0000119", "HAM:ISIC_0000002", 1);
    const base = [baseRecord("ISIC_0000001", "HAM_0000118", "train"), baseRecord("ISIC_0000003", "HAM_0000119", "train")];
    const clinic = await loadClinicCases({ db: database.db, store, dir: path.join(scratch, "cases"), baseImageIds: new Set(base.map((r) => r.id)) });
    // ISIC_0000001 is the base image itself: not counted twice.
    expect(clinic.alreadyInBase).toBe(1);
    expect(clinic.records.map((r) => r.lesionId)).toEqual(["HAM_0000119"]);
    // Its lesion trains in the base data set, so its clinic image trains too: whatever the salt, never the locked test part.
    for (const salt of ["a", "b", "c", "d", "e", "f"]) {
      const placed = applyDeploymentSplits({ base, clinic: clinic.records, salt });
      expect(placed.find((r) => r.id === clinic.records[0]!.id)?.split).toBe("train");
    }
  });
});
