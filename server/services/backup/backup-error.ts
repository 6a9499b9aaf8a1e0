/**
 * Why a backup or a restore stopped. Every refusal happens before anything is written where it can be (a restore
 * verifies the whole backup first), and the message says what to do; none carries patient data.
 */
export type BackupErrorCode =
  /** The backup's target folder already exists: backups are never overwritten or merged. */
  | "TARGET_EXISTS"
  /** The source cannot be backed up as it is (no migration history, a blob or model missing or damaged). */
  | "SOURCE_INCOMPLETE"
  /** The folder is not a finished DermFlag backup (no manifest, unknown format). */
  | "NOT_A_BACKUP"
  /** A file of the backup does not match the manifest (damaged, truncated, edited). */
  | "CORRUPTED"
  /** The backup was made by a newer DermFlag (migrations this code does not have). */
  | "MIGRATIONS_NEWER"
  /** The target database already holds data. */
  | "DATABASE_NOT_EMPTY"
  /** The target image store already holds blobs. */
  | "IMAGE_STORE_NOT_EMPTY"
  /** The target model store holds a different model under a version the backup contains. */
  | "MODEL_CONFLICT"
  /** The backup's tables or columns do not fit the schema the migrations produced. */
  | "SCHEMA_MISMATCH";

export class BackupError extends Error {
  override readonly name = "BackupError";
  constructor(
    readonly code: BackupErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
