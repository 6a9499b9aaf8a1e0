/**
 * The image store cannot be written (a read-only or broken mount, a full disk). An upload must be answered with a
 * clear server error (not a crash, and not a rejection that blames the picture), and nothing may be half-stored: no
 * LesionImage row, no audit entry, no blob. Importers stop with the filesystem's error and leave nothing partial;
 * a re-run once the store is fixed completes the import.
 *
 * Failures are real filesystem failures: a store folder nobody may write (unwritable-folder.ts), and a blob whose
 * final name is taken by a folder, so that the second of an image's three blobs fails after the first was written.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HAM10000_SAMPLE_DIR, SHARED_DATA_DIR } from "@/ml/data/shared-data";
import type { SessionUser } from "../auth/session";
import { uploadLesionImage, type UploadResult } from "../http/upload-lesion-image";
import { DEFAULT_IMAGE_LIMITS, imageBlobKeys, ingestImage, isImageRejectedError, LocalImageStore, prepareImage } from "../services/images";
import { importHam10000 } from "../services/imports";
import { executeImportRun } from "../services/imports/import-runs";
import { isicImage } from "../services/images/test-images";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { captureLogs } from "./capture-logs";
import { unwritableFolder, type UnwritableFolder } from "./unwritable-folder";

const scratch = path.join(os.tmpdir(), `dermflag-unwritable-${process.pid}-${Date.now()}`);
mkdirSync(scratch, { recursive: true });
const unwritable: UnwritableFolder = unwritableFolder(scratch);
// The admin's import path (executeImportRun) uses the configured store: point the configuration at the broken one.
process.env.IMAGE_STORE_DIR = unwritable.path;
process.env.SHARED_DATA_DIR = SHARED_DATA_DIR;

let database: TestDatabase;
let user: SessionUser;
let lesionId: string;
const hamImage = (index: number) => readFileSync(path.join(HAM10000_SAMPLE_DIR, "images", readdirSync(path.join(HAM10000_SAMPLE_DIR, "images")).sort()[index]!));

/** Every file under a folder (relative paths); none when the folder does not exist. */
function filesUnder(root: string): string[] {
  let entries;
  try {
    entries = readdirSync(root, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(root, path.join(entry.parentPath, entry.name))).sort();
}

async function expectNothingStored(storeRoot: string) {
  const { db } = database;
  expect(await db.lesionImage.count()).toBe(0);
  expect(await db.auditLog.count({ where: { entityType: { in: ["LesionImage", "Lesion", "Patient", "BiopsyOutcome"] }, action: { in: ["CREATE", "IMPORT"] } } })).toBe(0);
  expect(filesUnder(storeRoot)).toEqual([]);
}

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  const created = await db.user.create({ data: { email: "store@clinic.example", name: "Dr Store", role: "DERMATOLOGIST", passwordHash: "x" } });
  user = { id: created.id, email: created.email, name: created.name, role: "DERMATOLOGIST" };
  const patient = await db.patient.create({ data: { mrn: "STORE-1", name: "Store Patient" } });
  lesionId = (await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: "A" } })).id;
}, 60_000);

afterAll(async () => {
  await database?.drop();
  unwritable.release();
  rmSync(scratch, { recursive: true, force: true });
});

