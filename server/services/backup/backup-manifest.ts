/**
 * What a backup folder holds, and manifest.json, the file that describes and pins it:
 *
 *   manifest.json      format, creation time, migrations applied, every file below with its SHA-256
 *   manifest.sha256    SHA-256 of manifest.json (`sha256sum -c` format), so an edited manifest is noticed too
 *   database/<T>.csv   each table of the `public` schema, COPY ... (FORMAT csv, HEADER), ordered by primary key
 *   images.sha256      one line per image blob, `<sha256>  images/<key>` (`sha256sum -c` format), sorted by key
 *   images/<key>       the image store's blobs under their store keys
 *   models/<version>/  each registered model version's directory, pinned by its own manifest's SHA-256
 *
 * The folder is written under a hidden temporary name and renamed into place last: a folder with this name and a
 * manifest is a finished backup.
 */
import { z } from "zod";
import { VersionSchema } from "@/ml/store/model-files";

export const BACKUP_FORMAT = "dermflag-backup";
export const BACKUP_FORMAT_VERSION = 1;
export const MANIFEST_FILE = "manifest.json";
export const MANIFEST_CHECKSUM_FILE = "manifest.sha256";
export const DATABASE_FOLDER = "database";
export const IMAGES_FOLDER = "images";
export const IMAGE_LIST_FILE = "images.sha256";
export const MODELS_FOLDER = "models";

/** Transient job state (pg-boss queues): left out on purpose; the worker recreates its schema at start. */
export const EXCLUDED_SCHEMAS = [{ schema: "pgboss", reason: "transient job queue state (pg-boss); recreated by the worker" }] as const;

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, "expected a lower-case hex SHA-256");
const count = z.number().int().nonnegative();

/** Table names become file names: the schema's tables are plain identifiers (Prisma models and _prisma_migrations). */
export const TableNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, "a plain SQL identifier");

export const BackupTableSchema = z.object({
  name: TableNameSchema,
  /** Column order of the CSV (its header line). */
  columns: z.array(z.string().min(1)).min(1),
  rows: count,
  bytes: count,
  sha256: Sha256Schema,
});
export type BackupTable = z.infer<typeof BackupTableSchema>;

export const BackupModelSchema = z.object({
  version: VersionSchema,
  /** SHA-256 of the model's manifest.json: ModelVersion.sha256, which pins every file of the model. */
  manifestSha256: Sha256Schema,
});
export type BackupModel = z.infer<typeof BackupModelSchema>;

export const BackupManifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.literal(BACKUP_FORMAT_VERSION),
  createdAt: z.iso.datetime(),
  postgresVersion: z.string(),
  /** Prisma migrations applied to the source (finished, not rolled back), in order. */
  migrations: z.array(z.string().min(1)),
  excludedSchemas: z.array(z.object({ schema: z.string(), reason: z.string() })),
  tables: z.array(BackupTableSchema),
  images: z.object({ count, bytes: count, listSha256: Sha256Schema }),
  models: z.array(BackupModelSchema),
});
export type BackupManifest = z.infer<typeof BackupManifestSchema>;

export function tableFile(name: string): string {
  return `${DATABASE_FOLDER}/${TableNameSchema.parse(name)}.csv`;
}

export function modelFolder(version: string): string {
  return `${MODELS_FOLDER}/${VersionSchema.parse(version)}`;
}

/** A line of images.sha256 (sha256sum's text format, so `cd <backup> && sha256sum -c images.sha256` works too). */
export function imageListLine(sha256: string, key: string): string {
  return `${sha256}  ${IMAGES_FOLDER}/${key}\n`;
}

const IMAGE_LINE = new RegExp(`^([0-9a-f]{64})  ${IMAGES_FOLDER}/(.+)$`);

export function parseImageList(text: string): { sha256: string; key: string }[] {
  const lines = text.split("\n");
  if (lines.pop() !== "") throw new RangeError("the list does not end with a newline (truncated?)");
  return lines.map((line, index) => {
    const match = IMAGE_LINE.exec(line);
    if (!match) throw new RangeError(`line ${index + 1} is not "<sha256>  ${IMAGES_FOLDER}/<key>"`);
    return { sha256: match[1]!, key: match[2]! };
  });
}

export function manifestChecksumLine(sha256: string): string {
  return `${sha256}  ${MANIFEST_FILE}\n`;
}

export function serialiseManifest(manifest: BackupManifest): string {
  return `${JSON.stringify(BackupManifestSchema.parse(manifest), null, 2)}\n`;
}
