/**
 * Prisma 7 CLI configuration. Besides the usual paths and datasource, it makes the CLI work offline: every CLI
 * command (even `prisma -v`) otherwise downloads the native schema-engine binary from binaries.prisma.sh, which an
 * air-gapped hospital network cannot reach. We point the CLI at prisma/engine/schema-engine.mjs, which runs the
 * same engine compiled to WebAssembly (from npm) over @prisma/adapter-pg. See prisma/engine/README.md.
 *
 * Environment:
 * - DATABASE_URL: the database migrated by `prisma migrate ...` / `db push` (not needed for `generate`).
 * - SHADOW_DATABASE_URL (optional): a disposable database for `migrate dev` / `migrate diff --from-migrations`; it
 *   is wiped before use. Without it a temporary `prisma_migrate_shadow_db_<uuid>` database is created on the
 *   DATABASE_URL server and dropped afterwards (needs the CREATEDB privilege, like the native engine).
 * - PRISMA_SCHEMA_ENGINE_BINARY: set it yourself to use a native engine instead of the shim.
 */
import { chmodSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";

const engineShim = fileURLToPath(new URL("./prisma/engine/schema-engine.mjs", import.meta.url));
// The CLI spawns the shim directly, so it must stay executable even if a checkout or copy dropped the mode bits.
if ((statSync(engineShim).mode & 0o111) === 0) chmodSync(engineShim, 0o755);

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= engineShim;
// No update check / telemetry request to checkpoint.prisma.io.
process.env.CHECKPOINT_DISABLE ??= "1";
process.env.PRISMA_HIDE_UPDATE_MESSAGE ??= "1";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: {
    url: process.env.DATABASE_URL,
    shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL,
  },
});
