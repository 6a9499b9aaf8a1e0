/**
 * Both image stores against one contract, the S3 store against a real S3-compatible HTTP server (s3rver, in this
 * process, on a free port of 127.0.0.1, its data in a temp folder), then the upload pipeline on the S3 store.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import type { IncomingHttpHeaders, Server } from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "@/server/env";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { createImageStore } from "./create-image-store";
import { DEFAULT_IMAGE_LIMITS } from "./image-limits";
import { ImageBlobNotFoundError, type ImageStore } from "./image-store";
import { ingestImage } from "./ingest-image";
import { LocalImageStore } from "./local-image-store";
import { S3ImageStore, S3ImageStoreError, type S3ImageStoreOptions } from "./s3-image-store";
import { imageBlobKeys } from "./storage-keys";
import { hamSampleImage, tempFolder } from "./test-images";

// s3rver ships no type declarations: the part of its API used here.
interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  httpServer: Server;
}
type S3rverConstructor = new (options: { address: string; port: number; silent: boolean; directory: string }) => S3rverInstance;
const S3rver = createRequire(import.meta.url)("s3rver") as S3rverConstructor;

const BUCKET = "dermflag-images";
// s3rver's built-in account; it checks request signatures against it.
const CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

const folder = tempFolder("s3-image-store-");
const s3rverDir = path.join(folder.dir, "s3rver");
let server: S3rverInstance;
let endpoint: string;
let rawClient: S3Client;
/** Headers of every request s3rver received, to see what the store sent. */
const received: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
const stores: S3ImageStore[] = [];

function s3Store(options: Partial<S3ImageStoreOptions> = {}): S3ImageStore {
  const store = new S3ImageStore({ bucket: BUCKET, endpoint, forcePathStyle: true, credentials: CREDENTIALS, ...options });
  stores.push(store);
  return store;
}

async function objectKeys(prefix = ""): Promise<string[]> {
  const listing = await rawClient.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (listing.Contents ?? []).map((object) => object.Key ?? "").sort();
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

beforeAll(async () => {
  server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: s3rverDir });
  const { port } = await server.run();
  server.httpServer.prependListener("request", (request: { method?: string; url?: string; headers: IncomingHttpHeaders }) => {
    received.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers });
  });
  endpoint = `http://127.0.0.1:${port}`;
  rawClient = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials: CREDENTIALS });
  await rawClient.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  rawClient?.destroy();
  await server?.close();
  folder.remove();
});

let storeCount = 0;
const implementations: { name: string; create: () => ImageStore }[] = [
  { name: "LocalImageStore", create: () => new LocalImageStore(path.join(folder.dir, `local-${++storeCount}`)) },
  { name: "S3ImageStore on s3rver", create: () => s3Store({ prefix: `contract-${++storeCount}` }) },
];

describe.each(implementations)("$name (the ImageStore contract)", ({ create }) => {
  const image = hamSampleImage(0);
  const key = imageBlobKeys(sha256(image)).original;

  it("round-trips a real dermoscopy image byte for byte", async () => {
    const store = create();
    expect(await store.has(key)).toBe(false);
    expect(await store.put(key, image)).toEqual({ created: true });
    expect(await store.has(key)).toBe(true);
    const back = await store.get(key);
    expect(back.length).toBe(image.length);
    expect(Buffer.from(back).equals(Buffer.from(image))).toBe(true);
  });

  it("never rewrites an existing key: a second put reports created false and keeps the first bytes", async () => {
    const store = create();
    expect(await store.put(key, image)).toEqual({ created: true });
    expect(await store.put(key, image)).toEqual({ created: false });
    expect(await store.put(key, new Uint8Array([1, 2, 3]))).toEqual({ created: false });
    expect(sha256(await store.get(key))).toBe(sha256(image));
  });

  it("throws ImageBlobNotFoundError for a missing key", async () => {
    const store = create();
    const missing = imageBlobKeys("0f".repeat(32)).thumbnail;
    const error = await store.get(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageBlobNotFoundError);
    expect(error).toMatchObject({ key: missing });
  });

  it("deletes a blob, and deleting an absent key is not an error", async () => {
    const store = create();
    await store.put(key, image);
    await store.delete(key);
    expect(await store.has(key)).toBe(false);
    await expect(store.get(key)).rejects.toBeInstanceOf(ImageBlobNotFoundError);
    await expect(store.delete(key)).resolves.toBeUndefined();
  });

  it("refuses unsafe keys in every operation", async () => {
    const store = create();
    for (const unsafe of ["../outside.png", "/etc/passwd", "ab/../../x", "a\\b", "", "ab//cd", "./x"]) {
      await expect(store.put(unsafe, new Uint8Array([1]))).rejects.toThrow(/unsafe image store key/);
      await expect(store.get(unsafe)).rejects.toThrow(/unsafe image store key/);
      await expect(store.has(unsafe)).rejects.toThrow(/unsafe image store key/);
      await expect(store.delete(unsafe)).rejects.toThrow(/unsafe image store key/);
    }
  });

  it("serves concurrent writers of the same key without corruption", async () => {
    const store = create();
    const results = await Promise.all(Array.from({ length: 6 }, () => store.put(key, image)));
    expect(results.some((result) => result.created)).toBe(true);
    expect(sha256(await store.get(key))).toBe(sha256(image));
  });
});

