import { auth } from "../auth";
import { loadSessionUser } from "../auth/session";
import { getDb } from "../db/client";
import type { Context } from "./init";

export async function createRequestContext(): Promise<Context> {
  const db = getDb();
  const session = await auth();
  return { db, user: await loadSessionUser(db, session?.user) };
}
