/**
 * Reads a model version directory and refuses it unless every file matches manifest.json (presence, size, SHA-256)
 * and parses against its schema. Each file is read once, hashed, and parsed from the same bytes, so what was
 * verified is exactly what is used. Nothing here builds a model: callers get verified artifacts and decide how to
 * run them (tfjs or ONNX Runtime).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { ModelArtifactsBundle } from "./model-artifacts";
import {
  MANIFEST_JSON,
  METADATA_JSON,
  METRICS_JSON,
  MODEL_CARD_JSON,
  MODEL_FILES,
  MODEL_JSON,
  ManifestSchema,
  ModelJsonSchema,
  ModelMetadataSchema,
  OOD_JSON,
  PREPROCESSING_JSON,
  TRAINING_LESIONS_JSON,
  TrainingLesionsSchema,
  type TrainingLesions,
  PreprocessingSchema,
  WEIGHTS_BIN,
  type Manifest,
  type ModelMetadata,
  type Preprocessing,
} from "./model-files";
import { OodDetectorSchema, type OodDetector } from "../ood/mahalanobis";
import { sha256Hex } from "./sha256";
import { ModelStoreError } from "./store-error";

export interface VerifiedModel {
  dir: string;
  version: string;
  manifest: Manifest;
  manifestSha256: string;
  artifacts: ModelArtifactsBundle;
  preprocessing: Preprocessing;
  metadata: ModelMetadata;
  /** The stored evaluation report, as JSON (shape owned by ml/pipeline). */
  metrics: unknown;
  modelCard: unknown;
  /** The out-of-distribution detector (ood.json), null for models without one. */
  ood: OodDetector | null;
  /** The training and validation lesions (training-lesions.json), null for models that did not record them. */
  trainingLesions: TrainingLesions | null;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function parseJson<T>(dir: string, file: string, bytes: Uint8Array, schema: z.ZodType<T>, code: "CONTENT_INVALID" | "MANIFEST_INVALID" = "CONTENT_INVALID"): T {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (error) {
    throw new ModelStoreError(code, dir, `not valid JSON (${error instanceof Error ? error.message : String(error)}); refusing to load`, file);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelStoreError(code, dir, `unexpected content at ${issue?.path.join(".") || "(root)"}: ${issue?.message}; refusing to load`, file);
  }
  return parsed.data;
}

function readManifest(dir: string): { manifest: Manifest; sha256: string } {
  const file = path.join(dir, MANIFEST_JSON);
  if (!existsSync(file)) {
    throw new ModelStoreError("MANIFEST_MISSING", dir, "no manifest.json: not a saved model, or its save did not finish; refusing to load it", MANIFEST_JSON);
  }
  const bytes = readFileSync(file);
  return { manifest: parseJson(dir, MANIFEST_JSON, bytes, ManifestSchema, "MANIFEST_INVALID"), sha256: sha256Hex(bytes) };
}

/** Reads and verifies every file the manifest lists; returns their bytes by name. */
function readVerifiedFiles(dir: string, manifest: Manifest): Map<string, Uint8Array> {
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const required of MODEL_FILES) {
    if (!listed.has(required)) throw new ModelStoreError("MANIFEST_INVALID", dir, `manifest does not list ${required}; refusing an incomplete model`, MANIFEST_JSON);
  }
  if (listed.size !== manifest.files.length) throw new ModelStoreError("MANIFEST_INVALID", dir, "manifest lists a file twice", MANIFEST_JSON);
  const files = new Map<string, Uint8Array>();
  for (const entry of manifest.files) {
    const file = path.join(dir, entry.path);
    if (!existsSync(file) || !statSync(file).isFile()) {
      throw new ModelStoreError("FILE_MISSING", dir, "listed in manifest.json but missing; refusing an incomplete model", entry.path);
    }
    const bytes = readFileSync(file);
    if (bytes.length !== entry.bytes) {
      throw new ModelStoreError("SIZE_MISMATCH", dir, `${bytes.length} bytes, manifest says ${entry.bytes} (truncated or replaced); refusing to load`, entry.path);
    }
    const actual = sha256Hex(bytes);
    if (actual !== entry.sha256) {
      throw new ModelStoreError("CHECKSUM_MISMATCH", dir, `SHA-256 ${actual} does not match the manifest's ${entry.sha256} (corrupted or modified); refusing to load`, entry.path);
    }
    files.set(entry.path, bytes);
  }
  return files;
}

export function readModelDirectory(modelDir: string): VerifiedModel {
  const dir = path.resolve(modelDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ModelStoreError("NOT_FOUND", dir, "model directory not found");
  const { manifest, sha256 } = readManifest(dir);
  const files = readVerifiedFiles(dir, manifest);
  const bytesOf = (name: string): Uint8Array => files.get(name)!;

  const modelJson = parseJson(dir, MODEL_JSON, bytesOf(MODEL_JSON), ModelJsonSchema);
  const group = modelJson.weightsManifest[0]!;
  if (group.paths.length !== 1 || group.paths[0] !== WEIGHTS_BIN) {
    throw new ModelStoreError("CONTENT_INVALID", dir, `weights must be in ${WEIGHTS_BIN}, model.json names ${JSON.stringify(group.paths)}`, MODEL_JSON);
  }
  // A copy: small files come back from readFileSync as views into Node's shared buffer pool.
  const weightData = new Uint8Array(bytesOf(WEIGHTS_BIN));
  const expectedBytes = group.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (group.weights.some((w) => w.dtype !== "float32") || expectedBytes !== weightData.length) {
    throw new ModelStoreError("CONTENT_INVALID", dir, `model.json describes ${expectedBytes} bytes of float32 weights, weights.bin has ${weightData.length}`, MODEL_JSON);
  }
  const metadata = parseJson(dir, METADATA_JSON, bytesOf(METADATA_JSON), ModelMetadataSchema);
  if (metadata.version !== manifest.version) {
    throw new ModelStoreError("CONTENT_INVALID", dir, `version ${metadata.version} differs from the manifest's ${manifest.version}`, METADATA_JSON);
  }
  return {
    dir,
    version: manifest.version,
    manifest,
    manifestSha256: sha256,
    artifacts: {
      modelTopology: modelJson.modelTopology,
      weightSpecs: group.weights,
      weightData,
      format: modelJson.format,
      generatedBy: modelJson.generatedBy,
      convertedBy: modelJson.convertedBy,
    },
    preprocessing: parseJson(dir, PREPROCESSING_JSON, bytesOf(PREPROCESSING_JSON), PreprocessingSchema),
    metadata,
    metrics: parseJson(dir, METRICS_JSON, bytesOf(METRICS_JSON), z.unknown()),
    modelCard: parseJson(dir, MODEL_CARD_JSON, bytesOf(MODEL_CARD_JSON), z.unknown()),
    // Optional, but verified like every file when the manifest lists it.
    ood: files.has(OOD_JSON) ? parseJson(dir, OOD_JSON, bytesOf(OOD_JSON), OodDetectorSchema) : null,
    trainingLesions: files.has(TRAINING_LESIONS_JSON) ? parseJson(dir, TRAINING_LESIONS_JSON, bytesOf(TRAINING_LESIONS_JSON), TrainingLesionsSchema) : null,
  };
}
