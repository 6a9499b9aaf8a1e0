import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../auth/session";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createCaller } from "./root";

let database: TestDatabase;
const admin: SessionUser = { id: "", email: "admin@clinic.example", name: "Admin", role: "ADMIN" };
const dermatologist: SessionUser = { id: "", email: "derm@clinic.example", name: "Derm", role: "DERMATOLOGIST" };

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  for (const user of [admin, dermatologist]) {
    const row = await database.db.user.create({
      data: { email: user.email, name: user.name, role: user.role, passwordHash: "x" },
    });
    user.id = row.id;
  }
});
afterAll(() => database.drop());

describe("procedure access", () => {
  it("refuses anonymous callers everywhere but public procedures", async () => {
    const anonymous = createCaller({ db: database.db, user: null });
    expect(await codeOf(anonymous.users.me())).toBe("UNAUTHORIZED");
    expect(await codeOf(anonymous.overview.counts())).toBe("UNAUTHORIZED");
    expect(await codeOf(anonymous.users.list())).toBe("UNAUTHORIZED");
  });

  it("lets a dermatologist read clinical data but not manage users", async () => {
    const caller = createCaller({ db: database.db, user: dermatologist });
    expect(await codeOf(caller.overview.counts())).toBe("OK");
    expect(await codeOf(caller.users.list())).toBe("FORBIDDEN");
    expect(
      await codeOf(caller.users.create({ email: "x@y.example", name: "X", role: "ADMIN", password: "long-enough-password" })),
    ).toBe("FORBIDDEN");
  });

  it("lets an admin create a user, audited, and refuses a duplicate email", async () => {
    const caller = createCaller({ db: database.db, user: admin });
    const created = await caller.users.create({
      email: "New@Clinic.example",
      name: "New",
      role: "DERMATOLOGIST",
      password: "long-enough-password",
    });
    expect(created.email).toBe("new@clinic.example");
    const audit = await database.db.auditLog.findFirstOrThrow({ where: { entityType: "User", entityId: created.id } });
    expect(audit).toMatchObject({ action: "CREATE", actorId: admin.id });
    expect(JSON.stringify(audit.after)).not.toContain("passwordHash");
    expect(
      await codeOf(caller.users.create({ email: "new@clinic.example", name: "N", role: "ADMIN", password: "long-enough-password" })),
    ).toBe("CONFLICT");
  });

  it("rejects invalid input with field errors", async () => {
    const caller = createCaller({ db: database.db, user: admin });
    const error = await caller.users
      .create({ email: "not-an-email", name: "", role: "ADMIN", password: "short" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
  });

  it("does not let an admin remove their own admin access", async () => {
    const caller = createCaller({ db: database.db, user: admin });
    expect(await codeOf(caller.users.update({ userId: admin.id, active: false }))).toBe("BAD_REQUEST");
  });
});

describe("audit log", () => {
  it("is append-only: the database refuses UPDATE, DELETE and TRUNCATE", async () => {
    await database.db.auditLog.create({
      data: { action: "CREATE", entityType: "Test", entityId: "1", actorId: admin.id },
    });
    await expect(database.db.$executeRawUnsafe(`UPDATE "AuditLog" SET "action" = 'X'`)).rejects.toThrow(/append-only/);
    await expect(database.db.$executeRawUnsafe(`DELETE FROM "AuditLog"`)).rejects.toThrow(/append-only/);
    await expect(database.db.$executeRawUnsafe(`TRUNCATE "AuditLog"`)).rejects.toThrow(/append-only/);
  });
});
