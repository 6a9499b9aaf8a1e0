/**
 * Saves a trained model as one immutable, self-describing version directory (see model-files.ts), atomically:
 * the directory appears complete, with a manifest of SHA-256s, or not at all.
 */
import path from "node:path";
import { writeDirectoryAtomically, type DirectoryFile } from "./atomic-directory";
import { artifactsOfLayersModel, type ModelArtifactsBundle, type SavableModel } from "./model-artifacts";
import {
  MANIFEST_JSON,
  METADATA_JSON,
  METRICS_JSON,
  MODEL_CARD_JSON,
  MODEL_CARD_MD,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  MODEL_JSON,
  ModelMetadataSchema,
  OOD_JSON,
  TRAINING_LESIONS_JSON,
  TrainingLesionsSchema,
  type TrainingLesions,
  PREPROCESSING_JSON,
  PreprocessingSchema,
  VersionSchema,
  WEIGHTS_BIN,
  type Manifest,
  type ModelMetadata,
  type Preprocessing,
} from "./model-files";
import { OodDetectorSchema, type OodDetector } from "../ood/mahalanobis";
import { sha256Hex } from "./sha256";
import { ModelStoreError } from "./store-error";

export interface SaveModelOptions {
  /** Parent folder; the model goes to `<modelsDir>/<metadata.version>`. */
  modelsDir: string;
  /** A tf.LayersModel (anything with save(handler)) or artifacts already taken from one. */
  model: SavableModel | ModelArtifactsBundle;
  metadata: ModelMetadata;
  preprocessing: Preprocessing;
  /** The evaluation report (any JSON value; ml/pipeline's EvaluationReport). */
  metrics: unknown;
  modelCard: { markdown: string; json: unknown };
  /** The out-of-distribution detector, for a model whose second output carries its features. */
  ood?: OodDetector | null;
  /** The lesions of the training and validation records, so that no one evaluates the model on them later. */
  trainingLesions?: TrainingLesions | null;
  onFileWritten?: (file: string) => void;
}

export interface SavedModel {
  dir: string;
  version: string;
  manifest: Manifest;
  /** SHA-256 of manifest.json: one value that pins every file (e.g. for a model registry row). */
  manifestSha256: string;
}

const encoder = new TextEncoder();
const json = (value: unknown): Uint8Array => {
  const text = JSON.stringify(value, null, 2);
  if (text === undefined) throw new TypeError("value is not JSON-serialisable");
  return encoder.encode(`${text}\n`);
};

function isArtifacts(model: SavableModel | ModelArtifactsBundle): model is ModelArtifactsBundle {
  return "modelTopology" in model && "weightData" in model;
}

export async function saveModel(options: SaveModelOptions): Promise<SavedModel> {
  const version = options.metadata.version;
  const dir = path.resolve(options.modelsDir, version);
  if (!VersionSchema.safeParse(version).success) throw new ModelStoreError("INVALID_VERSION", dir, `invalid version name ${JSON.stringify(version)}`);
  // Validate what we write with the schemas load will apply: a model that cannot be loaded must not be saved.
  const metadata = ModelMetadataSchema.parse(options.metadata);
  const preprocessing = PreprocessingSchema.parse(options.preprocessing);
  const artifacts = isArtifacts(options.model) ? options.model : await artifactsOfLayersModel(options.model);

  const modelJson = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? "layers-model",
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs }],
  };
  const files: DirectoryFile[] = [
    { name: WEIGHTS_BIN, data: artifacts.weightData },
    { name: MODEL_JSON, data: json(modelJson) },
    { name: PREPROCESSING_JSON, data: json(preprocessing) },
    { name: METADATA_JSON, data: json(metadata) },
    { name: METRICS_JSON, data: json(options.metrics) },
    { name: MODEL_CARD_JSON, data: json(options.modelCard.json) },
    { name: MODEL_CARD_MD, data: encoder.encode(options.modelCard.markdown) },
    ...(options.ood ? [{ name: OOD_JSON, data: json(OodDetectorSchema.parse(options.ood)) }] : []),
    ...(options.trainingLesions ? [{ name: TRAINING_LESIONS_JSON, data: json(TrainingLesionsSchema.parse(options.trainingLesions)) }] : []),
  ];
  const manifest: Manifest = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    version,
    createdAt: metadata.createdAt,
    files: files.map((f) => ({ path: f.name, bytes: f.data.length, sha256: sha256Hex(f.data) })),
  };
  const manifestBytes = json(manifest);
  writeDirectoryAtomically(dir, [...files, { name: MANIFEST_JSON, data: manifestBytes }], { onFileWritten: options.onFileWritten });
  return { dir, version, manifest, manifestSha256: sha256Hex(manifestBytes) };
}
