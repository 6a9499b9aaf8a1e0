/**
 * A folder path the image store cannot write to, made with a real filesystem failure rather than a mock. A folder
 * with mode 0555 is the natural choice, but root (tests here often run as root) writes through permissions; then the
 * store's folder is put beneath a regular file, so that creating anything in it fails with ENOTDIR.
 */
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface UnwritableFolder {
  path: string;
  /** How writes are made to fail, for messages. */
  how: string;
  /** The error codes a write there fails with. */
  codes: string[];
  /** Makes the parent deletable again. */
  release(): void;
}

function permissionsStopWrites(dir: string): boolean {
  const probe = path.join(dir, ".probe");
  try {
    writeFileSync(probe, "x");
  } catch {
    return true;
  }
  rmSync(probe, { force: true });
  return false;
}

export function unwritableFolder(parent: string): UnwritableFolder {
  const readOnly = path.join(parent, "read-only-store");
  mkdirSync(readOnly, { recursive: true });
  chmodSync(readOnly, 0o555);
  if (permissionsStopWrites(readOnly)) {
    return { path: readOnly, how: "a read-only folder (mode 0555)", codes: ["EACCES", "EPERM"], release: () => chmodSync(readOnly, 0o755) };
  }
  chmodSync(readOnly, 0o755);
  const file = path.join(parent, "not-a-folder");
  writeFileSync(file, "a regular file where the store's parent folder should be\n");
  return { path: path.join(file, "images"), how: "a folder beneath a regular file (root ignores mode 0555)", codes: ["ENOTDIR"], release: () => {} };
}
