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

/** `authTime`: when the session began (ms since the epoch); sessions begun before a revocation are refused. */
export async function loadSessionUser(
  db: Db,
  session: { id?: string | null; authTime?: number } | null | undefined,
): Promise<SessionUser | null> {
  if (!session?.id) return null;
  const user = await db.user.findUnique({
    where: { id: session.id },
    select: { id: true, email: true, name: true, role: true, active: true, sessionsRevokedAt: true, mustChangePassword: true },
  });
  if (!user || !user.active) return null;
  if (user.sessionsRevokedAt && (session.authTime ?? 0) < user.sessionsRevokedAt.getTime()) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role, mustChangePassword: user.mustChangePassword };
}

/** For server components and route handlers: the current user, once per request. */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const [{ auth }, { getDb }] = await Promise.all([import("./index"), import("../db/client")]);
  const session = await auth();
  return loadSessionUser(getDb(), session?.user);
});

/**
 * Sign-out: every session of this user that began before now is refused from here on, including a token a late
 * response may still set in the browser (and sessions on other devices: signing out signs out everywhere).
 */
export async function revokeSessions(db: Pick<Db, "user">, userId: string, now: Date = new Date()): Promise<void> {
  await db.user.update({ where: { id: userId }, data: { sessionsRevokedAt: now } });
}
