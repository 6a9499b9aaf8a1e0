/**
 * The one logger of the server and the worker: pino, one JSON object per line on stderr (stdout stays the CLIs' own
 * output), at the level env().LOG_LEVEL sets. What must never reach a log is decided here, once:
 * - patient and staff fields (REDACTED_FIELDS) are censored wherever they appear in a logged object;
 * - an error is logged as its kind, code and stack frames, never its message: a driver's or a library's message can
 *   quote the data it failed on (a duplicate MRN, a decrypted session token).
 * Messages themselves are written by this code base and name no patient data (server/faults/phi-in-logs.test.ts).
 */
import pino, { type Logger } from "pino";
import { env } from "../env";

/** Field names that hold patient or staff data; censored at the top level and up to three levels down. */
export const REDACTED_FIELDS = [
  "name",
  "email",
  "mrn",
  "birthDate",
  "label",
  "note",
  "reason",
  "fileName",
  "originalName",
  "password",
  "passwordHash",
  "token",
  "payload",
  "cookie",
  "authorization",
] as const;

export const REDACTION_CENSOR = "[redacted]";

const redactPaths = REDACTED_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`, `*.*.*.${field}`]);

/**
 * What kind of error this is, in words that survive the production build. Auth.js and jose bundle into the server
 * code, whose minifier renames classes, and both set `name` from the class name (an expired session logged its cause
 * as "N", a refused sign-in once as "[auth] j"). Their string tags are kept: Auth.js's static `type`
 * ("JWTSessionError"), jose's and Node's `code` ("ERR_JWT_EXPIRED", "ECONNREFUSED"). `name` only when neither exists.
 */
export function errorKind(error: Error): string {
  const tagged = error as { type?: unknown; code?: unknown };
  if (typeof tagged.type === "string" && tagged.type !== "") return tagged.type;
  if (typeof tagged.code === "string" && tagged.code !== "") return tagged.code;
  return error.name;
}

/** An error as the log holds it: its kind, a code when it has one, and where it was thrown (no message). */
export function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const code = (error as { code?: unknown }).code;
  const frames = (error.stack ?? "")
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 12)
    .map((line) => line.trim());
  const cause = error.cause instanceof Error ? { type: errorKind(error.cause) } : undefined;
  return { type: errorKind(error), ...(typeof code === "string" || typeof code === "number" ? { code } : {}), ...(cause ? { cause } : {}), frames };
}

function configuredLevel(): string {
  try {
    return env().LOG_LEVEL;
  } catch {
    // An invalid configuration is itself reported through this logger (the launcher, the worker): never fail here.
    return "info";
  }
}

/** A logger writing to `destination` (tests pass their own stream; the process logger writes to stderr). */
export function createLogger(destination: pino.DestinationStream = process.stderr, level: string = configuredLevel()): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactPaths, censor: REDACTION_CENSOR },
      serializers: { err: serializeError, error: serializeError },
    },
    destination,
  );
}

const globalForLogger = globalThis as unknown as { dermflagLogger?: Logger };

/** The process's logger, created on first use. */
export function logger(): Logger {
  globalForLogger.dermflagLogger ??= createLogger();
  return globalForLogger.dermflagLogger;
}

/** A child logger whose lines carry `component` (worker, jobs, upload, auth, ...). */
export function componentLogger(component: string): Logger {
  return logger().child({ component });
}

/**
 * An error's message, for the few lines that log it on purpose (a model that will not load, a worker that will not
 * start): operational errors whose message names files and settings, never patient data.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