describe("S3ImageStore", () => {
  const image = hamSampleImage(1);
  const keys = imageBlobKeys(sha256(image));

  it("stores every key under its prefix, and at the bucket root without one", async () => {
    await s3Store({ prefix: "/clinic-a/images/" }).put(keys.original, image);
    expect(await objectKeys("clinic-a/")).toEqual([`clinic-a/images/${keys.original}`]);

    const rootStore = s3Store();
    await rootStore.put(keys.thumbnail, image);
    expect(await objectKeys(keys.thumbnail)).toEqual([keys.thumbnail]);
    await rootStore.delete(keys.thumbnail);
    expect(await objectKeys(keys.thumbnail)).toEqual([]);
  });

  it("refuses a prefix that could escape or collide", () => {
    for (const prefix of ["a/../b", "a//b", "a\\b", "."]) {
      expect(() => s3Store({ prefix })).toThrow(/unsafe S3 key prefix/);
    }
  });

  it("sends Content-MD5 (for the server to refuse a damaged upload) and the SHA-256 of the bytes", async () => {
    const store = s3Store({ prefix: "checksums" });
    await store.put(keys.modelView, image);
    const put = received.find((request) => request.method === "PUT" && request.url.split("?")[0]!.endsWith(`/checksums/${keys.modelView}`));
    expect(put?.headers["content-md5"]).toBe(createHash("md5").update(image).digest("base64"));
    expect(put?.headers["x-amz-meta-sha256"]).toBe(sha256(image));
    expect(put?.headers["content-type"]).toBe("image/png");
    // WHEN_REQUIRED: none of the SDK's default flexible checksums, which some S3-compatible servers refuse.
    expect(Object.keys(put?.headers ?? {}).filter((name) => name.startsWith("x-amz-checksum-") || name === "x-amz-sdk-checksum-algorithm")).toEqual([]);
  });

  it("refuses to return bytes that changed after they were stored", async () => {
    const store = s3Store({ prefix: "tampered" });
    await store.put(keys.original, image);
    // s3rver keeps each object in a file beside its metadata; flip one byte of it, as a failing disk would.
    const file = path.join(s3rverDir, BUCKET, "tampered", ...keys.original.split("/")) + "._S3rver_object";
    const stored = readFileSync(file);
    const middle = stored.length >> 1;
    stored[middle] = stored[middle]! ^ 0xff;
    writeFileSync(file, stored);
    const error = await store.get(keys.original).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3ImageStoreError);
    expect((error as Error).message).toMatch(/do not match the SHA-256/);
  });

  it("serves objects written by other tools, which carry no SHA-256 metadata", async () => {
    const store = s3Store({ prefix: "copied-in" });
    await rawClient.send(new PutObjectCommand({ Bucket: BUCKET, Key: `copied-in/${keys.original}`, Body: image }));
    expect(await store.has(keys.original)).toBe(true);
    expect(sha256(await store.get(keys.original))).toBe(sha256(image));
  });

  it("reports a missing bucket as an error naming it, not as a missing image", async () => {
    const store = s3Store({ bucket: "no-such-bucket" });
    const read = await store.get(keys.original).catch((e: unknown) => e);
    expect(read).toBeInstanceOf(S3ImageStoreError);
    expect((read as Error).message).toMatch(/^S3 GetObject s3:\/\/no-such-bucket\/.* failed: NoSuchBucket \(HTTP 404\)/);
    const write = await store.put(keys.original, image).catch((e: unknown) => e);
    expect(write).toBeInstanceOf(S3ImageStoreError);
    expect((write as Error).message).toMatch(/PutObject .* failed: NoSuchBucket/);
  });

  it("lets authentication failures through instead of calling the object absent", async () => {
    // s3rver checks the access key id (it does not verify SigV4 signatures): an unknown one is refused with 403.
    const store = s3Store({ credentials: { accessKeyId: "NOT-A-KEY", secretAccessKey: "wrong-secret" } });
    for (const call of [() => store.get(keys.original), () => store.has(keys.original), () => store.put(keys.original, image)]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(S3ImageStoreError);
      expect((error as Error).message).toMatch(/failed: .*\(HTTP 403\)/);
    }
  });

  it("is what createImageStore builds from IMAGE_STORE=s3 and the S3_* variables", async () => {
    const config = parseEnv({
      IMAGE_STORE: "s3",
      S3_BUCKET: BUCKET,
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: "true",
      S3_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      S3_PREFIX: "from-env",
    });
    const store = createImageStore(config);
    expect(store).toBeInstanceOf(S3ImageStore);
    stores.push(store as S3ImageStore);
    expect(await store.put(keys.original, image)).toEqual({ created: true });
    expect(await objectKeys("from-env/")).toEqual([`from-env/${keys.original}`]);
    expect(createImageStore(parseEnv({ DATA_DIR: folder.dir }))).toBeInstanceOf(LocalImageStore);
  });
});

