/**
 * Writes a directory so that it either appears complete or not at all: every file goes into a hidden temporary
 * directory beside the target (same file system, so rename is atomic), each file is fsynced, then the directory,
 * then it is renamed into place and the parent is fsynced so the rename itself survives a power cut. On any error
 * the temporary directory is removed. A crash mid-write leaves only a hidden `.<name>.partial-*` directory, which
 * never looks like a model (no manifest at the final path) and which removeStalePartials can clean up.
 */
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import path from "node:path";
import { ModelStoreError } from "./store-error";

export interface DirectoryFile {
  name: string;
  data: Uint8Array;
}

export interface WriteDirectoryOptions {
  /** Called after each file is written and synced; a throw aborts the write (used for progress, and by tests). */
  onFileWritten?: (name: string) => void;
}

const PARTIAL_MARKER = ".partial-";

function writeFileSynced(file: string, data: Uint8Array): void {
  const fd = openSync(file, "wx", 0o644);
  try {
    let offset = 0;
    while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeDirectoryAtomically(target: string, files: readonly DirectoryFile[], options: WriteDirectoryOptions = {}): void {
  const parent = path.dirname(target);
  const name = path.basename(target);
  mkdirSync(parent, { recursive: true });
  if (existsSync(target)) throw new ModelStoreError("ALREADY_EXISTS", target, "already exists; model versions are immutable, choose a new version");
  const temporary = mkdtempSync(path.join(parent, `.${name}${PARTIAL_MARKER}`));
  try {
    for (const file of files) {
      if (path.basename(file.name) !== file.name) throw new RangeError(`file name ${file.name} must not contain a path`);
      writeFileSynced(path.join(temporary, file.name), file.data);
      options.onFileWritten?.(file.name);
    }
    // mkdtemp creates 0700; a model directory is meant to be read by the server's user too.
    chmodSync(temporary, 0o755);
    fsyncDirectory(temporary);
    // rename(2) would silently replace an empty directory created meanwhile; a non-empty one makes it fail.
    if (existsSync(target)) throw new ModelStoreError("ALREADY_EXISTS", target, "was created by someone else during the save");
    renameSync(temporary, target);
    fsyncDirectory(parent);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    if (error instanceof ModelStoreError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new ModelStoreError("WRITE_FAILED", target, `save failed, nothing was written: ${detail}`, undefined, { cause: error });
  }
}

/** Removes `.<name>.partial-*` directories left by crashed saves that are older than `olderThanMs`. Returns their paths. */
export function removeStalePartials(parent: string, olderThanMs = 60 * 60 * 1000, now = Date.now()): string[] {
  if (!existsSync(parent)) return [];
  const removed: string[] = [];
  for (const entry of readdirSync(parent, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith(".") || !entry.name.includes(PARTIAL_MARKER)) continue;
    const full = path.join(parent, entry.name);
    if (now - statSync(full).mtimeMs < olderThanMs) continue;
    rmSync(full, { recursive: true, force: true });
    removed.push(full);
  }
  return removed;
}
