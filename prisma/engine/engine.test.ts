/**
 * Runs the real Prisma CLI with the wasm schema-engine shim against a real PostgreSQL (the vitest global one), in
 * a temporary project (schema, migrations, config) outside the repository. Nothing here may reach the network:
 * the CLI would try binaries.prisma.sh if the shim were not picked up.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const prismaCli = path.join(repoRoot, "node_modules/prisma/build/index.js");
const engineShim = path.join(repoRoot, "prisma/engine/schema-engine.mjs");
const enginesVersion: string = JSON.parse(
  readFileSync(path.join(repoRoot, "node_modules/@prisma/engines-version/package.json"), "utf8"),
).prisma.enginesVersion;

const SCHEMA = `
generator client {
  provider = "prisma-client"
  output   = "./generated"
}

datasource db {
  provider = "postgresql"
}

model Patient {
  id      Int      @id @default(autoincrement())
  name    String
  lesions Lesion[]
}

model Lesion {
  id        Int     @id @default(autoincrement())
  patientId Int
  patient   Patient @relation(fields: [patientId], references: [id])
  site      String
  @@index([patientId])
}
`;

// What `migrate dev` would generate for SCHEMA, plus a function whose body contains ";" (adapter-pg's own
// executeScript would split it mid-body; the shim sends scripts whole, as the native engine does).
const INIT_MIGRATION = `
CREATE TABLE "Patient" ("id" SERIAL NOT NULL, "name" TEXT NOT NULL, CONSTRAINT "Patient_pkey" PRIMARY KEY ("id"));
CREATE TABLE "Lesion" ("id" SERIAL NOT NULL, "patientId" INTEGER NOT NULL, "site" TEXT NOT NULL,
  CONSTRAINT "Lesion_pkey" PRIMARY KEY ("id"));
CREATE INDEX "Lesion_patientId_idx" ON "Lesion"("patientId");
ALTER TABLE "Lesion" ADD CONSTRAINT "Lesion_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id")
  ON DELETE RESTRICT ON UPDATE CASCADE;
CREATE FUNCTION lesion_count() RETURNS bigint LANGUAGE sql AS $$ SELECT 1; SELECT count(*) FROM "Lesion"; $$;
DROP FUNCTION lesion_count();
`;

interface CliResult {
  code: number;
  output: string;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: inject("testDatabaseAdminUrl") });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

describe("Prisma CLI through the wasm schema-engine shim", () => {
  const suffix = `${process.pid}_${randomBytes(4).toString("hex")}`;
  // A dedicated role (CREATEDB, not superuser) owns the test database, so shadow databases it creates are ours.
  const role = `engine_shim_${suffix}`;
  const password = randomBytes(12).toString("hex");
  const database = `engine_shim_${suffix}`;
  let databaseUrl = "";
  let project = "";

  function runCli(args: string[], env: Record<string, string | undefined> = {}, cwd = project): Promise<CliResult> {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", CHECKPOINT_DISABLE: "1", ...env };
    delete childEnv.FORCE_COLOR;
    for (const [key, value] of Object.entries(env)) if (value === undefined) delete childEnv[key];
    return new Promise((resolve) => {
      execFile(process.execPath, [prismaCli, ...args], { cwd, env: childEnv, timeout: 45_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      });
    });
  }

  const cliEnv = () => ({ PRISMA_SCHEMA_ENGINE_BINARY: engineShim, DATABASE_URL: databaseUrl });

  function writeMigration(name: string, sql: string) {
    mkdirSync(path.join(project, "migrations", name), { recursive: true });
    writeFileSync(path.join(project, "migrations", name, "migration.sql"), sql);
  }

  beforeAll(async () => {
    await adminQuery(`CREATE ROLE ${role} LOGIN CREATEDB PASSWORD '${password}'`);
    await adminQuery(`CREATE DATABASE ${database} OWNER ${role}`);
    const url = new URL(withDatabase(inject("testDatabaseAdminUrl"), database));
    url.username = role;
    url.password = password;
    databaseUrl = url.toString();

    project = mkdtempSync(path.join(tmpdir(), "engine-shim-"));
    writeFileSync(path.join(project, "schema.prisma"), SCHEMA);
    writeFileSync(
      path.join(project, "prisma.config.ts"),
      `export default {
        schema: "./schema.prisma",
        migrations: { path: "./migrations" },
        datasource: { url: process.env.DATABASE_URL, shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL },
      };\n`,
    );
    mkdirSync(path.join(project, "migrations"));
    writeFileSync(path.join(project, "migrations", "migration_lock.toml"), 'provider = "postgresql"\n');
    writeMigration("20250101000000_init", INIT_MIGRATION);
  });

  afterAll(async () => {
    if (project) rmSync(project, { recursive: true, force: true });
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await adminQuery(`DROP ROLE IF EXISTS ${role}`);
  });

  it("is picked up through the repository's prisma.config.ts, reporting the CLI's own engine version", async () => {
    const result = await runCli(["-v"], { PRISMA_SCHEMA_ENGINE_BINARY: undefined, DATABASE_URL: undefined }, repoRoot);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(
      new RegExp(`Schema Engine\\s*: schema-engine-cli ${enginesVersion} \\(wasm, prisma/engine shim\\).*PRISMA_SCHEMA_ENGINE_BINARY`),
    );
  });

  it("generates the Rust-free client", async () => {
    const result = await runCli(["generate"], cliEnv());
    expect(result.code, result.output).toBe(0);
    const client = readFileSync(path.join(project, "generated", "client.ts"), "utf8");
    expect(client).toContain("Patient");
    expect(existsSync(path.join(project, "generated", "models", "Lesion.ts"))).toBe(true);
  });

  it("diffs from empty to a schema, with and without a database", async () => {
    for (const env of [cliEnv(), { ...cliEnv(), DATABASE_URL: undefined }]) {
      const result = await runCli(["migrate", "diff", "--from-empty", "--to-schema", "schema.prisma", "--script"], env);
      expect(result.code, result.output).toBe(0);
      expect(result.output).toContain('CREATE TABLE "Patient"');
      expect(result.output).toContain('ADD CONSTRAINT "Lesion_patientId_fkey" FOREIGN KEY ("patientId")');
    }
  });

  it("deploys a migrations folder, then reports the database up to date", async () => {
    const deploy = await runCli(["migrate", "deploy"], cliEnv());
    expect(deploy.code, deploy.output).toBe(0);
    expect(deploy.output).toContain("20250101000000_init");
    expect(deploy.output).toContain("All migrations have been successfully applied.");

    const status = await runCli(["migrate", "status"], cliEnv());
    expect(status.code, status.output).toBe(0);
    expect(status.output).toContain("Database schema is up to date!");
  });

  it("replays the migrations in a throw-away shadow database (not the main one) and drops it", async () => {
    const result = await runCli(
      ["migrate", "diff", "--from-migrations", "migrations", "--to-schema", "schema.prisma", "--exit-code"],
      cliEnv(),
    );
    // Exit code 0 means no difference: the replayed migrations (read back through PostgreSQL 18's catalog) match.
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain("No difference detected.");
    const leftovers = await adminQuery<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datdba = (SELECT oid FROM pg_roles WHERE rolname = $1)",
      [role],
    );
    expect(leftovers.map((row) => row.datname)).toEqual([database]);
  });

  it("fails a migration with bad SQL clearly, rolling it back", async () => {
    writeMigration("20250102000000_broken", 'CREATE TABLE "Half" ("id" INTEGER);\nALTER TABLE "Nowhere" ADD COLUMN "x" INT;\n');
    const result = await runCli(["migrate", "deploy"], cliEnv());
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("P3018");
    expect(result.output).toContain("Migration name: 20250102000000_broken");
    expect(result.output).toMatch(/Database error:\s*\n.*Nowhere/);

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const half = await client.query("SELECT to_regclass('\"Half\"') AS half");
      expect(half.rows[0].half).toBeNull();
      const failed = await client.query(
        "SELECT finished_at FROM _prisma_migrations WHERE migration_name = '20250102000000_broken'",
      );
      expect(failed.rows).toEqual([{ finished_at: null }]);
    } finally {
      await client.end();
    }
  });
});
