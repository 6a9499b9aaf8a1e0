/**
 * Blob storage for images. Keys are content-addressed (see storage-keys.ts), so a key's bytes never change: writing
 * an existing key is a no-op, and two writers of the same key write the same bytes. Implementations: the local
 * filesystem store (default); an S3-compatible store can implement the same interface.
 */
export interface ImageStore {
  /** Stores bytes under key atomically (readers never see a partial blob). `created` is false when it existed. */
  put(key: string, bytes: Uint8Array): Promise<{ created: boolean }>;
  /** The blob's bytes; throws ImageBlobNotFoundError when absent. */
  get(key: string): Promise<Uint8Array>;
  has(key: string): Promise<boolean>;
  /** Removes the blob; removing an absent key is not an error. */
  delete(key: string): Promise<void>;
}

export class ImageBlobNotFoundError extends Error {
  override readonly name = "ImageBlobNotFoundError";
  constructor(readonly key: string) {
    super(`image blob not found: ${key}`);
  }
}

/** Keys are relative paths of safe segments: no "..", no absolute paths, no backslashes. */
const SAFE_KEY = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

export function assertSafeKey(key: string): void {
  if (!SAFE_KEY.test(key) || key.split("/").some((segment) => segment === "." || segment === "..")) {
    throw new RangeError(`unsafe image store key: ${JSON.stringify(key)}`);
  }
}
