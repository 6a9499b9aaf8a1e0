/**
 * Fuzzing the upload path: every case of the seeded malformed-image corpus (server/testing/fuzz) goes through
 * ingestImage against a real database and a real on-disk store, then through the HTTP upload handler. The rules: no
 * error other than ImageRejectedError, no hang (per-case timeout), every refusal readable by a clinician, accepted
 * images stored completely without the smuggled payloads, and, after the whole corpus, no partial write anywhere.
 */
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "@/server/auth/session";
import { uploadLesionImage, type UploadResult } from "@/server/http/upload-lesion-image";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { buildImageCorpus, countByCategory, type ImageFuzzCase } from "@/server/testing/fuzz/malformed-images";
import { reasonProblems } from "@/server/testing/fuzz/readable-reason";
import { findPartialWrites } from "@/server/testing/fuzz/store-consistency";
import { containsBytes } from "@/server/testing/fuzz/bytes";
import { IMAGE_REJECTION_CODES, ImageRejectedError } from "./image-rejected-error";
import { DEFAULT_IMAGE_LIMITS } from "./image-limits";
import { ingestImage, type IngestImageResult } from "./ingest-image";
import { LocalImageStore } from "./local-image-store";
import { imageBlobKeys } from "./storage-keys";
import { tempFolder } from "./test-images";

const SEED = 20_250_808;
/** The configured limits, with the minimum side lowered so 28 px DermaMNIST PNGs reach the decoder. */
const limits = { ...DEFAULT_IMAGE_LIMITS, minDimension: 16 };
/** Generous on a busy 2-core CI machine; the slowest case takes well under a second. */
const CASE_TIMEOUT_MS = 20_000;
const ORIGINAL_NAME = "lesion-photo.jpg";

const corpus = await buildImageCorpus({ seed: SEED, limits });
const folder = tempFolder("ingest-image-fuzz-");
const store = new LocalImageStore(path.join(folder.dir, "store"));
let database: TestDatabase;
let lesionId: string;
const user: SessionUser = { id: "", email: "fuzz@clinic.example", name: "Fuzz Uploader", role: "DERMATOLOGIST" };

type Outcome = { kind: "accepted"; result: IngestImageResult } | { kind: "rejected"; error: ImageRejectedError };
const outcomes = new Map<string, Outcome>();

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  user.id = (await db.user.create({ data: { email: user.email, name: user.name, role: user.role, passwordHash: "x" } })).id;
  const patient = await db.patient.create({ data: { mrn: "FUZZ-1", name: "Fuzz Patient" } });
  lesionId = (await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: "F" } })).id;
});

afterAll(async () => {
  await database?.drop();
  folder.remove();
});

