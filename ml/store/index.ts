/**
 * Public API of ml/store: immutable, verified model version directories. saveModel writes atomically with a
 * SHA-256 manifest; readModelDirectory / loadModel refuse anything that does not match it (ModelStoreError).
 */
export { ModelStoreError } from "./store-error";
export { MANIFEST_JSON, MODEL_CARD_MD, TRAINING_LESIONS_JSON, MODEL_FILES } from "./model-files";
export { saveModel } from "./save-model";
export { readModelDirectory, type VerifiedModel } from "./read-model";
export { loadModel } from "./load-model";
export { listModelVersions, resolveModelDir } from "./find-models";
export { removeStalePartials, writeDirectoryAtomically } from "./atomic-directory";
export { labelledRecordsHash } from "./training-data-hash";
export { codeVersion } from "./code-version";
