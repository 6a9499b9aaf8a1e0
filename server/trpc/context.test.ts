/**
 * The tRPC context reads the user from the session the route's gate already decoded (route-gate.ts): before, every
 * call decrypted the session token twice, once in the gate (then the proxy) and once here.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";

let database: TestDatabase;
const decodeFromCookie = vi.fn(async () => {
  throw new Error("the session was decoded a second time");
});
vi.mock("../auth", () => ({ auth: decodeFromCookie }));
vi.mock(import("../db/client"), async (importOriginal) => ({ ...(await importOriginal()), getDb: () => database.db }));

const { createRequestContext } = await import("./context");

/** A request as Auth.js's gate hands it on: with the decoded session (or null for none) on `auth`. */
const gated = (auth: unknown) => Object.assign(new Request("http://localhost/api/trpc/overview.counts"), { auth });

let userId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  userId = (await database.db.user.create({ data: { email: "derm@clinic.example", name: "Derm", role: "DERMATOLOGIST", passwordHash: "x" } })).id;
});
afterAll(() => database?.drop());

describe("createRequestContext", () => {
  it("takes the user from the gate's session without decoding the cookie again", async () => {
    const context = await createRequestContext(gated({ user: { id: userId, authTime: Date.now() }, expires: "" }));
    expect(context.user).toMatchObject({ id: userId, role: "DERMATOLOGIST" });
    // The gate found no session: no user, and still no second decode.
    expect((await createRequestContext(gated(null))).user).toBeNull();
    expect(decodeFromCookie).not.toHaveBeenCalled();
  });

  it("still re-reads the account: a deactivated user gets no context user from a valid session", async () => {
    await database.db.user.update({ where: { id: userId }, data: { active: false } });
    expect((await createRequestContext(gated({ user: { id: userId, authTime: Date.now() }, expires: "" }))).user).toBeNull();
  });

  it("decodes the cookie itself when no gate ran", async () => {
    await expect(createRequestContext(new Request("http://localhost/api/trpc/x"))).rejects.toThrow("decoded a second time");
    expect(decodeFromCookie).toHaveBeenCalledTimes(1);
  });
});
