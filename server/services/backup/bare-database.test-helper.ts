/**
 * Test-only: a brand-new database with nothing in it (no schema, no migration history), on the vitest PostgreSQL.
 * createTestDatabase() clones a template that already has the schema but no `_prisma_migrations`; a backup needs a
 * source migrated by Prisma, and a restore a target as an operator would create it.
 */
import pg from "pg";
import { inject } from "vitest";

export interface BareDatabase {
  url: string;
  drop(): Promise<void>;
}

async function onAdmin(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createBareDatabase(): Promise<BareDatabase> {
  const adminUrl = inject("testDatabaseAdminUrl");
  const name = `dermflag_bare_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await onAdmin(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onAdmin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Runs one query on its own connection (tests compare databases they do not hold a Prisma client for). */
export async function queryOnce<R extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}
