import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { SessionUser } from "@/server/auth/session";
import { DEFAULT_IMAGE_LIMITS, LocalImageStore } from "@/server/services/images";
import { hamSampleImage, tempFolder } from "@/server/services/images/test-images";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { DecodeLimiter } from "@/server/services/images/decode-limiter";
import { prepareImage } from "@/server/services/images/prepare-image";
import { uploadLesionImage, type UploadResult } from "./upload-lesion-image";

// The real decoder, instrumented: how often it runs and how many run at once.
const decoder = vi.hoisted(() => ({ calls: 0, inFlight: 0, peak: 0 }));
vi.mock("@/server/services/images/prepare-image", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/server/services/images/prepare-image")>();
  return {
    ...actual,
    prepareImage: vi.fn(async (...args: Parameters<typeof actual.prepareImage>) => {
      decoder.calls += 1;
      decoder.inFlight += 1;
      decoder.peak = Math.max(decoder.peak, decoder.inFlight);
      try {
        return await actual.prepareImage(...args);
      } finally {
        decoder.inFlight -= 1;
      }
    }),
  };
});

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

async function upload(request: Request, options: { as?: SessionUser | null; lesion?: string; decodeLimiter?: DecodeLimiter } = {}) {
  const response = await uploadLesionImage({
    request,
    user: options.as === undefined ? user : options.as,
    lesionId: options.lesion ?? lesionId,
    db: database.db,
    store,
    limits,
    decodeLimiter: options.decodeLimiter ?? new DecodeLimiter(),
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

  it("recognises a re-upload of the same file as a duplicate without decoding it", async () => {
    const bytes = hamSampleImage(7);
    expect((await upload(post(bytes))).status).toBe(201);
    const decodesBefore = decoder.calls;
    expect(await upload(post(bytes))).toMatchObject({ status: 200, body: { status: "duplicate", sameLesion: true } });
    expect(await upload(post(bytes), { lesion: otherLesionId })).toMatchObject({ status: 200, body: { status: "duplicate", sameLesion: false } });
    expect(decoder.calls).toBe(decodesBefore);
    expect(vi.mocked(prepareImage)).toHaveBeenCalled();
  });

  it("still finds the same picture in a different file (other metadata) after decoding it", async () => {
    const bytes = hamSampleImage(8);
    expect((await upload(post(bytes))).status).toBe(201);
    // A JPEG comment segment right after the SOI marker: different bytes, the same pixels.
    const comment = new TextEncoder().encode("another copy");
    const marked = new Uint8Array([...bytes.slice(0, 2), 0xff, 0xfe, 0, comment.length + 2, ...comment, ...bytes.slice(2)]);
    const decodesBefore = decoder.calls;
    expect(await upload(post(marked))).toMatchObject({ status: 200, body: { status: "duplicate" } });
    expect(decoder.calls).toBe(decodesBefore + 1);
  });

  it("never runs more decodes at once than the limiter allows, across users", async () => {
    const other: SessionUser = { id: (await database.db.user.create({ data: { email: "other@clinic.example", name: "Other", role: "DERMATOLOGIST", passwordHash: "x" } })).id, email: "other@clinic.example", name: "Other", role: "DERMATOLOGIST" };
    const limiter = new DecodeLimiter({ maxConcurrent: 2, maxPerUser: 8, maxAdmitted: 16 });
    decoder.peak = 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => upload(post(hamSampleImage(10 + i)), { as: i % 2 === 0 ? user : other, decodeLimiter: limiter })),
    );
    expect(results.map((result) => result.status)).toEqual(Array(10).fill(201));
    expect(decoder.peak).toBe(2);
    expect(limiter.usage).toEqual({ admitted: 0, running: 0, waiting: 0 });
  });

  it("answers 429 to a user with too many uploads in progress and 503 when the server is full, before reading the body", async () => {
    const other: SessionUser = { ...user, id: (await database.db.user.create({ data: { email: "third@clinic.example", name: "Third", role: "DERMATOLOGIST", passwordHash: "x" } })).id };
    const limiter = new DecodeLimiter({ maxConcurrent: 1, maxPerUser: 1, maxAdmitted: 2 });
    // An upload whose body is still arriving holds its admission.
    let finish!: () => void;
    const bytes = hamSampleImage(20);
    const slow = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(bytes.slice(0, 1000));
        await new Promise<void>((resolve) => (finish = resolve));
        controller.enqueue(bytes.slice(1000));
        controller.close();
      },
    });
    const first = upload(new Request("http://localhost/x", { method: "POST", body: slow, headers: { "content-type": "application/octet-stream" }, duplex: "half" } as RequestInit), { decodeLimiter: limiter });

    let read = false;
    const unread = new ReadableStream<Uint8Array>({ pull: () => void (read = true) }, { highWaterMark: 0 });
    const second = await upload(new Request("http://localhost/x", { method: "POST", body: unread, headers: { "content-type": "application/octet-stream" }, duplex: "half" } as RequestInit), { decodeLimiter: limiter });
    expect(second).toMatchObject({ status: 429, body: { status: "error" } });
    expect(second.headers.get("retry-after")).toBe("5");
    expect(read).toBe(false);

    const third = upload(post(hamSampleImage(21)), { as: other, decodeLimiter: limiter });
    const fourth = { ...user, id: "someone-else" };
    const full = await upload(post(hamSampleImage(22)), { as: fourth, decodeLimiter: limiter });
    expect(full).toMatchObject({ status: 503, body: { status: "error" } });
    expect(full.headers.get("retry-after")).toBe("5");

    finish();
    expect((await first).status).toBe(201);
    expect((await third).status).toBe(201);
    expect(limiter.usage).toEqual({ admitted: 0, running: 0, waiting: 0 });
    expect((await upload(post(hamSampleImage(22)), { decodeLimiter: limiter })).status).toBe(201);
  });

  it("refuses an upload from another origin with 403 and passes a same-origin one", async () => {
    const bytes = hamSampleImage(23);
    const from = (headers: Record<string, string>) => post(bytes, { "content-type": "application/octet-stream", ...headers });
    const before = await database.db.lesionImage.count();
    expect((await upload(from({ "sec-fetch-site": "cross-site", origin: "https://evil.example" }))).status).toBe(403);
    expect((await upload(from({ origin: "https://evil.example", host: "localhost" }))).status).toBe(403);
    expect(await database.db.lesionImage.count()).toBe(before);
    expect((await upload(from({ "sec-fetch-site": "same-origin", origin: "http://localhost" }))).status).toBe(201);
  });

  it("answers 400 to a NUL in the lesion id, not a database error", async () => {
    expect((await upload(post(hamSampleImage(24)), { lesion: "abc\u0000" })).status).toBe(400);
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
