/**
 * Email + password sign-in with lockout. The caller only learns "signed in" or "not": never whether the email
 * exists, whether the account is locked, or which part was wrong.
 */
import type { Db } from "../db/client";
import type { Role } from "./roles";
import { dummyPasswordHash, verifyPassword } from "./password";

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;

export interface AuthenticatedUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export type AuthenticationResult =
  | { ok: true; user: AuthenticatedUser }
  | { ok: false; reason: "invalid-credentials" | "locked" | "inactive" };

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function authenticate(
  db: Db,
  credentials: { email: string; password: string },
  now: Date = new Date(),
): Promise<AuthenticationResult> {
  const email = normaliseEmail(credentials.email);
  const user = await db.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, role: true, passwordHash: true, active: true, lockedUntil: true },
  });
  if (!user) {
    await verifyPassword(await dummyPasswordHash(), credentials.password);
    return { ok: false, reason: "invalid-credentials" };
  }
  if (user.lockedUntil && user.lockedUntil > now) {
    await verifyPassword(await dummyPasswordHash(), credentials.password);
    return { ok: false, reason: "locked" };
  }
  const valid = await verifyPassword(user.passwordHash, credentials.password);
  if (!valid) {
    // Count failures atomically so parallel guesses cannot slip past the limit.
    const updated = await db.user.update({
      where: { id: user.id },
      data: { failedLoginCount: { increment: 1 } },
      select: { failedLoginCount: true },
    });
    if (updated.failedLoginCount >= MAX_FAILED_LOGINS) {
      await db.user.update({
        where: { id: user.id },
        data: { lockedUntil: new Date(now.getTime() + LOCKOUT_MINUTES * 60_000), failedLoginCount: 0 },
      });
    }
    return { ok: false, reason: "invalid-credentials" };
  }
  if (!user.active) return { ok: false, reason: "inactive" };
  await db.user.update({
    where: { id: user.id },
    data: { failedLoginCount: 0, lockedUntil: null, lastLoginAt: now },
  });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role } };
}