/** The case's outcome; anything thrown that is not an ImageRejectedError fails the test with the case's name. */
async function ingest(fuzzCase: ImageFuzzCase): Promise<Outcome> {
  try {
    const result = await ingestImage({ db: database.db, store, actorId: user.id, lesionId, bytes: fuzzCase.bytes, originalName: ORIGINAL_NAME, limits });
    return { kind: "accepted", result };
  } catch (error) {
    if (error instanceof ImageRejectedError) return { kind: "rejected", error };
    throw new Error(`${fuzzCase.name}: ingestImage threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, { cause: error });
  }
}

async function expectStoredCompletely(fuzzCase: ImageFuzzCase, result: IngestImageResult): Promise<void> {
  const imageId = result.status === "created" ? result.image.id : result.existingImageId;
  const row = await database.db.lesionImage.findUniqueOrThrow({ where: { id: imageId } });
  const keys = imageBlobKeys(row.contentHash);
  const [original, thumbnail, modelView] = await Promise.all([store.get(keys.original), store.get(keys.thumbnail), store.get(keys.modelView)]);
  const decoded = await sharp(original).metadata();
  expect([decoded.format, decoded.width, decoded.height, original.length], fuzzCase.name).toEqual(["png", row.width, row.height, row.byteSize]);
  expect((await sharp(thumbnail).metadata()).format, fuzzCase.name).toBe("jpeg");
  expect((await sharp(modelView).metadata()).format, fuzzCase.name).toBe("png");
  if (fuzzCase.payload) {
    for (const blob of [original, thumbnail, modelView]) expect(containsBytes(blob, fuzzCase.payload), `${fuzzCase.name} leaked its payload`).toBe(false);
  }
}

function expectReadableRefusal(fuzzCase: ImageFuzzCase, error: ImageRejectedError): void {
  expect(IMAGE_REJECTION_CODES, fuzzCase.name).toContain(error.code);
  if (fuzzCase.code) expect(error.code, `${fuzzCase.name}: ${error.reason}`).toBe(fuzzCase.code);
  // ingestImage names the file; what follows is the pipeline's own sentence.
  expect(error.reason.startsWith(`${ORIGINAL_NAME}: `), error.reason).toBe(true);
  expect(reasonProblems(error.reason.slice(ORIGINAL_NAME.length + 2)), `${fuzzCase.name}: ${error.reason}`).toEqual([]);
}

const categories = Object.entries(countByCategory(corpus))
  .map(([category, count]) => `${category} ${count}`)
  .join(", ");

describe(`ingestImage over the ${corpus.length}-case malformed-image corpus (seed ${SEED}; ${categories})`, () => {
  for (const fuzzCase of corpus) {
    it(
      `${fuzzCase.name} (${fuzzCase.bytes.length} bytes): ${fuzzCase.expect}${fuzzCase.code ? ` ${fuzzCase.code}` : ""}`,
      async () => {
        const outcome = await ingest(fuzzCase);
        outcomes.set(fuzzCase.name, outcome);
        if (outcome.kind === "accepted") {
          expect(fuzzCase.expect, `${fuzzCase.name} was stored`).not.toBe("reject");
          await expectStoredCompletely(fuzzCase, outcome.result);
        } else {
          expect(fuzzCase.expect, `${fuzzCase.name} was refused: ${outcome.error.reason}`).not.toBe("accept");
          expectReadableRefusal(fuzzCase, outcome.error);
        }
      },
      CASE_TIMEOUT_MS,
    );
  }

  it(`leaves no partial write after all ${corpus.length} cases: every blob belongs to a committed row and every row has its blobs`, async () => {
    expect(outcomes.size).toBe(corpus.length);
    const { db } = database;
    expect(await findPartialWrites(db, store)).toEqual([]);
    const accepted = [...outcomes.values()].filter((o) => o.kind === "accepted");
    const created = accepted.filter((o) => o.result.status === "created").length;
    expect(await db.lesionImage.count()).toBe(created);
    const rejected = outcomes.size - accepted.length;
    // Every case has an outcome, so none ended in another error (that would have failed its own test first).
    console.log(
      `[image fuzz] ${corpus.length} cases (seed ${SEED}): ${accepted.length} accepted (${created} stored, ${accepted.length - created} duplicates), ${rejected} rejected, ${corpus.length - outcomes.size} other errors`,
    );
  });
});

describe(`the upload handler over the same ${corpus.length} cases`, () => {
  const post = (bytes: Uint8Array) =>
    new Request(`http://localhost/api/lesions/${lesionId}/images`, {
      method: "POST",
      body: Uint8Array.from(bytes),
      headers: { "content-type": "application/octet-stream", "content-length": String(bytes.length) },
    });

  it(
    "answers each with 201/200 (stored or duplicate) or 422 with a readable reason, never 500, and the store stays consistent",
    async () => {
      const unexpected: string[] = [];
      for (const fuzzCase of corpus) {
        const response = await uploadLesionImage({ request: post(fuzzCase.bytes), user, lesionId, db: database.db, store, limits });
        const body = (await response.json()) as UploadResult;
        const stored = (response.status === 201 && body.status === "created") || (response.status === 200 && body.status === "duplicate");
        const refused = response.status === 422 && body.status === "rejected";
        const problems = refused ? reasonProblems(body.reason) : [];
        if ((!stored && !refused) || (stored && fuzzCase.expect === "reject") || (refused && fuzzCase.expect === "accept") || problems.length > 0) {
          unexpected.push(`${fuzzCase.name}: ${response.status} ${JSON.stringify(body)} ${problems.join("; ")}`);
        }
      }
      expect(unexpected).toEqual([]);
      expect(await findPartialWrites(database.db, store)).toEqual([]);
    },
    CASE_TIMEOUT_MS * 3,
  );
});
