import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "@/server/auth/session";
import { ingestImage, LocalImageStore, thumbnailKey, type ImageStore } from "@/server/services/images";
import { hamSampleImage, tempFolder } from "@/server/services/images/test-images";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { imageUrl } from "./image-url";
import { serveLesionImage } from "./serve-lesion-image";

let database: TestDatabase;
const folder = tempFolder("image-route-");
const store = new LocalImageStore(path.join(folder.dir, "store"));
const user: SessionUser = { id: "", email: "derm@clinic.example", name: "Derm", role: "DERMATOLOGIST" };
let imageId: string;
let contentHash: string;

const serve = (
  variant: string | null,
  options: { id?: string; as?: SessionUser | null; cacheSeconds?: number; ifNoneMatch?: string; store?: ImageStore } = {},
) =>
  serveLesionImage({
    user: options.as === undefined ? user : options.as,
    imageId: options.id ?? imageId,
    variant,
    db: database.db,
    store: options.store ?? store,
    browserCacheSeconds: options.cacheSeconds ?? 0,
    ifNoneMatch: options.ifNoneMatch,
  });

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  user.id = (await db.user.create({ data: { email: user.email, name: user.name, role: user.role, passwordHash: "x" } })).id;
  const patient = await db.patient.create({ data: { mrn: "I-1", name: "Jane Example" } });
  const lesionId = (await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: "A" } })).id;
  const result = await ingestImage({ db, store, actorId: user.id, lesionId, bytes: hamSampleImage(7) });
  if (result.status !== "created") throw new Error("expected a new image");
  imageId = result.image.id;
  contentHash = result.image.contentHash;
});
afterAll(async () => {
  await database?.drop();
  folder.remove();
});

describe("serveLesionImage", () => {
  it("serves each variant with its real type, inline under a generic name; with browser caching off, never kept", async () => {
    for (const [variant, type, format, size] of [
      ["thumbnail", "image/jpeg", "jpeg", [256, 192]],
      ["original", "image/png", "png", [600, 450]],
      ["model", "image/png", "png", [224, 224]],
    ] as const) {
      const response = await serve(variant);
      expect(response.status, variant).toBe(200);
      expect(response.headers.get("content-type")).toBe(type);
      expect(response.headers.get("cache-control")).toBe("private, no-store");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      const disposition = response.headers.get("content-disposition") ?? "";
      expect(disposition).toMatch(/^inline; filename="lesion-image[a-z-]*\.(png|jpg)"$/);
      expect(disposition).not.toContain("Jane");
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect(Number(response.headers.get("content-length"))).toBe(bytes.byteLength);
      const meta = await sharp(bytes).metadata();
      expect([meta.format, meta.width, meta.height], variant).toEqual([format, ...size]);
    }
    const thumbnail = new Uint8Array(await (await serve("thumbnail")).arrayBuffer());
    expect(thumbnail).toEqual(await store.get(thumbnailKey(contentHash)));
  });

  it("lets the signed-in browser keep an image for the configured time, then answers its revalidation with 304 without reading the store", async () => {
    let reads = 0;
    const counting: ImageStore = Object.assign(Object.create(store) as ImageStore, {
      get: (key: string) => {
        reads += 1;
        return store.get(key);
      },
    });
    const first = await serve("thumbnail", { cacheSeconds: 1800, store: counting });
    expect(first.status).toBe(200);
    // private: never in a shared cache; immutable: the bytes behind this URL never change.
    expect(first.headers.get("cache-control")).toBe("private, max-age=1800, immutable");
    const etag = first.headers.get("etag")!;
    expect(etag).toBe(`"${contentHash}.thumbnail"`);
    expect(reads).toBe(1);

    const again = await serve("thumbnail", { cacheSeconds: 1800, store: counting, ifNoneMatch: `"other", W/${etag}` });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
    expect(await again.arrayBuffer()).toHaveProperty("byteLength", 0);
    expect(reads).toBe(1);
    // Another variant has another tag; and the checks come first: no session, no 304.
    expect((await serve("original", { cacheSeconds: 1800, store: counting, ifNoneMatch: etag })).status).toBe(200);
    expect((await serve("thumbnail", { cacheSeconds: 1800, ifNoneMatch: etag, as: null })).status).toBe(401);
    // Caching off: no-store and no tag, whatever the browser sends.
    const off = await serve("thumbnail", { ifNoneMatch: etag });
    expect([off.status, off.headers.get("cache-control"), off.headers.get("etag")]).toEqual([200, "private, no-store", null]);
  });

  it("serves the original when no variant is given, and refuses an unknown variant", async () => {
    expect((await serve(null)).headers.get("content-type")).toBe("image/png");
    expect((await serve("exif")).status).toBe(400);
  });

  it("answers 401 without a session and 404 for an unknown or malformed id", async () => {
    expect((await serve("thumbnail", { as: null })).status).toBe(401);
    expect((await serve("thumbnail", { id: "ckunknownimageid000000000" })).status).toBe(404);
    expect((await serve("thumbnail", { id: "../../etc/passwd".repeat(10) })).status).toBe(404);
  });

  it("answers 403 while an admin's password reset is still to be replaced, as pages and procedures do", async () => {
    const response = await serve("original", { as: { ...user, mustChangePassword: true } });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: "Choose a new password first." });
  });

  it("answers 400 to a NUL in the image id, not a database error", async () => {
    expect((await serve("thumbnail", { id: `${imageId}\u0000` })).status).toBe(400);
  });

  it("answers 404 when the row exists but its file is gone", async () => {
    const lonely = await database.db.lesionImage.create({
      data: {
        lesionId: (await database.db.lesion.findFirstOrThrow()).id,
        contentHash: "f".repeat(64),
        storageKey: `ff/ff/${"f".repeat(64)}.png`,
        width: 1,
        height: 1,
        mimeType: "image/png",
        byteSize: 1,
      },
    });
    const original = console.error;
    console.error = () => undefined;
    try {
      expect((await serve("thumbnail", { id: lonely.id })).status).toBe(404);
    } finally {
      console.error = original;
    }
  });

  it("builds the URLs the pages use", () => {
    expect(imageUrl("abc", "thumbnail")).toBe("/api/images/abc?variant=thumbnail");
  });

  it("logs each full image opened in the access log, not each thumbnail", async () => {
    const views = () => database.db.auditLog.findMany({ where: { action: "VIEW", actorId: user.id }, select: { entityType: true, after: true } });
    const before = (await views()).length;
    expect((await serve("thumbnail")).status).toBe(200);
    expect(await views()).toHaveLength(before);
    expect((await serve("original")).status).toBe(200);
    const after = await views();
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)).toEqual({ entityType: "Patient", after: { opened: "image", record: imageId } });
  });
});
