/**
 * The setup the promotion tests share: an isolated database and a pg-boss sender (no worker: queued jobs stay in
 * pgboss.job, where the tests count them), both stopped after the file, and before each test no pending promotion
 * request and no active model. Call it at the top of a test file, before the file's own hooks (which then run after
 * these); the returned object is filled in by its beforeAll.
 */
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { startBoss } from "../jobs/boss";
import { createTestDatabase, type TestDatabase } from "./database";

export function setUpPromotionDatabase(): { readonly database: TestDatabase; readonly boss: PgBoss } {
  const fixture = {} as { database: TestDatabase; boss: PgBoss };
  beforeAll(async () => {
    fixture.database = await createTestDatabase();
    fixture.boss = await startBoss(fixture.database.url, "sender");
  });
  afterAll(async () => {
    await fixture.boss?.stop({ graceful: false });
    await fixture.database?.drop();
  });
  beforeEach(async () => {
    const { db } = fixture.database;
    await db.promotionRequest.updateMany({ where: { status: "PENDING" }, data: { status: "VOID" } });
    await db.modelVersion.updateMany({ where: { status: "ACTIVE" }, data: { status: "RETIRED" } });
  });
  return fixture;
}
