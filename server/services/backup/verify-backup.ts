/**
 * Checks a backup folder completely before a restore writes anything: the manifest against manifest.sha256 and its
 * schema, every table file's size and SHA-256, every image blob against images.sha256, and every model directory
 * against its pinned manifest. A damaged, truncated or edited backup is refused here.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { BackupError } from "./backup-error";
import { exists, hashFile, sha256Of } from "./backup-files";
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BackupManifestSchema,
  MANIFEST_CHECKSUM_FILE,
  MANIFEST_FILE,
  manifestChecksumLine,
  tableFile,
  type BackupManifest,
} from "./backup-manifest";
import { verifyImageBlobs, type ImageBlobEntry } from "./image-blobs";
import { verifyBackedUpModels } from "./model-dirs";

export interface VerifiedBackup {
  dir: string;
  manifest: BackupManifest;
  blobs: ImageBlobEntry[];
}

async function readManifest(dir: string): Promise<BackupManifest> {
  if (!(await exists(path.join(dir, MANIFEST_FILE)))) {
    throw new BackupError("NOT_A_BACKUP", `${dir} has no ${MANIFEST_FILE}: it is not a DermFlag backup, or its backup did not finish.`);
  }
  const text = await readFile(path.join(dir, MANIFEST_FILE), "utf8");
  const checksum = await readFile(path.join(dir, MANIFEST_CHECKSUM_FILE), "utf8").catch(() => null);
  if (checksum !== manifestChecksumLine(sha256Of(text))) {
    throw new BackupError("CORRUPTED", `${MANIFEST_FILE} does not match ${MANIFEST_CHECKSUM_FILE} (damaged or edited).`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BackupError("CORRUPTED", `${MANIFEST_FILE} is not valid JSON.`);
  }
  const format = (value as { format?: unknown; formatVersion?: unknown } | null) ?? {};
  if (format.format !== BACKUP_FORMAT) throw new BackupError("NOT_A_BACKUP", `${MANIFEST_FILE} is not a DermFlag backup manifest.`);
  if (format.formatVersion !== BACKUP_FORMAT_VERSION) {
    throw new BackupError("NOT_A_BACKUP", `The backup's format version is ${String(format.formatVersion)}; this DermFlag reads version ${BACKUP_FORMAT_VERSION}.`);
  }
  const parsed = BackupManifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BackupError("CORRUPTED", `${MANIFEST_FILE} is malformed at ${issue?.path.join(".") || "(root)"}: ${issue?.message}.`);
  }
  return parsed.data;
}

export async function verifyBackup(backupDir: string): Promise<VerifiedBackup> {
  const dir = path.resolve(backupDir);
  const manifest = await readManifest(dir);
  for (const table of manifest.tables) {
    const file = tableFile(table.name);
    const actual = await hashFile(path.join(dir, file)).catch(() => null);
    if (actual === null) throw new BackupError("CORRUPTED", `${file} is missing from the backup.`);
    if (actual.bytes !== table.bytes || actual.sha256 !== table.sha256) {
      const how = actual.bytes === table.bytes ? "its SHA-256 differs: damaged or edited" : `${actual.bytes} bytes, manifest says ${table.bytes}: truncated or damaged`;
      throw new BackupError("CORRUPTED", `${file} does not match the manifest (${how}).`);
    }
  }
  const blobs = await verifyImageBlobs(dir, manifest.images);
  verifyBackedUpModels(dir, manifest.models);
  return { dir, manifest, blobs };
}
