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
}

export async function loadSessionUser(db: Db, userId: string | undefined | null): Promise<SessionUser | null> {
  if (!userId) return null;
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, name: true, role: true, active: true },
  });
  if (!user || !user.active) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

/** For server components and route handlers: the current user, once per request. */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const [{ auth }, { getDb }] = await Promise.all([import("./index"), import("../db/client")]);
  const session = await auth();
  return loadSessionUser(getDb(), session?.user?.id);
});
