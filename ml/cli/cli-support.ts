/**
 * What the ml command-line tools share: argument errors, typed option parsing, and turning the ml module's typed
 * errors into one clear line and a distinct exit code (2 usage, 3 data folder, 4 model, 130 cancelled, 1 anything
 * else, with the stack, because that is a bug).
 */
import { DatasetError } from "../data/dataset-error";
import { UnsupportedModelError } from "../inference/onnx/keras-topology";
import { ModelStoreError } from "../store/store-error";

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export const EXIT = { ok: 0, failure: 1, usage: 2, data: 3, model: 4, cancelled: 130 } as const;

export function parseNumberOption(name: string, value: string | undefined, check: (n: number) => boolean, expected: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || !check(n)) throw new UsageError(`--${name} must be ${expected}, got "${value}"`);
  return n;
}

export const positiveInteger = (name: string, value: string | undefined) =>
  parseNumberOption(name, value, (n) => Number.isInteger(n) && n > 0, "a positive whole number");
export const nonNegativeInteger = (name: string, value: string | undefined) =>
  parseNumberOption(name, value, (n) => Number.isInteger(n) && n >= 0, "a whole number >= 0");
export const probability = (name: string, value: string | undefined) =>
  parseNumberOption(name, value, (n) => n >= 0 && n <= 1, "a number between 0 and 1");

/** "90", "90s", "15m", "2h" -> seconds. */
export function parseDuration(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)([smh]?)$/.exec(value.trim());
  if (match === null || Number(match[1]) <= 0) throw new UsageError(`--${name} must be a duration like 90, 90s, 15m or 2h, got "${value}"`);
  return Number(match[1]) * { "": 1, s: 1, m: 60, h: 3600 }[match[2] as "" | "s" | "m" | "h"];
}

export function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(", ")}, got "${value}"`);
  return value as T;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}

/** Runs a CLI main function and exits with a code that says what went wrong. */
export async function runCli(usage: string, main: () => Promise<void>): Promise<never> {
  try {
    await main();
    // Explicit exit: native engines and progress bars must not keep a finished command alive.
    process.exit(typeof process.exitCode === "number" ? process.exitCode : EXIT.ok);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}\n\n${usage}`);
      process.exit(EXIT.usage);
    }
    if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
      console.error(`error: ${error.message}\n\n${usage}`);
      process.exit(EXIT.usage);
    }
    if (error instanceof DatasetError) {
      console.error(`Data problem: ${error.message}`);
      process.exit(EXIT.data);
    }
    if (error instanceof ModelStoreError) {
      console.error(`Model problem (${error.code}): ${error.message}`);
      process.exit(EXIT.model);
    }
    if (error instanceof UnsupportedModelError) {
      console.error(`Model problem: ${error.message}`);
      process.exit(EXIT.model);
    }
    if (isAbort(error)) {
      console.error("Cancelled; nothing was saved.");
      process.exit(EXIT.cancelled);
    }
    console.error(error);
    process.exit(EXIT.failure);
  }
}
