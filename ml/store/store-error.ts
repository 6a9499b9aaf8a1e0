/**
 * The one error a model directory problem raises, with a machine-readable code, so the CLI, the inference service
 * and the promotion job can tell "this model is damaged or incomplete: refuse it" apart from a bug, and tell the
 * user which file to look at.
 */
export type ModelStoreErrorCode =
  /** The directory does not exist. */
  | "NOT_FOUND"
  /** No manifest.json: not a saved model, or a save that never finished. */
  | "MANIFEST_MISSING"
  /** manifest.json is unreadable, malformed, or does not list a required file. */
  | "MANIFEST_INVALID"
  /** A file the manifest lists is absent. */
  | "FILE_MISSING"
  /** A file's size differs from the manifest (typically a truncated copy). */
  | "SIZE_MISMATCH"
  /** A file's SHA-256 differs from the manifest (corrupted or edited). */
  | "CHECKSUM_MISMATCH"
  /** The files match the manifest but their content is not a valid model (e.g. written by an incompatible version). */
  | "CONTENT_INVALID"
  /** Saving would overwrite an existing version. */
  | "ALREADY_EXISTS"
  | "INVALID_VERSION"
  | "WRITE_FAILED";

export class ModelStoreError extends Error {
  override readonly name = "ModelStoreError";
  constructor(
    readonly code: ModelStoreErrorCode,
    /** The model directory concerned. */
    readonly dir: string,
    detail: string,
    /** The file at fault, relative to dir, when there is one. */
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(`${file === undefined ? dir : `${dir}/${file}`}: ${detail}`, options);
  }
}
