/**
 * The image store's part of a backup. The blobs backed up are exactly those the database snapshot reaches: each
 * LesionImage's original (storageKey) and the derivatives found from its content hash (storage-keys.ts). An
 * unreferenced blob (left by a crashed upload) is not backed up, which is harmless: nothing reaches it. Blobs are read
 * and written through the ImageStore interface, so the same code backs up and restores a local or an S3 store.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { assertSafeKey, ImageBlobNotFoundError, type ImageStore } from "@/server/services/images/image-store";
import { LocalImageStore } from "@/server/services/images/local-image-store";
import { imageBlobKeys } from "@/server/services/images/storage-keys";
import { BackupError } from "./backup-error";
import { forEachConcurrently, sha256Of, writeFileSynced } from "./backup-files";
import { IMAGE_LIST_FILE, IMAGES_FOLDER, imageListLine, parseImageList } from "./backup-manifest";

/** Enough parallel reads and fsyncs to keep a disk or an S3 connection pool busy, few enough for two cores. */
const CONCURRENCY = 8;

export interface ImageRow {
  contentHash: string;
  storageKey: string;
}

export interface ImageBlobEntry {
  key: string;
  sha256: string;
}

/**
 * Every key the rows reach, sorted, each with the SHA-256 its bytes must have when the key is an original
 * (the content hash is the SHA-256 of the stored original) or null for a derivative.
 */
export function imageBlobKeysOf(rows: readonly ImageRow[]): Map<string, string | null> {
  const keys = new Map<string, string | null>();
  for (const row of rows) {
    const { thumbnail, modelView } = imageBlobKeys(row.contentHash);
    keys.set(row.storageKey, row.contentHash);
    for (const derivative of [thumbnail, modelView]) if (!keys.has(derivative)) keys.set(derivative, null);
  }
  return new Map([...keys].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function blobPath(root: string, key: string): string {
  assertSafeKey(key);
  return path.join(root, IMAGES_FOLDER, ...key.split("/"));
}

/** Copies each blob into `workDir/images/<key>`, checking originals against their content hash; writes images.sha256. */
export async function backupImageBlobs(
  store: ImageStore,
  keys: Map<string, string | null>,
  workDir: string,
  createdDirs: Set<string>,
): Promise<{ count: number; bytes: number; listSha256: string }> {
  const entries = new Map<string, string>();
  const missing: string[] = [];
  let bytes = 0;
  await forEachConcurrently([...keys], CONCURRENCY, async ([key, expectedSha256]) => {
    let data: Uint8Array;
    try {
      data = await store.get(key);
    } catch (error) {
      if (error instanceof ImageBlobNotFoundError) {
        missing.push(key);
        return;
      }
      throw error;
    }
    const sha256 = sha256Of(data);
    if (expectedSha256 !== null && sha256 !== expectedSha256) {
      throw new BackupError("SOURCE_INCOMPLETE", `Image blob ${key} in the store does not match its content hash (damaged in the store); nothing was backed up.`);
    }
    const file = blobPath(workDir, key);
    const dir = path.dirname(file);
    if (!createdDirs.has(dir)) {
      await fs.mkdir(dir, { recursive: true });
      createdDirs.add(dir);
    }
    await writeFileSynced(file, data);
    entries.set(key, sha256);
    bytes += data.byteLength;
  });
  if (missing.length > 0) {
    throw new BackupError(
      "SOURCE_INCOMPLETE",
      `${missing.length} image blob(s) referenced by the database are missing from the image store (first: ${missing.sort()[0]}); nothing was backed up.`,
    );
  }
  const list = [...keys.keys()].map((key) => imageListLine(entries.get(key)!, key)).join("");
  await writeFileSynced(path.join(workDir, IMAGE_LIST_FILE), list);
  return { count: entries.size, bytes, listSha256: sha256Of(list) };
}

/** Reads images.sha256 and checks every blob against it. Throws CORRUPTED naming the first bad file. */
export async function verifyImageBlobs(backupDir: string, expected: { count: number; listSha256: string }): Promise<ImageBlobEntry[]> {
  let list: string;
  try {
    list = await fs.readFile(path.join(backupDir, IMAGE_LIST_FILE), "utf8");
  } catch {
    throw new BackupError("CORRUPTED", `${IMAGE_LIST_FILE} is missing from the backup.`);
  }
  if (sha256Of(list) !== expected.listSha256) throw new BackupError("CORRUPTED", `${IMAGE_LIST_FILE} does not match the manifest (damaged or edited).`);
  let entries: ImageBlobEntry[];
  try {
    entries = parseImageList(list);
    for (const entry of entries) assertSafeKey(entry.key);
  } catch (error) {
    throw new BackupError("CORRUPTED", `${IMAGE_LIST_FILE} is malformed: ${error instanceof Error ? error.message : String(error)}.`);
  }
  if (entries.length !== expected.count) throw new BackupError("CORRUPTED", `${IMAGE_LIST_FILE} lists ${entries.length} blobs, the manifest says ${expected.count}.`);
  await forEachConcurrently(entries, CONCURRENCY, async (entry) => {
    await readVerifiedBlob(backupDir, entry);
  });
  return entries;
}

async function readVerifiedBlob(backupDir: string, entry: ImageBlobEntry): Promise<Uint8Array> {
  let data: Uint8Array;
  try {
    data = await fs.readFile(blobPath(backupDir, entry.key));
  } catch {
    throw new BackupError("CORRUPTED", `Image blob ${IMAGES_FOLDER}/${entry.key} is missing from the backup.`);
  }
  if (sha256Of(data) !== entry.sha256) throw new BackupError("CORRUPTED", `Image blob ${IMAGES_FOLDER}/${entry.key} does not match its SHA-256 (damaged or truncated).`);
  return data;
}

/** Whether anything but (empty) directories lies under `dir`; stops at the first file. An absent dir is empty. */
async function containsAnyFile(dir: string): Promise<boolean> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
  for (const entry of entries) {
    if (!entry.isDirectory() || (await containsAnyFile(path.join(dir, entry.name)))) return true;
  }
  return false;
}

/**
 * Refuses a store that already holds images: a restore never merges into existing data. Empty folders do not count
 * (a failed restore removes its blobs but leaves their folders).
 */
export async function assertImageStoreEmpty(store: ImageStore, entries: readonly ImageBlobEntry[]): Promise<void> {
  if (store instanceof LocalImageStore) {
    if (await containsAnyFile(store.root)) {
      throw new BackupError("IMAGE_STORE_NOT_EMPTY", `The image store ${store.root} is not empty: restore into an empty or absent image store directory.`);
    }
    return;
  }
  // A store that cannot be listed (S3): none of the backup's keys may be there already.
  for (const entry of entries) {
    if (await store.has(entry.key)) {
      throw new BackupError("IMAGE_STORE_NOT_EMPTY", `The image store already holds blob ${entry.key}: restore into an empty image store.`);
    }
  }
}

/**
 * Puts each blob with the store's atomic put (temporary file + fsync + rename for the local store), checking its
 * bytes again on the way; records in `created` every key this call wrote, so a failed restore can remove them.
 */
export async function restoreImageBlobs(store: ImageStore, backupDir: string, entries: readonly ImageBlobEntry[], created: string[]): Promise<void> {
  await forEachConcurrently(entries, CONCURRENCY, async (entry) => {
    const data = await readVerifiedBlob(backupDir, entry);
    if ((await store.put(entry.key, data)).created) created.push(entry.key);
  });
}
