/**
 * Provides the database the app runs on: DATABASE_URL's server when set (nothing is started), otherwise an embedded
 * PostgreSQL with its data under DATA_DIR/postgres. Then applies the committed migrations. `url` is the owner's (the
 * embedded superuser's, or DATABASE_URL's role): migrations, bootstrap, backup and restore use it; the running app
 * gets appDatabaseUrl's.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import pg from "pg";
import type { Env } from "../env";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../db/embedded-postgres";
import { prepareAppRole, prepareJobQueue } from "./app-role";

export const APP_DATABASE = "dermflag";

export interface ProvidedDatabase {
  url: string;
  embedded: EmbeddedPostgresHandle | null;
}

async function ensureDatabaseExists(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

export async function provideDatabase(env: Env, log: (line: string) => void): Promise<ProvidedDatabase> {
  if (env.DATABASE_URL) {
    log("Using the PostgreSQL server in DATABASE_URL.");
    return { url: env.DATABASE_URL, embedded: null };
  }
  const dataDir = path.resolve(env.DATA_DIR, "postgres");
  log(`No DATABASE_URL: starting embedded PostgreSQL (data in ${dataDir}, port ${env.EMBEDDED_PG_PORT}).`);
  const embedded = await startEmbeddedPostgres({ dataDir, port: env.EMBEDDED_PG_PORT, persistent: true, notice: log });
  await ensureDatabaseExists(embedded.adminUrl, APP_DATABASE);
  return { url: embedded.urlFor(APP_DATABASE), embedded };
}

/**
 * The connection string the web server and the worker use, after the migrations. Embedded: the job queue's schema is
 * installed (or upgraded) and its queues created as the owner, then the app role (app-role.ts) gets its row
 * privileges; its password is kept in DATA_DIR/postgres-app-password. DATABASE_URL: that role, as configured.
 */
export async function appDatabaseUrl(env: Env, database: ProvidedDatabase): Promise<string> {
  if (!database.embedded) return database.url;
  await prepareJobQueue(database.url);
  return prepareAppRole(database.url, path.resolve(env.DATA_DIR, "postgres-app-password"));
}

/** Runs the Prisma CLI (offline engine, see prisma/engine) with the given arguments against `databaseUrl`. */
export function runPrismaCli(args: string[], databaseUrl: string, options: { quiet?: boolean } = {}): Promise<void> {
  const cli = path.resolve("node_modules/prisma/build/index.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: options.quiet ? ["ignore", "pipe", "pipe"] : "inherit",
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`prisma ${args.join(" ")} failed (exit ${code}).\n${output}`)),
    );
  });
}

export function applyMigrations(databaseUrl: string): Promise<void> {
  return runPrismaCli(["migrate", "deploy"], databaseUrl, { quiet: true });
}
