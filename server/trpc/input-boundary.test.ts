/**
 * The input boundary (input-boundary.ts, wired into every procedure by init.ts): a NUL character anywhere in any
 * procedure's input answers BAD_REQUEST, never an internal error from PostgreSQL (22021); a named record that does
 * not exist answers NOT_FOUND. Driven from the router's own procedure list, so a new procedure is covered unasked.
 */
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { can, type Permission } from "../auth/roles";
import type { SessionUser } from "../auth/session";
import { NUL_BYTE_MESSAGE } from "../security/nul-bytes";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { appRouter, createCaller } from "./root";

type AnyCaller = Record<string, Record<string, (input?: unknown) => Promise<unknown>>>;

let database: TestDatabase;
const derm: SessionUser = { id: "", email: "derm@boundary.example", name: "Derm", role: "DERMATOLOGIST" };
const admin: SessionUser = { id: "", email: "admin@boundary.example", name: "Admin", role: "ADMIN" };

function callerFor(user: SessionUser): AnyCaller {
  return createCaller({ db: database.db, user }) as unknown as AnyCaller;
}

async function errorOf(user: SessionUser, path: string, input?: unknown): Promise<TRPCError | null> {
  const [router, procedure] = path.split(".") as [string, string];
  try {
    await callerFor(user)[router]![procedure]!(input);
    return null;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  for (const user of [derm, admin]) {
    user.id = (await database.db.user.create({ data: { email: user.email, name: user.name, role: user.role, passwordHash: "x" } })).id;
  }
});
afterAll(() => database?.drop());

describe("NUL characters in tRPC input", () => {
  const procedures = Object.keys(appRouter._def.procedures).sort();

  it.each(procedures)("%s refuses a NUL anywhere in its input with BAD_REQUEST", async (path) => {
    // Nested, in a key and in a value: the boundary walks the whole input, whatever the procedure's schema is.
    for (const input of [{ id: "a\u0000b" }, { filter: { terms: ["ok", "x\u0000"] } }, { ["k\u0000"]: 1 }, "\u0000"]) {
      const error = await errorOf(admin, path, input);
      expect(error?.code, `${path} with ${JSON.stringify(input)}`).toBe("BAD_REQUEST");
      expect(error?.message).toBe(NUL_BYTE_MESSAGE);
    }
  });

  /** Inputs valid in every other way, one or more per router, that reached PostgreSQL (and answered 500) before. */
  const REALISTIC: { path: string; permission: Permission; input: unknown }[] = [
    { path: "patients.list", permission: "clinical:read", input: { query: "Smi\u0000th" } },
    { path: "patients.get", permission: "clinical:read", input: { patientId: "p\u0000" } },
    { path: "lesions.get", permission: "clinical:read", input: { lesionId: "l\u0000" } },
    { path: "review.flag", permission: "clinical:read", input: { flagId: "f\u0000" } },
    { path: "models.card", permission: "models:read", input: { modelVersionId: "m\u0000" } },
    { path: "audit.search", permission: "audit:read", input: { entityId: "e\u0000" } },
    { path: "users.update", permission: "users:manage", input: { userId: "u\u0000", active: false } },
    { path: "training.cancel", permission: "models:manage", input: { trainingRunId: "t\u0000" } },
    { path: "safety.acknowledge", permission: "safety:acknowledge", input: { safetyEventId: "s\u0000", note: "Seen." } },
  ];

  it.each(REALISTIC)("$path with a NUL in an otherwise valid input answers BAD_REQUEST, not an internal error", async ({ path, permission, input }) => {
    const user = [derm, admin].find((candidate) => can(candidate.role, permission));
    if (!user) throw new Error(`no test user may ${permission}`);
    expect((await errorOf(user, path, input))?.code).toBe("BAD_REQUEST");
  });
});

describe("unknown ids", () => {
  it("models.card with an id that names no model version answers NOT_FOUND", async () => {
    const error = await errorOf(admin, "models.card", { modelVersionId: "no-such-model-version" });
    expect(error?.code).toBe("NOT_FOUND");
  });
});
