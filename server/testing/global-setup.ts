/**
 * Vitest global setup: one real PostgreSQL for the whole run (embedded, or TEST_DATABASE_URL's server). Test files
 * that need a database call `createTestDatabase()` from ./database.ts, which clones a migrated template database, so
 * every file gets its own isolated database in milliseconds.
 */
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../db/embedded-postgres";

let embedded: EmbeddedPostgresHandle | undefined;

export default async function setup(project: TestProject) {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: `.data/test-postgres-${process.pid}`,
      persistent: false,
    });
    adminUrl = embedded.adminUrl;
  }
  project.provide("testDatabaseAdminUrl", adminUrl);
  // embedded-postgres registers async-exit-hook, which answers 'beforeExit' with process.exit(0): that replaced the
  // failure code vitest sets, so `vitest run` exited 0 with failing tests (and CI passed). Exit with vitest's code
  // before that hook runs.
  process.prependListener("beforeExit", () => process.exit(process.exitCode ?? 0));
  return async () => {
    await embedded?.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    testDatabaseAdminUrl: string;
  }
}
