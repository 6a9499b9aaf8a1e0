/**
 * Images in an S3-compatible object store (AWS S3, MinIO, Ceph RGW, ...), for deployments that outgrow one machine.
 * Same contract as the local store: keys are content-addressed, so an existing key is never written again.
 *
 * Atomicity: an S3 PUT is all or nothing; readers see the whole object or none.
 * Integrity: every PUT carries Content-MD5, which S3 and the S3-compatible servers check, so a body damaged on the
 * way is refused (400 BadDigest) instead of stored. Every object also carries the SHA-256 of its bytes in its user
 * metadata, and get() checks it: damage at rest or on the way back is an error, never a silently different image.
 * The SDK's own default checksums (since 3.729: a CRC32 header on PUT, checksum mode on GET) are set to
 * WHEN_REQUIRED because some S3-compatible servers refuse them (Cloudflare R2 answered 501 NotImplemented,
 * aws/aws-sdk-js-v3#6810); the two checks above cover the same ground on every server.
 *
 * The SDK is imported on first use, not at module load: the local default never loads it, and the store can be
 * constructed synchronously.
 */
import { createHash } from "node:crypto";
import type * as S3Sdk from "@aws-sdk/client-s3";
import { assertSafeKey, ImageBlobNotFoundError, type ImageStore } from "./image-store";

export interface S3ImageStoreOptions {
  bucket: string;
  /** Default us-east-1 (what MinIO, Ceph and s3rver accept unless configured otherwise). */
  region?: string;
  /** Base URL of a non-AWS server, e.g. http://minio.internal:9000. Unset: AWS S3 for the region. */
  endpoint?: string;
  /** Bucket in the path (http://host/bucket/key) instead of the host name: what most self-hosted servers need. */
  forcePathStyle?: boolean;
  /** Folder inside the bucket that holds every key, e.g. "dermflag/images" (no leading or trailing slash needed). */
  prefix?: string;
  /** Unset: the SDK's default credential chain (AWS_* variables, shared config, instance or task role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** An S3 call failed for a reason other than a missing object. The message names the call, bucket and key. */
export class S3ImageStoreError extends Error {
  override readonly name = "S3ImageStoreError";
  constructor(
    message: string,
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** User metadata (x-amz-meta-sha256) holding the hex SHA-256 of the object's bytes. */
const SHA256_METADATA = "sha256";

const CONTENT_TYPES: Readonly<Record<string, string>> = { ".png": "image/png", ".jpg": "image/jpeg" };

function contentTypeOf(key: string): string {
  const extension = key.slice(key.lastIndexOf("."));
  return CONTENT_TYPES[extension] ?? "application/octet-stream";
}

interface S3Failure {
  code: string;
  status: number | undefined;
}

/** The SDK's errors carry the S3 error code as `name` and the HTTP status in `$metadata`. */
function s3Failure(error: unknown): S3Failure {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  return { code: error instanceof Error ? error.name : "UnknownError", status };
}

/** A normalised key prefix ("" or "a/b/"); the same segment rules as keys, so it cannot escape or collide oddly. */
function normalisePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? "").replace(/^\/+|\/+$/g, "");
  if (trimmed === "") return "";
  try {
    assertSafeKey(trimmed);
  } catch {
    throw new RangeError(`unsafe S3 key prefix: ${JSON.stringify(prefix)}`);
  }
  return `${trimmed}/`;
}

interface Connection {
  sdk: typeof S3Sdk;
  client: S3Sdk.S3Client;
}

export class S3ImageStore implements ImageStore {
  readonly bucket: string;
  /** "" or a prefix ending in "/". */
  readonly prefix: string;
  private readonly options: S3ImageStoreOptions;
  private connection: Promise<Connection> | undefined;

  constructor(options: S3ImageStoreOptions) {
    if (!options.bucket) throw new RangeError("S3ImageStore needs a bucket");
    this.bucket = options.bucket;
    this.prefix = normalisePrefix(options.prefix);
    this.options = options;
  }