describe(`an unwritable image store (${unwritable.how})`, () => {
  it("answers an upload with a 500 that says the image could not be stored, and stores nothing", async () => {
    const logs = captureLogs();
    try {
      const response = await uploadLesionImage({
        request: new Request(`http://localhost/api/lesions/${lesionId}/images`, {
          method: "POST",
          body: hamImage(0),
          headers: { "content-type": "application/octet-stream" },
        }),
        user,
        lesionId,
        db: database.db,
        store: new LocalImageStore(unwritable.path),
        limits: DEFAULT_IMAGE_LIMITS,
      });
      const body = (await response.json()) as UploadResult;
      expect(response.status).toBe(500);
      expect(body).toEqual({ status: "error", message: "The image could not be stored because of a server problem. Try again." });
      // Logged for the operator with the system code (it is the store), without the request's data or paths.
      const failures = logs
        .text()
        .split("\n")
        .flatMap((line) => (line.startsWith("stderr: {") ? [JSON.parse(line.slice("stderr: ".length)) as Record<string, unknown>] : []))
        .filter((entry) => entry.msg === "upload failed");
      expect(failures).toEqual([
        expect.objectContaining({ level: "error", component: "images", err: expect.objectContaining({ type: expect.stringMatching(new RegExp(`^(${unwritable.codes.join("|")})$`)), code: expect.stringMatching(new RegExp(`^(${unwritable.codes.join("|")})$`)) }) }),
      ]);
      expect(logs.text()).not.toContain(unwritable.path);
      expect(logs.text()).not.toContain(lesionId);
    } finally {
      logs.restore();
    }
    await expectNothingStored(unwritable.path);
  });

  it("fails ingestImage with the filesystem's error, not as a rejected image", async () => {
    const failure = await ingestImage({ db: database.db, store: new LocalImageStore(unwritable.path), actorId: user.id, lesionId, bytes: hamImage(1) }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(isImageRejectedError(failure)).toBe(false);
    expect(unwritable.codes).toContain((failure as NodeJS.ErrnoException).code);
    await expectNothingStored(unwritable.path);
  });

  it("stops an import with the filesystem's error and imports nothing", async () => {
    const failure = await importHam10000({ db: database.db, store: new LocalImageStore(unwritable.path), folder: HAM10000_SAMPLE_DIR, limit: 12, limits: DEFAULT_IMAGE_LIMITS }).then(
      () => null,
      (error: unknown) => error as NodeJS.ErrnoException,
    );
    expect(unwritable.codes).toContain(failure?.code);
    // The message names the failing path inside the store, so an operator sees it is the store.
    expect(failure?.message).toContain(unwritable.path);
    expect(await database.db.patient.count({ where: { mrn: { startsWith: "HAM" } } })).toBe(0);
    expect(await database.db.lesion.count({ where: { externalId: { not: null } } })).toBe(0);
    expect(await database.db.biopsyOutcome.count()).toBe(0);
    await expectNothingStored(unwritable.path);
  });

  it("marks an import launched from the admin page FAILED, saying the storage failed, and imports nothing", async () => {
    const { db } = database;
    const run = await db.importRun.create({ data: { kind: "HAM10000", source: path.basename(HAM10000_SAMPLE_DIR), requestedById: user.id } });
    await expect(executeImportRun({ db, importRunId: run.id })).rejects.toThrow();
    const failed = await db.importRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(failed.status).toBe("FAILED");
    expect(failed.finishedAt).not.toBeNull();
    // The admin page says it is the storage, by its system code, without the server's paths.
    expect(failed.error).toMatch(new RegExp(`could not write or read its files \\((${unwritable.codes.join("|")})\\)`));
    expect(failed.error).not.toContain(unwritable.path);
    expect(failed.imported).toBe(0);
    expect(await db.lesion.count({ where: { externalId: { not: null } } })).toBe(0);
    await expectNothingStored(unwritable.path);
  });
});

describe("a store that fails part-way through an image's blobs", () => {
  /** A folder where the thumbnail of `bytes` should go: writing that blob then fails (EISDIR) after the original. */
  async function blockThumbnail(store: LocalImageStore, bytes: Uint8Array): Promise<() => void> {
    const { contentHash } = await prepareImage(bytes, DEFAULT_IMAGE_LIMITS);
    const obstacle = store.pathOf(imageBlobKeys(contentHash).thumbnail);
    mkdirSync(obstacle, { recursive: true });
    return () => rmSync(obstacle, { recursive: true });
  }

  it("removes the blob it had written when the next one fails, stores nothing, and succeeds once the store is fixed", async () => {
    const { db } = database;
    const store = new LocalImageStore(path.join(scratch, "partial-upload"));
    // Not one of the HAM10000 sample's pictures, which the import below stores.
    const bytes = isicImage();
    const unblock = await blockThumbnail(store, bytes);
    const failure = await ingestImage({ db, store, actorId: user.id, lesionId, bytes }).then(
      () => null,
      (error: unknown) => error as NodeJS.ErrnoException,
    );
    expect(failure?.code).toBe("EISDIR");
    unblock();
    await expectNothingStored(store.root);

    const stored = await ingestImage({ db, store, actorId: user.id, lesionId, bytes });
    expect(stored.status).toBe("created");
    expect(filesUnder(store.root)).toHaveLength(3);
    expect(await db.auditLog.count({ where: { entityType: "LesionImage", action: "CREATE" } })).toBe(1);
  });

  it("stops an import at the failing lesion: the lesions before it are whole, the rest absent; a re-run completes it", async () => {
    const { db } = database;
    const store = new LocalImageStore(path.join(scratch, "partial-import"));
    const rows = readFileSync(path.join(HAM10000_SAMPLE_DIR, "HAM10000_metadata.csv"), "utf8").trim().split(/\r?\n/).slice(1, 13);
    const blockedImageId = rows[6]!.split(",")[1]!;
    const unblock = await blockThumbnail(store, readFileSync(path.join(HAM10000_SAMPLE_DIR, "images", `${blockedImageId}.jpg`)));
    // One lesion at a time, so that "before" and "after" the failure are well defined.
    const options = { db, store, folder: HAM10000_SAMPLE_DIR, limit: rows.length, limits: DEFAULT_IMAGE_LIMITS, concurrency: 1 };
    const failure = await importHam10000(options).then(
      () => null,
      (error: unknown) => error as NodeJS.ErrnoException,
    );
    expect(failure?.code).toBe("EISDIR");

    const images = await db.lesionImage.findMany({ where: { externalId: { startsWith: "HAM:" } }, select: { id: true, contentHash: true, externalId: true, lesionId: true } });
    expect(images.length).toBeGreaterThan(0);
    expect(images.length).toBeLessThan(rows.length);
    expect(images.map((image) => image.externalId)).not.toContain(`HAM:${blockedImageId}`);
    // Whole: every stored image has its three blobs and its audit entry; every lesion has its images and outcome.
    const expectedBlobs = images.flatMap((image) => Object.values(imageBlobKeys(image.contentHash)));
    expect(filesUnder(store.root)).toEqual(expectedBlobs.map((key) => path.join(...key.split("/"))).sort());
    expect(await db.auditLog.count({ where: { entityType: "LesionImage", action: "IMPORT" } })).toBe(images.length);
    const lesions = await db.lesion.findMany({ where: { externalId: { not: null } }, select: { id: true, _count: { select: { images: true, biopsyOutcomes: true } } } });
    expect(lesions.filter((lesion) => lesion._count.images === 0 || lesion._count.biopsyOutcomes !== 1)).toEqual([]);
    expect(new Set(images.map((image) => image.lesionId))).toEqual(new Set(lesions.map((lesion) => lesion.id)));

    unblock();
    const summary = await importHam10000(options);
    expect(summary.rejected).toEqual([]);
    expect(summary.imported + summary.skippedDuplicate).toBe(rows.length);
    expect(await db.lesionImage.count({ where: { externalId: { startsWith: "HAM:" } } })).toBe(rows.length);
    expect(filesUnder(store.root)).toHaveLength(rows.length * 3);
  });
});
