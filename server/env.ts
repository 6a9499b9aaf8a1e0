/**
 * Configuration, validated once. Every environment variable DermFlag reads is declared here (and in the README), and
 * the server reads them through env(). An invalid value stops the process with a message that names the variable.
 * Read elsewhere, on purpose: ML_BACKEND and INFERENCE_DEVICE by ml/ itself (it imports nothing from the server; both
 * are validated here too); DERMFLAG_LAUNCHER_PID (the launcher to its children); TEST_DATABASE_URL (tests);
 * PARITY_IMAGES (the WebGPU parity script); prisma.config.ts's variables (the Prisma CLI); NEXT_RUNTIME (Next.js).
 */
import { isIP } from "node:net";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { INFERENCE_DEVICES } from "../ml/inference/engines/engine";

const booleanFlag = z
  .enum(["0", "1", "true", "false"])
  .optional()
  .transform((value) => value === "1" || value === "true");

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** "10.0.0.1", "::1", "10.0.0.0/8", "fd00::/8": an address, or an address with a prefix length that fits it. */
function isAddressOrRange(entry: string): boolean {
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** PostgreSQL connection string. Unset: an embedded PostgreSQL is started with its data under DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// connection string")
    .optional(),
  /** Secret that signs session tokens (32+ characters). Demo mode generates one under DATA_DIR when unset. */
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** Demo mode: seeds demo users with published passwords and demo patients. Never set it in production. */
  DERMFLAG_DEMO: booleanFlag,
  PORT: positiveInt(3000).pipe(z.number().max(65535)),
  /** How long a signed-in browser may reuse an image before revalidating it (SECURITY.md); 0: images are never kept. */
  IMAGE_BROWSER_CACHE_SECONDS: z.coerce.number().int().min(0).max(24 * 3600).default(1800),
  /**
   * Web server processes behind PORT (each is one core's worth of Next.js). Default: one per core, at most 4, because
   * each process holds up to 12 database connections (a Prisma pool of 10 and pg-boss's 2) and the host's core count
   * is not a container's CPU quota: a 96-core node would otherwise start 96 and exhaust PostgreSQL.
   */
  WEB_PROCESSES: positiveInt(Math.min(4, Math.max(1, os.availableParallelism()))).pipe(z.number().max(16)),
  /** Port of the embedded PostgreSQL (only when DATABASE_URL is unset). */
  EMBEDDED_PG_PORT: positiveInt(54329).pipe(z.number().max(65535)),
  /** Where local state lives: embedded database, image store, models, generated secrets. */
  DATA_DIR: z.string().min(1).default(".data"),
  /** Image store directory (content-addressed). Default DATA_DIR/images. */
  IMAGE_STORE_DIR: z.string().min(1).optional(),
  /** Where image blobs live: "local" (IMAGE_STORE_DIR) or "s3" (an S3-compatible object store, S3_* below). */
  IMAGE_STORE: z.enum(["local", "s3"]).default("local"),
  /** Bucket of the S3 image store (required when IMAGE_STORE=s3). */
  S3_BUCKET: z.string().min(1).optional(),
  S3_REGION: z.string().min(1).default("us-east-1"),
  /** Base URL of a non-AWS server (MinIO, Ceph RGW, ...). Unset: AWS S3 for S3_REGION. */
  S3_ENDPOINT: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional(),
  /** Static credentials, both or neither. Neither: the SDK's default chain (AWS_* variables, profile, instance role). */
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Bucket in the URL path instead of the host name: what most self-hosted servers need. */
  S3_FORCE_PATH_STYLE: booleanFlag,
  /** Folder inside the bucket for the image keys, e.g. "dermflag/images". */
  S3_PREFIX: z
    .string()
    // The image store's key rules (image-store.ts): no "." or ".." segments, no backslashes, no empty segments.
    .regex(/^\/*(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*[A-Za-z0-9_-][A-Za-z0-9._-]*\/*$/, "must be folder names separated by /")
    .optional(),
  /** Largest image upload in bytes (default 25 MB). */
  // 100 MiB at most: no dermoscopy or clinical photograph needs more, and the upload route holds one whole image.
  IMAGE_MAX_BYTES: positiveInt(25 * 1024 * 1024).pipe(z.number().max(100 * 1024 * 1024, "must be at most 100 MiB")),
  /** Largest image in pixels (width x height), refused from the header before decoding (default 50 megapixels). */
  IMAGE_MAX_PIXELS: positiveInt(50_000_000),
  /** Smallest accepted image width and height in pixels (default 64). */
  IMAGE_MIN_DIMENSION: positiveInt(64),
  /** Model store directory (one folder per model version). Default DATA_DIR/models. */
  MODEL_STORE_DIR: z.string().min(1).optional(),
  /** Real data sets for demo seeding and imports. */
  SHARED_DATA_DIR: z.string().min(1).default("../shared/data"),
  /** First admin account, created at start when no admin exists (production bootstrap). */
  FIRST_ADMIN_EMAIL: z.email().optional(),
  FIRST_ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
  /** Sessions end this many hours after sign-in, however active (absolute lifetime). */
  SESSION_MAX_AGE_HOURS: positiveInt(8).pipe(z.number().max(24 * 30)),
  /** Sessions end after this many minutes without a request (idle timeout). At most SESSION_MAX_AGE_HOURS. */
  SESSION_IDLE_TIMEOUT_MINUTES: positiveInt(30),
  /**
   * Reverse proxies whose X-Forwarded-For is believed: comma-separated addresses or CIDR ranges (e.g.
   * "127.0.0.1,::1" for a TLS proxy on the same host). Unset: no forwarded header is believed, and sign-in limits key
   * on the connection's own address.
   */
  TRUSTED_PROXIES: z
    .string()
    .transform((value) => value.split(",").map((entry) => entry.trim()).filter(Boolean))
    .pipe(z.array(z.string().refine(isAddressOrRange, "must list IP addresses or CIDR ranges, e.g. 127.0.0.1,10.0.0.0/8")))
    .default([]),
  /** Force an ml backend: tfjs-node-gpu, tfjs-node, wasm, webgpu. */
  ML_BACKEND: z.enum(["tfjs-node-gpu", "tfjs-node", "wasm", "webgpu"]).optional(),
  /** Where ONNX Runtime runs inference: auto (WebGPU on a hardware adapter when faster, else CPU), webgpu, cpu. */
  INFERENCE_DEVICE: z.enum(INFERENCE_DEVICES).default("auto"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /**
   * A training run whose process has not reported for this many seconds is marked failed (its worker died); the
   * training process reports every few seconds, between batches.
   */
  TRAINING_STALE_AFTER_SECONDS: positiveInt(120),
  /**
   * FHIR (server/fhir): the identifier system of the hospital's medical record numbers, e.g. "urn:oid:1.2.36.146.595.217.0.1".
   * Unset: the identifier typed MR (HL7 v2 table 0203) is the MRN, and references must carry that type.
   */
  FHIR_MRN_SYSTEM: z.string().regex(/^\S+$/, "must be a URI with no spaces").optional(),
  /** FHIR: the identifier system under which a pathology report names DermFlag's lesion (its basedOn identifier). */
  FHIR_LESION_SYSTEM: z.string().regex(/^\S+$/, "must be a URI with no spaces").default("urn:dermflag:lesion"),
  /**
   * OpenID Connect sign-in (server/auth/oidc.ts): the identity provider's issuer URL (discovered from
   * <issuer>/.well-known/openid-configuration at the first sign-in). Unset: no OpenID Connect sign-in.
   */
  // https only (plain http on loopback, for tests): the ID token's authenticity rests on TLS to the provider (oidc.ts).
  OIDC_ISSUER: z
    .url({ protocol: /^https?$/, error: "must be an https:// URL" })
    .refine((value) => {
      const url = new URL(value);
      return url.protocol === "https:" || ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
    }, "must be an https:// URL (http:// only on loopback)")
    .optional(),
  /** The public origin users open (e.g. https://dermflag.hospital.example), read by Auth.js itself. */
  AUTH_URL: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** What the login page's button says: "Sign in with <name>". */
  OIDC_PROVIDER_NAME: z.string().min(1).max(60).default("hospital sign-in"),
  /** ID token claim that carries the user's role(s), e.g. "groups" or "realm_access.roles" (dots walk objects). */
  OIDC_ROLE_CLAIM: z.string().regex(/^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_:-]+)*$/, "must be a claim name, dots between nested names").optional(),
  /** Claim value -> role, e.g. "dermflag-admins=ADMIN,dermatology=DERMATOLOGIST"; the first listed match wins. */
  OIDC_ROLE_MAP: z
    .string()
    .transform((value) => value.split(",").map((entry) => entry.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[^=]+=(DERMATOLOGIST|ADMIN)$/, "must list claim-value=ROLE pairs (DERMATOLOGIST or ADMIN)")))
    .transform((entries) => entries.map((entry) => {
      const at = entry.lastIndexOf("=");
      return { value: entry.slice(0, at).trim(), role: entry.slice(at + 1) as "DERMATOLOGIST" | "ADMIN" };
    }))
    .default([]),
  /** Email domains allowed to sign in through OpenID Connect, comma-separated (e.g. "hospital.example"). Unset: any. */
  OIDC_ALLOWED_DOMAINS: z
    .string()
    .transform((value) => value.split(",").map((entry) => entry.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, "must list domain names, e.g. hospital.example")))
    .default([]),
  /** Turns the email + password sign-in off (only with OpenID Connect configured). */
  PASSWORD_SIGN_IN_DISABLED: booleanFlag,
});

