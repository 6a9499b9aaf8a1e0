/**
 * `npm run seed`: demo users and demo patients into the configured database (the embedded one when DATABASE_URL
 * is unset). Refuses outside demo mode, so no account with a published password reaches a production database.
 */
import { createPrismaClient } from "../server/db/client";
import { env as loadEnv } from "../server/env";
import { applyMigrations, provideDatabase } from "../server/runtime/database";
import { seedDemo } from "./seed-demo";

const log = (line: string) => console.log(`[seed] ${line}`);

async function main() {
  const env = loadEnv();
  if (!env.DERMFLAG_DEMO) {
    console.error("[seed] Refusing to seed demo users outside demo mode. Set DERMFLAG_DEMO=1 for a demo database.");
    process.exit(2);
  }
  const database = await provideDatabase(env, log);
  try {
    await applyMigrations(database.url);
    const db = createPrismaClient(database.url, { max: 2 });
    try {
      await seedDemo({ db, sharedDataDir: env.SHARED_DATA_DIR, imageStoreDir: env.IMAGE_STORE_DIR, modelStoreDir: env.MODEL_STORE_DIR, log });
    } finally {
      await db.$disconnect();
    }
  } finally {
    await database.embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`[seed] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
