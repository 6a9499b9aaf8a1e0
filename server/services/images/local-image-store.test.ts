import { mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ImageBlobNotFoundError } from "./image-store";
import { LocalImageStore } from "./local-image-store";
import { imageBlobKeys } from "./storage-keys";
import { tempFolder } from "./test-images";

const folder = tempFolder("local-image-store-");
afterAll(() => folder.remove());
const hash = "ab".repeat(32);

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

describe("LocalImageStore", () => {
  it("round-trips a blob under a content-addressed key", async () => {
    const store = new LocalImageStore(path.join(folder.dir, "roundtrip"));
    const key = imageBlobKeys(hash).original;
    expect(key).toBe(`ab/ab/${hash}.png`);
    expect(await store.has(key)).toBe(false);
    expect(await store.put(key, new Uint8Array([1, 2, 3]))).toEqual({ created: true });
    expect(await store.has(key)).toBe(true);
    expect(Array.from(await store.get(key))).toEqual([1, 2, 3]);
    // Content-addressed: a second put of the key is a no-op.
    expect(await store.put(key, new Uint8Array([1, 2, 3]))).toEqual({ created: false });
    expect(allFiles(store.root)).toEqual([path.join("ab", "ab", `${hash}.png`)]);
    await store.delete(key);
    expect(await store.has(key)).toBe(false);
    await expect(store.delete(key)).resolves.toBeUndefined();
    await expect(store.get(key)).rejects.toBeInstanceOf(ImageBlobNotFoundError);
  });

  it("leaves no temporary or partial file when a write fails", async () => {
    const store = new LocalImageStore(path.join(folder.dir, "failing"));
    const key = imageBlobKeys(hash).thumbnail;
    // A directory squatting on the final name makes the rename fail after the temp file was written.
    mkdirSync(store.pathOf(key), { recursive: true });
    await expect(store.put(key, new Uint8Array(1000))).rejects.toThrow();
    expect(allFiles(store.root)).toEqual([]);
  });

  it("refuses keys that would escape its directory", async () => {
    const store = new LocalImageStore(path.join(folder.dir, "safe"));
    for (const key of ["../outside.png", "/etc/passwd", "ab/../../x", "a\\b", "", "ab//cd"]) {
      await expect(store.put(key, new Uint8Array([1]))).rejects.toThrow(/unsafe image store key/);
    }
  });

  it("serves concurrent writers of the same key without corruption", async () => {
    const store = new LocalImageStore(path.join(folder.dir, "concurrent"));
    const key = imageBlobKeys("cd".repeat(32)).original;
    const bytes = new Uint8Array(200_000).map((_, i) => i % 251);
    const results = await Promise.all(Array.from({ length: 8 }, () => store.put(key, bytes)));
    expect(results.some((r) => r.created)).toBe(true);
    expect(Buffer.from(await store.get(key)).equals(Buffer.from(bytes))).toBe(true);
    expect(allFiles(store.root)).toHaveLength(1);
  });
});
