/**
 * Password hashing (Argon2id, OWASP parameters) and the password policy.
 */
import { hash, verify } from "@node-rs/argon2";
import { z } from "zod";

// OWASP 2024 minimum for Argon2id: m=19 MiB, t=2, p=1.
const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 12;

export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(256, "Use at most 256 characters.")
  .refine((value) => new Set(value).size >= 5, "Use at least 5 different characters.");

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    // A malformed stored hash must read as "wrong password", never as a crash or a way in.
    return false;
  }
}

// Verifying against this keeps the time of "unknown email" close to "wrong password", so timing leaks nothing.
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword("dermflag-timing-equaliser-not-a-password");
  return dummyHash;
}
