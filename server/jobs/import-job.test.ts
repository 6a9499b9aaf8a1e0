import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DomainError } from "../services/domain-error";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/client";
import { startImportRun } from "../services/imports/import-runs";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { startBoss } from "./boss";
import { startWorker, type RunningWorker } from "./worker";

let database: TestDatabase;
let worker: RunningWorker;
let sender: PgBoss;
let adminId: string;
const imageDir = mkdtempSync(path.join(os.tmpdir(), "dermflag-import-job-"));

async function waitForRun(db: Db, id: string) {
  for (let i = 0; i < 240; i++) {
    const run = await db.importRun.findUniqueOrThrow({ where: { id } });
    if (run.status === "SUCCEEDED" || run.status === "FAILED") return run;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error("import did not finish in time");
}

beforeAll(async () => {
  process.env.IMAGE_STORE_DIR = imageDir;
  database = await createTestDatabase();
  adminId = (await database.db.user.create({ data: { email: "a@x.example", name: "A", role: "ADMIN", passwordHash: "x" } })).id;
  worker = await startWorker({ databaseUrl: database.url, log: () => {} });
  sender = await startBoss(database.url, "sender");
});

afterAll(async () => {
  await sender?.stop({ graceful: false });
  await worker?.stop();
  await database?.drop();
  rmSync(imageDir, { recursive: true, force: true });
});

describe("import jobs", () => {
  it("runs an admin-launched import in the worker, records progress and the summary, and adds nothing the second time", async () => {
    const first = await startImportRun({ db: database.db, boss: sender, actorId: adminId, kind: "HAM10000", source: "ham10000-sample" });
    const done = await waitForRun(database.db, first.id);
    expect(done).toMatchObject({ status: "SUCCEEDED", total: 70, done: 70, imported: 70, skippedDuplicate: 0, rejectedCount: 0 });
    expect(await database.db.lesionImage.count()).toBe(70);

    const again = await startImportRun({ db: database.db, boss: sender, actorId: adminId, kind: "HAM10000", source: "ham10000-sample" });
    expect(await waitForRun(database.db, again.id)).toMatchObject({ status: "SUCCEEDED", imported: 0, skippedDuplicate: 70 });
    expect(await database.db.lesionImage.count()).toBe(70);
    expect(await database.db.auditLog.count({ where: { entityType: "ImportRun" } })).toBe(2);
  });

  it("only imports data sets found under the import folder, never an arbitrary path", async () => {
    const attempt = startImportRun({ db: database.db, boss: sender, actorId: adminId, kind: "FOLDER_LAYOUT", source: "../../etc" });
    await expect(attempt).rejects.toBeInstanceOf(DomainError);
    await expect(attempt).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
