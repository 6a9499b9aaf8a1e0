/**
 * Public API of ml/store: immutable, verified model version directories. saveModel writes atomically with a
 * SHA-256 manifest; readModelDirectory / loadModel refuse anything that does not match it (ModelStoreError).
 */
export { ModelStoreError, type ModelStoreErrorCode } from "./store-error";
export {
  LABEL_MODES,
  MANIFEST_JSON,
  METADATA_JSON,
  METRICS_JSON,
  MODEL_CARD_JSON,
  MODEL_CARD_MD,
  OOD_JSON,
  TRAINING_LESIONS_JSON,
  TrainingLesionsSchema,
  type TrainingLesions,
  MODEL_FILES,
  MODEL_JSON,
  ManifestSchema,
  ModelMetadataSchema,
  PREPROCESSING_JSON,
  PreprocessingSchema,
  RESIZE_KERNELS,
  VersionSchema,
  WEIGHTS_BIN,
  type Manifest,
  type ModelMetadata,
  type Preprocessing,
} from "./model-files";
export { artifactsOfLayersModel, layersModelFromArtifacts, type ModelArtifactsBundle, type SavableModel, type WeightSpec } from "./model-artifacts";
export { saveModel, type SaveModelOptions, type SavedModel } from "./save-model";
export { readModelDirectory, type VerifiedModel } from "./read-model";
export { loadModel, type LoadedModel } from "./load-model";
export { listModelVersions, resolveModelDir, type ModelVersionEntry } from "./find-models";
export { removeStalePartials, writeDirectoryAtomically, type DirectoryFile, type WriteDirectoryOptions } from "./atomic-directory";
export { labelledRecordsHash, recordLabel } from "./training-data-hash";
export { codeVersion, type CodeVersion } from "./code-version";
export { sha256Hex } from "./sha256";
