/**
 * A PostgreSQL cluster of a test's own, which the test may stop and start again without disturbing the shared test
 * cluster (server/testing/global-setup.ts) that every other test file uses. Migrated the way server/testing/database.ts
 * migrates its template: the committed migration.sql files, in order.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { freePort, startEmbeddedPostgres, superuserPasswordFile, type EmbeddedPostgresHandle } from "../db/embedded-postgres";
import { COMMITTED_MIGRATIONS_DIR, committedMigrationNames } from "../services/backup/migrations";

const DATABASE = "dermflag_faults";

export interface DedicatedPostgres {
  /** The migrated application database. */
  url: string;
  /** Fast shutdown (SIGINT): open connections are cut, in-flight transactions rolled back. */
  stop(): Promise<void>;
  /** Starts the same cluster (same data, same port) again. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

async function applyCommittedMigrations(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const name of committedMigrationNames()) {
      await client.query(readFileSync(path.join(COMMITTED_MIGRATIONS_DIR, name, "migration.sql"), "utf8"));
    }
  } finally {
    await client.end();
  }
}

export async function startDedicatedPostgres(): Promise<DedicatedPostgres> {
  // Under the repository's .data (git-ignored): the cluster runs as the `postgres` user, which cannot read /root.
  const dataDir = path.resolve(".data", `faults-pg-${process.pid}-${randomBytes(4).toString("hex")}`);
  const port = await freePort();
  const open = () => startEmbeddedPostgres({ dataDir, port, persistent: true });
  let handle: EmbeddedPostgresHandle | null = await open();
  await handle.createDatabase(DATABASE);
  const url = handle.urlFor(DATABASE);
  await applyCommittedMigrations(url);
  return {
    url,
    async stop() {
      await handle?.stop();
      handle = null;
    },
    async start() {
      if (!handle) handle = await open();
    },
    async destroy() {
      await handle?.stop();
      handle = null;
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(superuserPasswordFile(dataDir), { force: true });
    },
  };
}