export type Env = z.infer<typeof envSchema> & { IMAGE_STORE_DIR: string; MODEL_STORE_DIR: string };

export class InvalidEnvironmentError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join("\n")}`);
    this.name = "InvalidEnvironmentError";
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  // Empty strings mean "unset" (a blank line in an .env file must not become a value).
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ""));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    throw new InvalidEnvironmentError(
      result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`),
    );
  }
  const env = result.data;
  if (env.FIRST_ADMIN_EMAIL && !env.FIRST_ADMIN_PASSWORD) {
    throw new InvalidEnvironmentError(["FIRST_ADMIN_PASSWORD: required when FIRST_ADMIN_EMAIL is set"]);
  }
  const s3Issues = [
    ...(env.IMAGE_STORE === "s3" && !env.S3_BUCKET ? ["S3_BUCKET: required when IMAGE_STORE is s3"] : []),
    ...(env.S3_ACCESS_KEY_ID && !env.S3_SECRET_ACCESS_KEY ? ["S3_SECRET_ACCESS_KEY: required when S3_ACCESS_KEY_ID is set"] : []),
    ...(env.S3_SECRET_ACCESS_KEY && !env.S3_ACCESS_KEY_ID ? ["S3_ACCESS_KEY_ID: required when S3_SECRET_ACCESS_KEY is set"] : []),
  ];
  if (s3Issues.length > 0) throw new InvalidEnvironmentError(s3Issues);
  const oidcParts = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET].filter(Boolean).length;
  const oidcIssues = [
    ...(oidcParts > 0 && oidcParts < 3 ? ["OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET: set all three or none"] : []),
    ...(env.OIDC_ROLE_MAP.length > 0 && !env.OIDC_ROLE_CLAIM ? ["OIDC_ROLE_MAP: needs OIDC_ROLE_CLAIM"] : []),
    ...(env.PASSWORD_SIGN_IN_DISABLED && oidcParts < 3 ? ["PASSWORD_SIGN_IN_DISABLED: needs OpenID Connect configured (OIDC_*), or nobody could sign in"] : []),
  ];
  if (oidcIssues.length > 0) throw new InvalidEnvironmentError(oidcIssues);
  if (env.SESSION_IDLE_TIMEOUT_MINUTES > env.SESSION_MAX_AGE_HOURS * 60) {
    throw new InvalidEnvironmentError(["SESSION_IDLE_TIMEOUT_MINUTES: must not be longer than SESSION_MAX_AGE_HOURS"]);
  }
  return {
    ...env,
    IMAGE_STORE_DIR: env.IMAGE_STORE_DIR ?? path.join(env.DATA_DIR, "images"),
    MODEL_STORE_DIR: env.MODEL_STORE_DIR ?? path.join(env.DATA_DIR, "models"),
  };
}

let cached: Env | undefined;

/** The process's configuration; throws InvalidEnvironmentError naming each bad variable. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
