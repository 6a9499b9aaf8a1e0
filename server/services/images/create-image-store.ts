/**
 * The configured image store: the local content-addressed store under IMAGE_STORE_DIR (default), or an S3-compatible
 * object store (IMAGE_STORE=s3). Synchronous: the S3 store loads its SDK on first use, so callers need not await it
 * and the local default never loads the SDK.
 */
import { env, type Env } from "@/server/env";
import type { ImageStore } from "./image-store";
import { LocalImageStore } from "./local-image-store";
import { S3ImageStore } from "./s3-image-store";

type ImageStoreConfig = Pick<
  Env,
  | "IMAGE_STORE"
  | "IMAGE_STORE_DIR"
  | "S3_BUCKET"
  | "S3_REGION"
  | "S3_ENDPOINT"
  | "S3_ACCESS_KEY_ID"
  | "S3_SECRET_ACCESS_KEY"
  | "S3_FORCE_PATH_STYLE"
  | "S3_PREFIX"
>;

/** A new store for this configuration (parseEnv has checked that IMAGE_STORE=s3 comes with S3_BUCKET). */
export function createImageStore(config: ImageStoreConfig): ImageStore {
  if (config.IMAGE_STORE === "local") return new LocalImageStore(config.IMAGE_STORE_DIR);
  if (!config.S3_BUCKET) throw new RangeError("IMAGE_STORE=s3 needs S3_BUCKET");
  return new S3ImageStore({
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
    endpoint: config.S3_ENDPOINT,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    prefix: config.S3_PREFIX,
    credentials:
      config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY }
        : undefined,
  });
}

// One S3 store per process: it owns the SDK client, whose connection pool and resolved credentials are meant to be
// reused, and callers ask for the store on every request. (A local store is only a path, so it is not kept.)
let sharedS3Store: ImageStore | undefined;

export function createImageStoreFromEnv(): ImageStore {
  const config = env();
  if (config.IMAGE_STORE === "local") return createImageStore(config);
  sharedS3Store ??= createImageStore(config);
  return sharedS3Store;
}
