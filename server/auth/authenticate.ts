/**
 * Email + password sign-in with lockout. The caller only learns "signed in" or "not": never whether the email
 * exists, whether the account is locked, or which part was wrong.
 *
 * Lockout state is two columns on User: `failedLoginCount` (attempts since the last success or lock) and
 * `lockedUntil`. Each attempt is counted before its password is checked, in one UPDATE that also refuses a locked
 * account and locks on the MAX_FAILED_LOGINS-th attempt: parallel guesses cannot all be checked before any is counted.
 * A success clears both; so does `clearSignInLockout` (an admin's "unlock").
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
  /** Null: no role granted yet (an account provisioned through OpenID Connect): signed in, sees only /waiting-for-access. */
  role: Role | null;
}

export type AuthenticationFailure = "invalid-credentials" | "locked" | "inactive";

export type AuthenticationResult =
  | { ok: true; user: AuthenticatedUser }
  /** `userId`: the account the email named, when there is one (for the audit trail, never for the client). */
  | { ok: false; reason: AuthenticationFailure; userId?: string };

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Counts one attempt on the account, or refuses it when the account is locked. Locks the account on the attempt
 * that reaches MAX_FAILED_LOGINS (that attempt is still checked; a right password then clears the lock). A lock that
 * has run out starts the count again.
 */
async function reserveAttempt(db: Db, userId: string, now: Date): Promise<boolean> {
  const lockedUntil = new Date(now.getTime() + LOCKOUT_MINUTES * 60_000);
  const counted = await db.$executeRaw`
    UPDATE "User" SET
      "failedLoginCount" = CASE WHEN "lockedUntil" IS NULL THEN "failedLoginCount" + 1 ELSE 1 END,
      "lockedUntil" = CASE WHEN (CASE WHEN "lockedUntil" IS NULL THEN "failedLoginCount" + 1 ELSE 1 END) >= ${MAX_FAILED_LOGINS}
                           THEN ${lockedUntil}::timestamp(3) ELSE NULL END
    WHERE "id" = ${userId} AND ("lockedUntil" IS NULL OR "lockedUntil" <= ${now}::timestamp(3))`;
  return counted === 1;
}

export async function authenticate(
  db: Db,
  credentials: { email: string; password: string },
  now: Date = new Date(),
): Promise<AuthenticationResult> {
  const email = normaliseEmail(credentials.email);
  const user = await db.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, role: true, passwordHash: true, active: true },
  });
  if (!user) {
    await verifyPassword(await dummyPasswordHash(), credentials.password);
    return { ok: false, reason: "invalid-credentials" };
  }
  if (!(await reserveAttempt(db, user.id, now))) {
    await verifyPassword(await dummyPasswordHash(), credentials.password);
    return { ok: false, reason: "locked", userId: user.id };
  }
  if (!(await verifyPassword(user.passwordHash, credentials.password))) {
    return { ok: false, reason: "invalid-credentials", userId: user.id };
  }
  if (!user.active) return { ok: false, reason: "inactive", userId: user.id };
  await db.user.update({
    where: { id: user.id },
    data: { failedLoginCount: 0, lockedUntil: null, lastLoginAt: now },
  });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role } };
}

/** Whether the account is locked out now (for an admin's user list). */
export function isLockedOut(user: { lockedUntil: Date | null }, now: Date = new Date()): boolean {
  return user.lockedUntil !== null && user.lockedUntil > now;
}

/** An admin's "unlock": the account may sign in again at once, with a full allowance of attempts. */
export async function clearSignInLockout(db: Pick<Db, "user">, userId: string): Promise<void> {
  await db.user.update({ where: { id: userId }, data: { failedLoginCount: 0, lockedUntil: null } });
}
