import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { loadSessionUser, revokeSessions } from "./session";

let database: TestDatabase;
let userId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  userId = (await database.db.user.create({ data: { email: "s@x.example", name: "S", role: "DERMATOLOGIST", passwordHash: "x" } })).id;
});
afterAll(() => database.drop());

describe("session users", () => {
  it("re-reads the user, so a deactivated account or a changed role takes effect at once", async () => {
    expect(await loadSessionUser(database.db, { id: userId, authTime: Date.now() })).toMatchObject({ role: "DERMATOLOGIST" });
    await database.db.user.update({ where: { id: userId }, data: { role: "ADMIN" } });
    expect(await loadSessionUser(database.db, { id: userId, authTime: Date.now() })).toMatchObject({ role: "ADMIN" });
    await database.db.user.update({ where: { id: userId }, data: { active: false } });
    expect(await loadSessionUser(database.db, { id: userId, authTime: Date.now() })).toBeNull();
    await database.db.user.update({ where: { id: userId }, data: { active: true } });
  });

  it("refuses sessions begun before a sign-out, and accepts one begun after it", async () => {
    const before = Date.now() - 1_000;
    await revokeSessions(database.db, userId, new Date());
    expect(await loadSessionUser(database.db, { id: userId, authTime: before })).toBeNull();
    expect(await loadSessionUser(database.db, { id: userId })).toBeNull();
    expect(await loadSessionUser(database.db, { id: userId, authTime: Date.now() + 1 })).not.toBeNull();
  });

  it("refuses a token for a user who does not exist", async () => {
    expect(await loadSessionUser(database.db, { id: "nobody", authTime: Date.now() })).toBeNull();
    expect(await loadSessionUser(database.db, null)).toBeNull();
  });
});
