import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { SessionUser } from "@/server/auth/session";
import { DEFAULT_IMAGE_LIMITS, LocalImageStore } from "@/server/services/images";
import { hamSampleImage, tempFolder } from "@/server/services/images/test-images";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { uploadLesionImage, type UploadResult } from "./upload-lesion-image";

let database: TestDatabase;
const folder = tempFolder("upload-route-");
const store = new LocalImageStore(path.join(folder.dir, "store"));
const limits = DEFAULT_IMAGE_LIMITS;
const user: SessionUser = { id: "", email: "derm@clinic.example", name: "Derm", role: "DERMATOLOGIST" };
let lesionId: string;
let otherLesionId: string;

function post(body: BodyInit | null, headers: Record<string, string> = { "content-type": "application/octet-stream" }) {
  return new Request(`http://localhost/api/lesions/${lesionId}/images`, { method: "POST", body, headers });
}

async function upload(request: Request, options: { as?: SessionUser | null; lesion?: string } = {}) {
  const response = await uploadLesionImage({
    request,
    user: options.as === undefined ? user : options.as,
    lesionId: options.lesion ?? lesionId,
    db: database.db,
    store,
    limits,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as UploadResult };
}

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  user.id = (await db.user.create({ data: { email: user.email, name: user.name, role: user.role, passwordHash: "x" } })).id;
  const patient = await db.patient.create({ data: { mrn: "U-1", name: "Upload Patient" } });
  lesionId = (await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: "A" } })).id;
  otherLesionId = (await db.lesion.create({ data: { patientId: patient.id, bodySite: "face", label: "B" } })).id;
});
afterAll(async () => {
  await database?.drop();
  folder.remove();
});

describe("uploadLesionImage", () => {
  it("stores a real dermoscopy image (201), then reports the same picture as a duplicate (200)", async () => {
    const bytes = hamSampleImage(3);
    const first = await upload(post(bytes));
    expect(first.status).toBe(201);
    expect(first.headers.get("cache-control")).toBe("private, no-store");
    if (first.body.status !== "created") throw new Error(`expected created, got ${JSON.stringify(first.body)}`);
    expect(first.body.image).toMatchObject({ width: 600, height: 450 });
    const row = await database.db.lesionImage.findUniqueOrThrow({ where: { id: first.body.image.id } });
    expect(row).toMatchObject({ lesionId, uploadedById: user.id });

    const again = await upload(post(bytes));
    expect(again).toMatchObject({ status: 200, body: { status: "duplicate", existingImageId: row.id, existingLesionId: lesionId, sameLesion: true } });
    const elsewhere = await upload(post(bytes), { lesion: otherLesionId });
    expect(elsewhere.body).toMatchObject({ status: "duplicate", existingLesionId: lesionId, sameLesion: false });
    expect(await database.db.lesionImage.count()).toBe(1);
  });

  it("refuses a text file named .jpg with 422, its code and a reason a person can read", async () => {
    const result = await upload(post(new TextEncoder().encode("these are my notes, not a picture\n")));
    expect(result.status).toBe(422);
    expect(result.body).toMatchObject({ status: "rejected", code: "UNSUPPORTED_TYPE" });
    if (result.body.status === "rejected") expect(result.body.reason).toMatch(/not a JPEG, PNG, BMP or TIFF image/);
  });

  it("refuses a file over the byte limit from its declared length, and while streaming when none is declared", async () => {
    let readDeclared = false;
    const unread = new ReadableStream<Uint8Array>({
      pull(controller) {
        readDeclared = true;
        controller.error(new Error("the body should not have been read"));
      },
    }, { highWaterMark: 0 });
    const declared = await upload(
      new Request("http://localhost/x", {
        method: "POST",
        body: unread,
        headers: { "content-type": "application/octet-stream", "content-length": String(limits.maxBytes + 1) },
        duplex: "half",
      } as RequestInit),
    );
    expect(declared).toMatchObject({ status: 422, body: { status: "rejected", code: "TOO_LARGE" } });
    expect(readDeclared).toBe(false);

    let pulled = 0;
    const chunk = new Uint8Array(1024 * 1024);
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const streamed = await upload(
      new Request("http://localhost/x", { method: "POST", body: endless, headers: { "content-type": "application/octet-stream" }, duplex: "half" } as RequestInit),
    );
    expect(streamed).toMatchObject({ status: 422, body: { status: "rejected", code: "TOO_LARGE" } });
    // It stopped reading soon after the limit instead of consuming the stream forever.
    expect(pulled).toBeLessThan(limits.maxBytes + 8 * chunk.byteLength);
  });

  it("refuses a body shorter than its declared length (a proxy cut it off)", async () => {
    const bytes = hamSampleImage(4).slice(0, 1000);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
    const request = new Request("http://localhost/x", {
      method: "POST",
      body: stream,
      headers: { "content-type": "application/octet-stream", "content-length": "250000" },
      duplex: "half",
    } as RequestInit);
    expect(await upload(request)).toMatchObject({ status: 422, body: { status: "rejected", code: "INCOMPLETE" } });
  });

  it("answers 401 without a session, 404 for an unknown lesion, 415 for a form post; nothing is stored", async () => {
    const bytes = hamSampleImage(5);
    const before = await database.db.lesionImage.count();
    expect((await upload(post(bytes), { as: null })).status).toBe(401);
    expect((await upload(post(bytes), { lesion: "no-such-lesion" })).status).toBe(404);
    expect((await upload(post(bytes), { lesion: "x".repeat(500) })).status).toBe(404);
    const form = new FormData();
    form.set("file", new Blob([bytes]), "photo.jpg");
    expect((await upload(post(form, {}))).status).toBe(415);
    expect(await database.db.lesionImage.count()).toBe(before);
  });

  it("never logs request data when the server fails", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const failingStore = { ...store, put: () => Promise.reject(new Error("disk full at /srv/Jane Doe.jpg")), has: () => Promise.resolve(false), get: store.get.bind(store), delete: () => Promise.resolve() };
    const response = await uploadLesionImage({ request: post(hamSampleImage(6)), user, lesionId, db: database.db, store: failingStore, limits });
    expect(response.status).toBe(500);
    expect(JSON.stringify(await response.json())).not.toContain("Jane");
    expect(errors.mock.calls.flat().join(" ")).not.toContain("Jane");
    errors.mockRestore();
  });
});
