/**
 * An isolated, migrated database per test file. The first call in a run builds a template database from the
 * committed migrations (prisma/migrations/<name>/migration.sql, applied in order, exactly what `migrate deploy` runs);
 * each test file then gets `CREATE DATABASE ... TEMPLATE`, which takes milliseconds.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { inject } from "vitest";
import { createPrismaClient, type Db } from "../db/client";

const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../prisma/migrations");

function withDatabase(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdminClient<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function readMigrations(): { name: string; sql: string }[] {
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({ name, sql: readFileSync(path.join(migrationsDir, name, "migration.sql"), "utf8") }));
}

// Named after the migrations' content, so a server reused across runs (TEST_DATABASE_URL) never serves a stale schema.
const migrations = readMigrations();
const TEMPLATE = `dermflag_tpl_${createHash("sha256")
  .update(migrations.map((m) => m.name + m.sql).join("\n"))
  .digest("hex")
  .slice(0, 16)}`;

async function ensureTemplate(adminUrl: string): Promise<void> {
  await withAdminClient(adminUrl, async (client) => {
    // Test files start in parallel: an advisory lock makes exactly one of them build the template.
    await client.query("SELECT pg_advisory_lock(727274)");
    try {
      const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [TEMPLATE]);
      if (exists.rowCount) return;
      await client.query(`CREATE DATABASE ${TEMPLATE}`);
      await withAdminClient(withDatabase(adminUrl, TEMPLATE), async (template) => {
        for (const migration of migrations) await template.query(migration.sql);
      });
    } finally {
      await client.query("SELECT pg_advisory_unlock(727274)");
    }
  });
}

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject("testDatabaseAdminUrl");
  await ensureTemplate(adminUrl);
  const name = `dermflag_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`));
  const url = withDatabase(adminUrl, name);
  const db = createPrismaClient(url, { max: 5 });
  return {
    url,
    db,
    async drop() {
      await db.$disconnect();
      await withAdminClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
