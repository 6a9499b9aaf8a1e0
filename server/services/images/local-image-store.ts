/**
 * Images on the local filesystem under one directory (IMAGE_STORE_DIR). A blob is written to a temporary file in its
 * final directory, flushed to disk (fsync), then renamed over the final name; rename within a directory is atomic, so
 * a reader or a crash sees the whole blob or none of it. The directory is fsynced after the rename so that a blob
 * whose database row has committed is still there after a power cut.
 */
import { randomBytes } from "node:crypto";
import { constants, promises as fs } from "node:fs";
import path from "node:path";
import { assertSafeKey, ImageBlobNotFoundError, type ImageStore } from "./image-store";

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class LocalImageStore implements ImageStore {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** Absolute path of a key (for diagnostics and tests; callers use get/put). */
  pathOf(key: string): string {
    assertSafeKey(key);
    return path.join(this.root, ...key.split("/"));
  }

  async put(key: string, bytes: Uint8Array): Promise<{ created: boolean }> {
    const target = this.pathOf(key);
    if (await this.has(key)) return { created: false };
    const dir = path.dirname(target);
    await fs.mkdir(dir, { recursive: true });
    // Dot-prefixed and random: never mistaken for a blob, never shared by two concurrent writers.
    const temp = path.join(dir, `.tmp-${randomBytes(8).toString("hex")}`);
    const handle = await fs.open(temp, "wx", 0o640);
    try {
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, target);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    }
    await fsyncDirectory(dir);
    return { created: true };
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await fs.readFile(this.pathOf(key)));
    } catch (error) {
      if (isErrno(error, "ENOENT")) throw new ImageBlobNotFoundError(key);
      throw error;
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      return (await fs.stat(this.pathOf(key))).isFile();
    } catch (error) {
      if (isErrno(error, "ENOENT")) return false;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.pathOf(key), { force: true });
  }
}
