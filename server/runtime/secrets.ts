/**
 * AUTH_SECRET: from the environment in production. In demo mode only, a random one is generated once and kept in
 * DATA_DIR (mode 0600), so sessions survive restarts without anyone choosing a weak secret.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Env } from "../env";
import { InvalidEnvironmentError } from "../env";

export function resolveAuthSecret(env: Env): string {
  if (env.AUTH_SECRET) return env.AUTH_SECRET;
  if (!env.DERMFLAG_DEMO) {
    throw new InvalidEnvironmentError([
      "AUTH_SECRET: required outside demo mode (generate one with `openssl rand -base64 48`)",
    ]);
  }
  const file = path.resolve(env.DATA_DIR, "auth-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(48).toString("base64url");
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