describe("the local default", () => {
  it("never loads the S3 SDK", async () => {
    const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
    const script = path.join(folder.dir, "load-check.mts");
    // Run in a fresh process: this test file itself loads the SDK.
    writeFileSync(
      script,
      `import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
const require = createRequire(${JSON.stringify(path.join(repoRoot, "package.json"))});
const sdkLoaded = () => Object.keys(require.cache).some((file) => file.includes("/@aws-sdk/"));
const { createImageStoreFromEnv } = await import(${JSON.stringify(path.join(repoRoot, "server/services/images/create-image-store.ts"))});
const store = createImageStoreFromEnv();
await store.put("ab/cd/blob.png", new Uint8Array([1, 2, 3]));
const afterLocalUse = sdkLoaded();
await import(pathToFileURL(require.resolve("@aws-sdk/client-s3")).href);
console.log(JSON.stringify({ store: store.constructor.name, afterLocalUse, afterImport: sdkLoaded() }));
`,
    );
    const childEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(S3_|IMAGE_STORE)/.test(name)));
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script], {
      cwd: repoRoot,
      env: { ...childEnv, NODE_ENV: "test", DATA_DIR: path.join(folder.dir, "child-data") },
    });
    // afterImport is the control: it shows the check does see the SDK once it is loaded.
    expect(JSON.parse(stdout.trim().split("\n").at(-1) ?? "")).toEqual({ store: "LocalImageStore", afterLocalUse: false, afterImport: true });
  });
});

describe("ingestImage on the S3 store", () => {
  let database: TestDatabase;
  let actorId: string;
  let lesionId: string;
  const limits = { ...DEFAULT_IMAGE_LIMITS, minDimension: 16 };

  beforeAll(async () => {
    database = await createTestDatabase();
    const { db } = database;
    actorId = (await db.user.create({ data: { email: "intake@clinic.example", name: "Intake Nurse", role: "DERMATOLOGIST", passwordHash: "x" } })).id;
    const patient = await db.patient.create({ data: { mrn: "MRN-S3", name: "Test Patient" } });
    lesionId = (await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: "A" } })).id;
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("stores an uploaded image whose bytes come back through the store", async () => {
    const store = s3Store({ prefix: "ingest" });
    const result = await ingestImage({ db: database.db, store, actorId, lesionId, bytes: hamSampleImage(2), limits });
    if (result.status !== "created") throw new Error("expected a new image");
    const blobKeys = imageBlobKeys(result.image.contentHash);
    expect(await objectKeys("ingest/")).toEqual([blobKeys.modelView, blobKeys.original, blobKeys.thumbnail].map((key) => `ingest/${key}`).sort());

    const original = await store.get(result.image.storageKey);
    expect(original.length).toBe(result.image.byteSize);
    // The content hash is the SHA-256 of the stored original: the bytes are the ones ingest wrote.
    expect(sha256(original)).toBe(result.image.contentHash);
    expect(await sharp(original).metadata()).toMatchObject({ format: "png", width: 600, height: 450 });
    expect(await sharp(await store.get(blobKeys.thumbnail)).metadata()).toMatchObject({ format: "jpeg" });
  });

  it("removes the blobs it wrote when the database write fails", async () => {
    const store = s3Store({ prefix: "ingest-failed" });
    // An uploader id that is not a user: the row insert fails on its foreign key, after the blobs were written.
    await expect(ingestImage({ db: database.db, store, actorId: "no-such-user", lesionId, bytes: hamSampleImage(3), limits })).rejects.toThrow();
    expect(await objectKeys("ingest-failed/")).toEqual([]);
  });
});
