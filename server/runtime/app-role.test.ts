/**
 * The app's own database role (app-role.ts) against a real, migrated database: it reads and writes what the app
 * needs, but cannot rewrite or erase the audit trail, switch its trigger off, or change the schema.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOSS_SCHEMA, startBoss } from "../jobs/boss";
import { QUEUES } from "../jobs/queues";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { BOSS_CRON_QUEUE, prepareAppRole, prepareJobQueue } from "./app-role";

// Roles belong to the whole (shared) test cluster: a name of this file's own.
const ROLE = `dermflag_app_test_${process.pid}`;
const secrets = mkdtempSync(path.join(os.tmpdir(), "dermflag-app-role-"));
let database: TestDatabase;
let app: pg.Client;
let appUrl: string;
let auditId: string;

/** The SQLSTATE a statement fails with as the app role, or null when it succeeds. */
async function failureOf(sql: string): Promise<string | null> {
  try {
    await app.query(sql);
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? "no code";
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  // As at start-up: the owner installs the job queue's schema before the role's privileges are granted.
  // Test databases are migrated from the SQL files, without `migrate deploy`'s history table: make one as it would.
  await database.db.$executeRawUnsafe(`CREATE TABLE "_prisma_migrations" (id varchar(36) PRIMARY KEY)`);
  await prepareJobQueue(database.url);
  auditId = String((await database.db.auditLog.create({ data: { action: "test.seed", entityType: "Test", entityId: "1" } })).id);
  appUrl = await prepareAppRole(database.url, path.join(secrets, "app-password"), ROLE);
  app = new pg.Client({ connectionString: appUrl });
  await app.connect();
}, 60_000);

afterAll(async () => {
  await app?.end();
  await database?.drop();
  // The database is gone, so the role holds no privileges anywhere and can be dropped.
  const maintenance = new URL(database.url);
  maintenance.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: maintenance.toString() });
  await admin.connect();
  await admin.query(`DROP ROLE IF EXISTS ${ROLE}`).finally(() => admin.end());
  rmSync(secrets, { recursive: true, force: true });
});

describe("the app's database role", () => {
  it("is a plain login role that reads and writes rows, appends to the audit log and uses the job queue", async () => {
    const role = await app.query<{ rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean; rolbypassrls: boolean }>(
      "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = current_user",
    );
    expect(role.rows[0]).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false });
    await app.query(`INSERT INTO "Patient" (id, mrn, name, "updatedAt") VALUES ('p-role', 'ROLE-1', 'Role Test', now())`);
    await app.query(`UPDATE "Patient" SET name = 'Role Test 2' WHERE id = 'p-role'`);
    await app.query(`INSERT INTO "AuditLog" (action, "entityType", "entityId") VALUES ('test.app', 'Patient', 'p-role')`);
    expect((await app.query(`SELECT count(*)::int AS n FROM "AuditLog"`)).rows[0].n).toBe(2);

    // As the worker starts it: maintenance and the cron scheduler included.
    const boss = await startBoss(appUrl, "worker");
    try {
      expect(await boss.send(QUEUES.scoreImages, { imageIds: ["none"] })).toBeTruthy();
      expect(await boss.getQueue(BOSS_CRON_QUEUE)).toBeTruthy();
      await boss.schedule(QUEUES.scoreImages, "0 3 * * *", { imageIds: ["none"] });
    } finally {
      await boss.stop({ graceful: false });
    }
  });

  it("cannot update, delete or truncate audit rows, nor disable or drop the append-only trigger", async () => {
    expect(await failureOf(`UPDATE "AuditLog" SET action = 'forged' WHERE id = ${auditId}`)).toBe("42501");
    expect(await failureOf(`DELETE FROM "AuditLog" WHERE id = ${auditId}`)).toBe("42501");
    expect(await failureOf(`TRUNCATE "AuditLog"`)).toBe("42501");
    expect(await failureOf(`ALTER TABLE "AuditLog" DISABLE TRIGGER "AuditLog_append_only"`)).toBe("42501");
    expect(await failureOf(`ALTER TABLE "AuditLog" DISABLE TRIGGER ALL`)).toBe("42501");
    expect(await failureOf(`DROP TRIGGER "AuditLog_append_only" ON "AuditLog"`)).toBe("42501");
    expect(await failureOf(`DROP FUNCTION "audit_log_is_append_only"() CASCADE`)).toBe("42501");
    expect(await failureOf(`SET session_replication_role = replica`)).toBe("42501");
    const row = await database.db.auditLog.findUniqueOrThrow({ where: { id: BigInt(auditId) } });
    expect(row.action).toBe("test.seed");
  });

  it("cannot change the schema, the job queue's tables or the migration history", async () => {
    expect(await failureOf(`CREATE TABLE public.intruder (id int)`)).toBe("42501");
    expect(await failureOf(`ALTER TABLE "Patient" ADD COLUMN intruder text`)).toBe("42501");
    expect(await failureOf(`DROP TABLE "Patient" CASCADE`)).toBe("42501");
    expect(await failureOf(`ALTER TABLE ${BOSS_SCHEMA}.job DISABLE TRIGGER ALL`)).toBe("42501");
    expect(await failureOf(`SELECT * FROM "_prisma_migrations"`)).toBe("42501");
    expect(await failureOf(`CREATE SCHEMA intruder`)).toBe("42501");
  });

  it("has a random password, kept in a file only its owner can read, and the same on the next start", async () => {
    const file = path.join(secrets, "app-password");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const password = readFileSync(file, "utf8").trim();
    expect(password.length).toBeGreaterThanOrEqual(32);
    expect(new URL(await prepareAppRole(database.url, file, ROLE)).password).toBe(encodeURIComponent(password));

    const other = path.join(secrets, "other-app-password");
    await prepareAppRole(database.url, other, ROLE);
    expect(readFileSync(other, "utf8").trim()).not.toBe(password);
    // The role now has the other file's password: restore this file's for the other tests' connection (still open).
    await prepareAppRole(database.url, file, ROLE);
  });
});
