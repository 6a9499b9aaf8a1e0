import { TRPCError } from "@trpc/server";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate, MAX_FAILED_LOGINS } from "../../auth/authenticate";
import { loadSessionUser } from "../../auth/session";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { createCaller } from "../../trpc/root";
import { isDomainError } from "../domain-error";
import {
  changeOwnPassword,
  createUser,
  createUserInput,
  listUsers,
  PASSWORD_CHECK_WINDOW_MS,
  PASSWORD_CHECKS_PER_WINDOW,
  resetPassword,
  unlockUser,
  updateUser,
} from "./users";

let database: TestDatabase;
const password = "correct horse battery staple";
let adminId: string;

async function addUser(email: string, role: "ADMIN" | "DERMATOLOGIST") {
  const user = await createUser({ db: database.db, actorId: null, input: createUserInput.parse({ email, name: email, role, password }) });
  return user.id;
}

async function auditOf(userId: string) {
  return database.db.auditLog.findMany({ where: { entityType: "User", entityId: userId, action: "UPDATE" }, orderBy: { id: "asc" } });
}

beforeAll(async () => {
  database = await createTestDatabase();
  adminId = await addUser("admin@users.example", "ADMIN");
});
afterAll(() => database.drop());

describe("user administration", () => {
  it("deactivation refuses sign-in and ends existing sessions; reactivation lets the user sign in again; both audited", async () => {
    const id = await addUser("leaver@users.example", "DERMATOLOGIST");
    const sessionBegan = Date.now() - 1_000;
    expect(await loadSessionUser(database.db, { id, authTime: sessionBegan })).not.toBeNull();

    await updateUser({ db: database.db, actorId: adminId, input: { userId: id, active: false } });
    expect(await authenticate(database.db, { email: "leaver@users.example", password })).toMatchObject({ ok: false, reason: "inactive" });
    await updateUser({ db: database.db, actorId: adminId, input: { userId: id, active: true } });
    // The session from before the deactivation stays ended after the reactivation.
    expect(await loadSessionUser(database.db, { id, authTime: sessionBegan })).toBeNull();
    expect((await authenticate(database.db, { email: "leaver@users.example", password })).ok).toBe(true);

    const audit = await auditOf(id);
    expect(audit.map((row) => [row.actorId, (row.before as { active: boolean }).active, (row.after as { active: boolean }).active])).toEqual([
      [adminId, true, false],
      [adminId, false, true],
    ]);
  });

  it("changes a role, audited", async () => {
    const id = await addUser("promoted@users.example", "DERMATOLOGIST");
    const after = await updateUser({ db: database.db, actorId: adminId, input: { userId: id, role: "ADMIN" } });
    expect(after.role).toBe("ADMIN");
    expect((await auditOf(id)).at(-1)?.after).toMatchObject({ role: "ADMIN" });
    await updateUser({ db: database.db, actorId: adminId, input: { userId: id, role: "DERMATOLOGIST" } });
  });

  it("never leaves no active admin, even when the last two admins demote each other at the same moment", async () => {
    const other = await addUser("second-admin@users.example", "ADMIN");
    // Both changes must read the admins before either writes: a second connection holds both rows until the two
    // transactions are waiting (on those rows, or on the service's lock), so the race happens on every run.
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    await holder.query("BEGIN");
    await holder.query(`SELECT id FROM "User" WHERE id = ANY($1) FOR UPDATE`, [[adminId, other]]);
    const changes = Promise.allSettled([
      updateUser({ db: database.db, actorId: adminId, input: { userId: other, role: "DERMATOLOGIST" } }),
      updateUser({ db: database.db, actorId: other, input: { userId: adminId, active: false } }),
    ]);
    const waiting = async () => {
      // Inside a transaction pg_stat_activity is a snapshot taken once: take a fresh one each time.
      await holder.query("SELECT pg_stat_clear_snapshot()");
      return Number(
        (
          await holder.query(
            `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
          )
        ).rows[0].n,
      );
    };
    while ((await waiting()) < 2) await new Promise((resolve) => setImmediate(resolve));
    await holder.query("COMMIT");
    await holder.end();
    const results = await changes;
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((result) => result.status === "rejected");
    expect(isDomainError(refused?.reason, "CONFLICT")).toBe(true);
    expect(await database.db.user.count({ where: { role: "ADMIN", active: true } })).toBe(1);
    // Put the first admin back for the other tests.
    const survivor = (await database.db.user.findFirstOrThrow({ where: { role: "ADMIN", active: true } })).id;
    await updateUser({ db: database.db, actorId: survivor, input: { userId: adminId, role: "ADMIN", active: true } });
  });

  it("refuses removing one's own admin access", async () => {
    await expect(updateUser({ db: database.db, actorId: adminId, input: { userId: adminId, active: false } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("a reset password signs in once to choose a new one: the API refuses everything else until then", async () => {
    const id = await addUser("forgetful@users.example", "DERMATOLOGIST");
    const temporary = "temporary-pass-4821";
    await resetPassword({ db: database.db, actorId: adminId, input: { userId: id, temporaryPassword: temporary } });
    expect((await authenticate(database.db, { email: "forgetful@users.example", password })).ok).toBe(false);
    expect((await authenticate(database.db, { email: "forgetful@users.example", password: temporary })).ok).toBe(true);
    const sessionUser = await loadSessionUser(database.db, { id, authTime: Date.now() + 1 });
    expect(sessionUser?.mustChangePassword).toBe(true);

    const caller = createCaller({ db: database.db, user: sessionUser });
    await expect(caller.patients.list({})).rejects.toSatisfy((error) => error instanceof TRPCError && error.code === "FORBIDDEN");
    await expect(caller.users.changeOwnPassword({ currentPassword: "wrong-password-1", newPassword: "my-own-pass-7391" })).rejects.toThrow(
      "The current password is not right.",
    );
    await caller.users.changeOwnPassword({ currentPassword: temporary, newPassword: "my-own-pass-7391" });
    expect((await loadSessionUser(database.db, { id, authTime: Date.now() + 1 }))?.mustChangePassword).toBe(false);
    expect((await authenticate(database.db, { email: "forgetful@users.example", password: "my-own-pass-7391" })).ok).toBe(true);

    const audit = await auditOf(id);
    expect(audit.map((row) => [row.actorId, (row.after as { password: string }).password])).toEqual([
      [adminId, "reset by an admin"],
      [id, "changed by the user"],
    ]);
    expect(JSON.stringify(audit.map((row) => [row.before, row.after]))).not.toContain("my-own-pass");
  });

  it("each person changes their own password with the current one", async () => {
    const id = await addUser("self@users.example", "DERMATOLOGIST");
    await changeOwnPassword({ db: database.db, userId: id, input: { currentPassword: password, newPassword: "a-brand-new-pass-55" } });
    expect((await authenticate(database.db, { email: "self@users.example", password: "a-brand-new-pass-55" })).ok).toBe(true);
  });

  it("limits current-password checks per user, counted before verifying: parallel guesses, then even the right one, are refused", async () => {
    const id = await addUser("guessed@users.example", "DERMATOLOGIST");
    const bystander = await addUser("bystander@users.example", "DERMATOLOGIST");
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);
    const change = (userId: string, currentPassword: string, now: Date) =>
      changeOwnPassword({ db: database.db, userId, input: { currentPassword, newPassword: "chosen-by-me-2026" }, now });

    const guesses = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => change(id, `guess-number-${i}`, at(0))));
    const codes = guesses.map((guess) => (guess.status === "rejected" && isDomainError(guess.reason) ? guess.reason.code : guess.status));
    // Only the allowance was verified (a wrong password); the rest were refused before any check.
    expect(codes.filter((code) => code === "BAD_REQUEST")).toHaveLength(PASSWORD_CHECKS_PER_WINDOW);
    expect(codes.filter((code) => code === "TOO_MANY_REQUESTS")).toHaveLength(12 - PASSWORD_CHECKS_PER_WINDOW);
    await expect(change(id, password, at(1_000))).rejects.toSatisfy((error) => isDomainError(error, "TOO_MANY_REQUESTS"));
    expect((await authenticate(database.db, { email: "guessed@users.example", password })).ok).toBe(true);

    // Another user's allowance is their own; the guessed account's comes back with the next window.
    await change(bystander, password, at(1_000));
    await change(id, password, at(PASSWORD_CHECK_WINDOW_MS + 1_000));
    expect((await authenticate(database.db, { email: "guessed@users.example", password: "chosen-by-me-2026" })).ok).toBe(true);
  });

  it("shows a locked account as locked, and an admin's unlock lets it sign in at once, audited", async () => {
    const id = await addUser("locked@users.example", "DERMATOLOGIST");
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) await authenticate(database.db, { email: "locked@users.example", password: "wrong-password-x" });
    const row = (await listUsers({ db: database.db })).find((user) => user.id === id);
    expect(row).toMatchObject({ locked: true, active: true });
    expect(await authenticate(database.db, { email: "locked@users.example", password })).toMatchObject({ reason: "locked" });

    expect(await unlockUser({ db: database.db, actorId: adminId, input: { userId: id } })).toMatchObject({ locked: false });
    expect((await authenticate(database.db, { email: "locked@users.example", password })).ok).toBe(true);
    expect((await listUsers({ db: database.db })).find((user) => user.id === id)?.lastLoginAt).not.toBeNull();
    expect((await auditOf(id)).at(-1)).toMatchObject({ actorId: adminId, after: { lockedUntil: null, failedLoginCount: 0 } });
  });
});
