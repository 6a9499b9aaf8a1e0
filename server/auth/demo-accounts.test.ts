import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parseEnv } from "../env";
import { ensureFirstAdmin } from "../runtime/first-admin";
import { createUser, createUserInput } from "../services/users/users";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { authenticate } from "./authenticate";
import { claimDemoDatabase, DemoDatabaseRefusedError, enforceDemoBoundary } from "./demo-accounts";

const demoAdmin = { email: "admin@dermflag.demo", name: "Ada Admin", role: "ADMIN", password: "demo-admin-password" } as const;

let demoDatabase: TestDatabase;
let clinicDatabase: TestDatabase;

beforeAll(async () => {
  [demoDatabase, clinicDatabase] = await Promise.all([createTestDatabase(), createTestDatabase()]);
});
afterAll(() => Promise.all([demoDatabase.drop(), clinicDatabase.drop()]));

describe("demo accounts and production starts", () => {
  it("a start outside demo mode disables the demo seed's accounts and says so; demo mode enables them again", async () => {
    const { db } = demoDatabase;
    const lines: string[] = [];
    // What a demo start does: claim the empty database, then seed its accounts.
    await enforceDemoBoundary(db, true, (line) => lines.push(line));
    await createUser({ db, actorId: null, input: createUserInput.parse(demoAdmin), createdByDemoSeed: true });
    expect((await authenticate(db, demoAdmin)).ok).toBe(true);

    // Stopped, then started for production on the same database.
    const env = parseEnv({ FIRST_ADMIN_EMAIL: "chief@clinic.example", FIRST_ADMIN_PASSWORD: "a-long-enough-password" });
    await ensureFirstAdmin(db, env, (line) => lines.push(line));
    expect(await authenticate(db, demoAdmin)).toMatchObject({ ok: false, reason: "inactive" });
    expect(lines.join("\n")).toMatch(/Disabled 1 demo account\(s\) \(admin@dermflag\.demo\).*DERMFLAG_DEMO is off/);
    // The disabled demo admin does not count as an admin: the configured first admin is created.
    expect(await db.user.findUnique({ where: { email: "chief@clinic.example" }, select: { active: true } })).toEqual({ active: true });
    expect(await db.auditLog.count({ where: { action: "UPDATE", entityType: "User" } })).toBe(1);

    await enforceDemoBoundary(db, true, (line) => lines.push(line));
    expect((await authenticate(db, demoAdmin)).ok).toBe(true);
  });

  it("demo mode refuses a database that no demo seed created", async () => {
    const { db } = clinicDatabase;
    await createUser({
      db,
      actorId: null,
      input: createUserInput.parse({ email: "chief@clinic.example", name: "Chief", role: "ADMIN", password: "a-long-enough-password" }),
    });
    await expect(claimDemoDatabase(db, () => {})).rejects.toBeInstanceOf(DemoDatabaseRefusedError);
    await expect(ensureFirstAdmin(db, parseEnv({ DERMFLAG_DEMO: "1" }), () => {})).rejects.toThrow(/refuses this database/);
    expect(await db.user.count()).toBe(1);
  });
});

describe("the migration that added the marks", () => {
  it("marks the demo accounts and the database of an install seeded before it, so its next production start disables them", async () => {
    const adminUrl = new URL(inject("testDatabaseAdminUrl"));
    const name = `dermflag_backfill_${process.pid}`;
    const admin = new pg.Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    adminUrl.pathname = `/${name}`;
    const client = new pg.Client({ connectionString: adminUrl.toString() });
    await client.connect();
    try {
      const dir = path.resolve("prisma/migrations");
      const migrations = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
      const ours = migrations.findIndex((m) => m.endsWith("_sign_in_hardening"));
      for (const migration of migrations.slice(0, ours)) await client.query(readFileSync(path.join(dir, migration, "migration.sql"), "utf8"));
      await client.query(`INSERT INTO "User" (id, email, name, role, "passwordHash", "updatedAt") VALUES
        ('u1', 'admin@dermflag.demo', 'Ada', 'ADMIN', 'x', now()), ('u2', 'chief@clinic.example', 'Chief', 'ADMIN', 'x', now())`);
      for (const migration of migrations.slice(ours)) await client.query(readFileSync(path.join(dir, migration, "migration.sql"), "utf8"));
      const marked = await client.query(`SELECT email FROM "User" WHERE "createdByDemoSeed" ORDER BY email`);
      expect(marked.rows).toEqual([{ email: "admin@dermflag.demo" }]);
      expect((await client.query(`SELECT 1 FROM "Setting" WHERE key = 'demo.database'`)).rowCount).toBe(1);
    } finally {
      await client.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
