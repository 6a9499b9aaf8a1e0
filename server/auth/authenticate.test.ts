import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createUser, createUserInput } from "../services/users/users";
import { authenticate, clearSignInLockout, isLockedOut, LOCKOUT_MINUTES, MAX_FAILED_LOGINS } from "./authenticate";

let database: TestDatabase;
const password = "correct horse battery staple";

beforeAll(async () => {
  database = await createTestDatabase();
  await createUser({
    db: database.db,
    actorId: null,
    input: createUserInput.parse({ email: "Derm@Clinic.example", name: "Derm", role: "DERMATOLOGIST", password }),
  });
});
afterAll(() => database.drop());

describe("authenticate", () => {
  it("signs in with the right password, whatever the email's case and spacing", async () => {
    const result = await authenticate(database.db, { email: "  derm@clinic.EXAMPLE ", password });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.user).toMatchObject({ email: "derm@clinic.example", role: "DERMATOLOGIST" });
  });

  it("stores an Argon2id hash, never the password", async () => {
    const user = await database.db.user.findUniqueOrThrow({ where: { email: "derm@clinic.example" } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(user.passwordHash).not.toContain(password);
  });

  it("refuses a wrong password and an unknown email alike", async () => {
    expect(await authenticate(database.db, { email: "derm@clinic.example", password: "wrong" })).toMatchObject({
      ok: false,
      reason: "invalid-credentials",
    });
    expect(await authenticate(database.db, { email: "nobody@clinic.example", password })).toEqual({
      ok: false,
      reason: "invalid-credentials",
    });
  });

  it(`locks the account after ${MAX_FAILED_LOGINS} failures, even for the right password, then lets it in later`, async () => {
    await createUser({
      db: database.db,
      actorId: null,
      input: createUserInput.parse({ email: "target@clinic.example", name: "T", role: "ADMIN", password }),
    });
    const now = new Date("2026-01-01T10:00:00Z");
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) {
      await authenticate(database.db, { email: "target@clinic.example", password: `guess-${i}` }, now);
    }
    const locked = await authenticate(database.db, { email: "target@clinic.example", password }, now);
    expect(locked).toMatchObject({ ok: false, reason: "locked" });
    const later = new Date(now.getTime() + (LOCKOUT_MINUTES + 1) * 60_000);
    expect((await authenticate(database.db, { email: "target@clinic.example", password }, later)).ok).toBe(true);
  });

  it("counts each guess before checking it: 30 parallel wrong guesses lock the account, and the right password then does not sign in", async () => {
    await createUser({
      db: database.db,
      actorId: null,
      input: createUserInput.parse({ email: "raced@clinic.example", name: "R", role: "ADMIN", password }),
    });
    const now = new Date("2026-01-02T10:00:00Z");
    const guesses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => authenticate(database.db, { email: "raced@clinic.example", password: `guess-${i}` }, now)),
    );
    // Only the allowance was checked against the hash; every later guess was refused as locked without a check.
    expect(guesses.filter((result) => !result.ok && result.reason === "invalid-credentials")).toHaveLength(MAX_FAILED_LOGINS);
    expect(await authenticate(database.db, { email: "raced@clinic.example", password }, now)).toMatchObject({ ok: false, reason: "locked" });
    const user = await database.db.user.findUniqueOrThrow({ where: { email: "raced@clinic.example" } });
    expect(isLockedOut(user, now)).toBe(true);

    // An admin's unlock lets the right password in at once.
    await clearSignInLockout(database.db, user.id);
    expect((await authenticate(database.db, { email: "raced@clinic.example", password }, now)).ok).toBe(true);
  });

  it("refuses a deactivated account", async () => {
    await database.db.user.update({ where: { email: "derm@clinic.example" }, data: { active: false } });
    expect(await authenticate(database.db, { email: "derm@clinic.example", password })).toMatchObject({
      ok: false,
      reason: "inactive",
    });
    await database.db.user.update({ where: { email: "derm@clinic.example" }, data: { active: true } });
  });
});
