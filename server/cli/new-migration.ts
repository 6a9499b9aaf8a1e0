/**
 * `npm run db:new-migration -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql for the changes in
 * prisma/schema.prisma, without needing a development database: it replays the committed migrations into a
 * throw-away embedded PostgreSQL and lets `prisma migrate dev --create-only` diff against it (offline engine).
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { startEmbeddedPostgres } from "../db/embedded-postgres";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("Usage: npm run db:new-migration -- <snake_case_name>");
  process.exit(2);
}
const dataDir = path.resolve(".data", `new-migration-${process.pid}`);
const postgres = await startEmbeddedPostgres({ dataDir, persistent: false });
try {
  await postgres.createDatabase("migration_draft");
  execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "migrate", "dev", "--name", name, "--create-only"], {
    env: { ...process.env, DATABASE_URL: postgres.urlFor("migration_draft") },
    stdio: "inherit",
  });
} finally {
  await postgres.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