  /** The object key in the bucket for a store key. */
  objectKeyOf(key: string): string {
    assertSafeKey(key);
    return this.prefix + key;
  }

  async put(key: string, bytes: Uint8Array): Promise<{ created: boolean }> {
    const objectKey = this.objectKeyOf(key);
    if (await this.has(key)) return { created: false };
    const { sdk, client } = await this.connect();
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    try {
      await client.send(
        new sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key: objectKey,
          Body: bytes,
          ContentLength: bytes.byteLength,
          ContentType: contentTypeOf(key),
          ContentMD5: createHash("md5").update(data).digest("base64"),
          Metadata: { [SHA256_METADATA]: createHash("sha256").update(data).digest("hex") },
        }),
      );
    } catch (error) {
      throw this.failure("PutObject", key, error);
    }
    return { created: true };
  }

  async get(key: string): Promise<Uint8Array> {
    const objectKey = this.objectKeyOf(key);
    const { sdk, client } = await this.connect();
    let bytes: Uint8Array;
    let expectedSha256: string | undefined;
    try {
      const response = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      if (!response.Body) throw new Error("response has no body");
      bytes = await response.Body.transformToByteArray();
      expectedSha256 = response.Metadata?.[SHA256_METADATA];
    } catch (error) {
      const { code, status } = s3Failure(error);
      // A missing bucket is also a 404, but it is a configuration error, not a missing image.
      if (code === "NoSuchKey" || (status === 404 && code !== "NoSuchBucket")) throw new ImageBlobNotFoundError(key);
      throw this.failure("GetObject", key, error);
    }
    // Objects copied in by other tools may lack the metadata; those are served as they are.
    if (expectedSha256 !== undefined && createHash("sha256").update(bytes).digest("hex") !== expectedSha256) {
      throw new S3ImageStoreError(
        `S3 GetObject s3://${this.bucket}/${objectKey}: the bytes read back do not match the SHA-256 stored with the object (corrupted)`,
        key,
      );
    }
    return bytes;
  }

  async has(key: string): Promise<boolean> {
    const objectKey = this.objectKeyOf(key);
    const { sdk, client } = await this.connect();
    try {
      await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      return true;
    } catch (error) {
      // HEAD responses have no body, so S3 cannot say which thing is missing: a 404 is "no such object" here.
      if (s3Failure(error).status === 404) return false;
      throw this.failure("HeadObject", key, error);
    }
  }

  async delete(key: string): Promise<void> {
    const objectKey = this.objectKeyOf(key);
    const { sdk, client } = await this.connect();
    try {
      // S3 answers 204 for an absent key too.
      await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey }));
    } catch (error) {
      if (s3Failure(error).code === "NoSuchKey") return;
      throw this.failure("DeleteObject", key, error);
    }
  }

  /** Closes the client's sockets. The store may still be used afterwards: it then connects again. */
  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) (await connection.catch(() => undefined))?.client.destroy();
  }

  private connect(): Promise<Connection> {
    this.connection ??= import("@aws-sdk/client-s3").then(
      (sdk) => ({
        sdk,
        client: new sdk.S3Client({
          region: this.options.region ?? "us-east-1",
          endpoint: this.options.endpoint,
          forcePathStyle: this.options.forcePathStyle ?? false,
          credentials: this.options.credentials,
          requestChecksumCalculation: "WHEN_REQUIRED",
          responseChecksumValidation: "WHEN_REQUIRED",
        }),
      }),
      (error: unknown) => {
        this.connection = undefined;
        throw error;
      },
    );
    return this.connection;
  }

  private failure(operation: string, key: string, error: unknown): S3ImageStoreError {
    const { code, status } = s3Failure(error);
    const detail = error instanceof Error && error.message && error.message !== code ? `: ${error.message}` : "";
    const where = `s3://${this.bucket}/${this.prefix}${key}`;
    return new S3ImageStoreError(`S3 ${operation} ${where} failed: ${code}${status ? ` (HTTP ${status})` : ""}${detail}`, key, {
      cause: error,
    });
  }
}
