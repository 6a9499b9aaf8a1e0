import { readdirSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeToRgb } from "@/ml/data/decode";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { ImageRejectedError } from "./image-rejected-error";
import { DEFAULT_IMAGE_LIMITS } from "./image-limits";
import { ingestImage, LesionNotFoundError } from "./ingest-image";
import { LocalImageStore } from "./local-image-store";
import { modelInputPixels } from "./model-input";
import { imageBlobKeys } from "./storage-keys";
import { hamSampleImage, tempFolder } from "./test-images";

let database: TestDatabase;
const folder = tempFolder("ingest-image-");
const limits = { ...DEFAULT_IMAGE_LIMITS, minDimension: 16 };
let actorId: string;
let lesionId: string;

function storedFiles(store: LocalImageStore): string[] {
  try {
    return readdirSync(store.root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(store.root, path.join(entry.parentPath, entry.name)))
      .sort();
  } catch {
    return [];
  }
}

let storeCount = 0;
function freshStore(): LocalImageStore {
  storeCount += 1;
  return new LocalImageStore(path.join(folder.dir, `store-${storeCount}`));
}

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  const user = await db.user.create({
    data: { email: "intake@clinic.example", name: "Intake Nurse", role: "DERMATOLOGIST", passwordHash: "x" },
  });
  actorId = user.id;
  const patient = await db.patient.create({ data: { mrn: "MRN-1", name: "Test Patient" } });
  lesionId = (await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: "A" } })).id;
});

afterAll(async () => {
  await database?.drop();
  folder.remove();
});

