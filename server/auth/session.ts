/**
 * The signed-in user, re-read from the database on every request: a deactivated account or a changed role takes
 * effect at once, not when the session token expires.
 */
import { cache } from "react";
import type { Db } from "../db/client";
import type { Role } from "./roles";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** After an admin's password reset: pages send the user to /account/password (guards.ts), the API refuses (trpc/init.ts). */
  mustChangePassword?: boolean;
}

/**
 * What a route handler answers (403) to a user whose password an admin reset, until they choose their own: nothing
 * but the password change answers then, in pages (guards.ts), procedures (trpc/init.ts) and route handlers alike.
 */
export const CHANGE_PASSWORD_FIRST = "Choose a new password first.";

/**
 * A signed-in account whether or not it has a role. One without (provisioned through OpenID Connect, server/auth/
 * oidc-sign-in.ts) is not a user of the app: loadSessionUser and currentUser return null for it, so every page,
 * procedure and route refuses it; only /waiting-for-access and the login page read the account.
 */
export type SessionAccount = Omit<SessionUser, "role"> & { role: Role | null };

function withRole(account: SessionAccount | null): SessionUser | null {
  return account?.role ? { ...account, role: account.role } : null;
}

/** `authTime`: when the session began (ms since the epoch); sessions begun before a revocation are refused. */
export async function loadSessionUser(
  db: Db,
  session: { id?: string | null; authTime?: number } | null | undefined,
): Promise<SessionUser | null> {
  return withRole(await loadSessionAccount(db, session));
}

export async function loadSessionAccount(
  db: Db,
  session: { id?: string | null; authTime?: number } | null | undefined,
): Promise<SessionAccount | null> {
  if (!session?.id) return null;
  const user = await db.user.findUnique({
    where: { id: session.id },
    select: { id: true, email: true, name: true, role: true, active: true, sessionsRevokedAt: true, mustChangePassword: true },
  });
  if (!user || !user.active) return null;
  if (user.sessionsRevokedAt && (session.authTime ?? 0) < user.sessionsRevokedAt.getTime()) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role, mustChangePassword: user.mustChangePassword };
}

/** The current signed-in account, with or without a role, once per request. */
export const currentAccount = cache(async (): Promise<SessionAccount | null> => {
  const [{ auth }, { getDb }] = await Promise.all([import("./index"), import("../db/client")]);
  const session = await auth();
  return loadSessionAccount(getDb(), session?.user);
});

/** For server components and route handlers: the current user (an account with a role), once per request. */
export const currentUser = cache(async (): Promise<SessionUser | null> => withRole(await currentAccount()));

/**
 * Sign-out: every session of this user that began before now is refused from here on, including a token a late
 * response may still set in the browser (and sessions on other devices: signing out signs out everywhere).
 */
export async function revokeSessions(db: Pick<Db, "user">, userId: string, now: Date = new Date()): Promise<void> {
  await db.user.update({ where: { id: userId }, data: { sessionsRevokedAt: now } });
}
