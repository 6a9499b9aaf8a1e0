import { auth } from "../auth";
import { sessionFromGate } from "../auth/route-gate";
import { loadSessionUser } from "../auth/session";
import { getDb } from "../db/client";
import type { Context } from "./init";

/** The signed-in user from the session the route's gate decoded (route-gate.ts), or from the cookie when no gate ran. */
export async function createRequestContext(request?: Request): Promise<Context> {
  const db = getDb();
  const gated = request ? sessionFromGate(request) : undefined;
  const session = gated !== undefined ? gated : await auth();
  return { db, user: await loadSessionUser(db, session?.user) };
}