describe("ingestImage", () => {
  it("stores the blobs, the row and an audit entry, and detects the same image uploaded again", async () => {
    const { db } = database;
    const store = freshStore();
    const upload = hamSampleImage(10);
    const first = await ingestImage({ db, store, actorId, lesionId, bytes: upload, originalName: "IMG_0001.JPG", limits });
    if (first.status !== "created") throw new Error("expected a new image");
    const keys = imageBlobKeys(first.image.contentHash);
    expect(first.image).toMatchObject({ lesionId, width: 600, height: 450, mimeType: "image/png", storageKey: keys.original });
    expect(storedFiles(store)).toEqual([keys.modelView, keys.original, keys.thumbnail].sort());
    expect(first.image.byteSize).toBe((await store.get(keys.original)).length);

    const row = await db.lesionImage.findUniqueOrThrow({ where: { id: first.image.id } });
    expect(row.uploadedById).toBe(actorId);
    const audit = await db.auditLog.findMany({ where: { entityType: "LesionImage", entityId: first.image.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "CREATE", actorId });
    // The original name is never stored: file names carry patients' names.
    expect(JSON.stringify(audit[0]!.after)).not.toContain("IMG_0001");

    const again = await ingestImage({ db, store, actorId, lesionId, bytes: upload, limits });
    expect(again).toEqual({ status: "duplicate", existingImageId: first.image.id, existingLesionId: lesionId });
    expect(await db.lesionImage.count({ where: { contentHash: first.image.contentHash } })).toBe(1);
    expect(await db.auditLog.count({ where: { entityType: "LesionImage", entityId: first.image.id } })).toBe(1);
  });

  it("keeps the capture date, strips EXIF and GPS from the stored file, and lets a typed date win", async () => {
    const { db } = database;
    const store = freshStore();
    const withGps = await sharp({ create: { width: 90, height: 70, channels: 3, background: "#9a5a3a" } })
      .jpeg({ quality: 95 })
      .withExif({
        IFD0: { Make: "DermaCam" },
        IFD2: { DateTimeOriginal: "2020:10:11 12:13:14" },
        IFD3: { GPSLatitudeRef: "N", GPSLatitude: "48/1 12/1 0/1", GPSLongitudeRef: "E", GPSLongitude: "16/1 22/1 0/1" },
      })
      .toBuffer();
    const upload = folder.write("gps.jpg", withGps);
    const result = await ingestImage({ db, store, actorId, lesionId, bytes: upload, limits });
    if (result.status !== "created") throw new Error("expected a new image");
    expect(result.image.capturedAt?.toISOString()).toBe("2020-10-11T12:13:14.000Z");
    const onDisk = await sharp(store.pathOf(result.image.storageKey)).metadata();
    expect(onDisk.exif).toBeUndefined();
    expect(onDisk.xmp).toBeUndefined();

    const typed = new Date("2024-02-03T04:05:06Z");
    const other = await sharp({ create: { width: 90, height: 70, channels: 3, background: "#5a3a9a" } }).jpeg().toBuffer();
    const override = await ingestImage({ db, store, actorId, lesionId, bytes: other, capturedAt: typed, limits });
    expect(override.status === "created" && override.image.capturedAt?.toISOString()).toBe(typed.toISOString());
  });

  it("refuses a bad file with its reason and stores nothing", async () => {
    const { db } = database;
    const store = freshStore();
    const before = await db.lesionImage.count();
    const note = folder.write("mole.jpg", "not an image at all, just a note\n");
    const error = await ingestImage({ db, store, actorId, lesionId, bytes: note, originalName: "mole.jpg", limits }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageRejectedError);
    expect(error).toMatchObject({ code: "UNSUPPORTED_TYPE", reason: "mole.jpg: This file is text, not a JPEG, PNG, BMP or TIFF image." });
    expect(storedFiles(store)).toEqual([]);
    expect(await db.lesionImage.count()).toBe(before);
  });

  it("leaves nothing behind when the database write fails after the blobs were written", async () => {
    const { db } = database;
    const store = freshStore();
    const before = { images: await db.lesionImage.count(), audit: await db.auditLog.count() };
    // An uploader id that is not a user: the row insert fails on its foreign key, after the blobs are on disk.
    const error = await ingestImage({ db, store, actorId: "no-such-user", lesionId, bytes: hamSampleImage(11), limits }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ImageRejectedError);
    expect(storedFiles(store)).toEqual([]);
    expect(await db.lesionImage.count()).toBe(before.images);
    expect(await db.auditLog.count()).toBe(before.audit);
  });

  it("refuses an unknown lesion before writing anything", async () => {
    const { db } = database;
    const store = freshStore();
    await expect(ingestImage({ db, store, actorId, lesionId: "no-such-lesion", bytes: hamSampleImage(12), limits })).rejects.toBeInstanceOf(
      LesionNotFoundError,
    );
    expect(storedFiles(store)).toEqual([]);
  });

  it("stores one image when the same picture is uploaded concurrently", async () => {
    const { db } = database;
    const store = freshStore();
    const upload = hamSampleImage(13);
    const results = await Promise.all(Array.from({ length: 4 }, () => ingestImage({ db, store, actorId, lesionId, bytes: upload, limits })));
    const created = results.filter((r) => r.status === "created");
    expect(created).toHaveLength(1);
    const id = created[0]!.status === "created" ? created[0]!.image.id : "";
    for (const r of results) if (r.status === "duplicate") expect(r.existingImageId).toBe(id);
    expect(storedFiles(store)).toHaveLength(3);
  });

  it("gives the model the ml decoder's view of the uploaded pixels, exactly", async () => {
    const { db } = database;
    const store = freshStore();
    const upload = hamSampleImage(14);
    const result = await ingestImage({ db, store, actorId, lesionId, bytes: upload, limits });
    if (result.status !== "created") throw new Error("expected a new image");
    const pixels = await modelInputPixels(store, result.image.storageKey, 28);
    expect(pixels).toHaveLength(28 * 28 * 3);
    // The upload, fully decoded then run through the ml decoder. (Not decodeToRgb(upload): on a JPEG, libvips then
    // downsizes in the DCT domain while decoding, which differs by ~3 grey levels at 28 px; see model-input.ts.)
    const fullyDecoded = await sharp(upload).png().toBuffer();
    expect(Buffer.from(pixels).equals(Buffer.from(await decodeToRgb(fullyDecoded, 28)))).toBe(true);
  });
});
