/**
 * The app's Auth.js configuration driven through Auth.js's own HTTP endpoints (sign-in, session, sign-out), as a
 * browser drives them, against a real database. Time is moved with a fake clock (Date only).
 */
import { Auth } from "@auth/core";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createUser, createUserInput } from "../services/users/users";
import { searchAudit } from "../services/audit/search-audit";
import { createAuthConfig } from "./auth-config";
import type { SessionPolicy } from "./base-config";
import { PEER_ADDRESS_HEADER, peerAddressStamp } from "./client-address";
import { loadSessionUser } from "./session";

const HOUR = 3_600_000;
const MINUTE = 60_000;
const policy: SessionPolicy = { absoluteMs: 8 * HOUR, idleMs: 30 * MINUTE };
const password = "correct horse battery staple";

let database: TestDatabase;
let config: Parameters<typeof Auth>[1];

beforeAll(async () => {
  database = await createTestDatabase();
  config = {
    ...createAuthConfig({ db: () => database.db, session: policy, trustedProxies: [] }),
    secret: "test-secret-test-secret-test-secret-0123",
    basePath: "/api/auth",
    // Refused sign-ins are expected here; the app's own log line for each is enough.
    logger: { error() {}, warn() {} },
  };
});
afterAll(() => database.drop());
afterEach(() => vi.useRealTimers());

async function newUser(): Promise<{ id: string; email: string }> {
  const email = `user-${Math.random().toString(36).slice(2)}@clinic.example`;
  const user = await createUser({ db: database.db, actorId: null, input: createUserInput.parse({ email, name: "U", role: "DERMATOLOGIST", password }) });
  return { id: user.id, email };
}

/** A client with a cookie jar, connecting from `address` (as the HTTP hook stamps it). */
class Client {
  readonly cookies = new Map<string, string>();
  constructor(private readonly address = "203.0.113.5") {}

  async request(path: string, options: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}) {
    const headers = new Headers({ ...options.headers, [PEER_ADDRESS_HEADER]: peerAddressStamp(this.address) });
    headers.set("cookie", [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    if (options.form) headers.set("content-type", "application/x-www-form-urlencoded");
    const response = await Auth(
      new Request(`http://localhost:3000${path}`, {
        method: options.method ?? "GET",
        headers,
        body: options.form ? new URLSearchParams(options.form) : undefined,
      }),
      config,
    );
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = cookie.split(";");
      const [name = "", value = ""] = pair.split("=");
      if (value === "" || attributes.some((a) => /^\s*max-age=0$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  async signIn(email: string, pass: string, headers: Record<string, string> = {}): Promise<boolean> {
    const { csrfToken } = (await (await this.request("/api/auth/csrf")).json()) as { csrfToken: string };
    const response = await this.request("/api/auth/callback/credentials", {
      method: "POST",
      form: { csrfToken, email, password: pass, callbackUrl: "/queue" },
      headers,
    });
    return !(response.headers.get("location") ?? "").includes("error");
  }

  async session(): Promise<{ user: { id: string; authTime: number } } | null> {
    return (await (await this.request("/api/auth/session")).json()) as { user: { id: string; authTime: number } } | null;
  }

  async signOut() {
    const { csrfToken } = (await (await this.request("/api/auth/csrf")).json()) as { csrfToken: string };
    return this.request("/api/auth/signout", { method: "POST", form: { csrfToken, callbackUrl: "/login" } });
  }
}

describe("sessions", () => {
  it("end at the absolute lifetime from sign-in, however often a client polls", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = new Date("2026-03-02T08:00:00Z").getTime();
    vi.setSystemTime(start);
    const user = await newUser();
    const client = new Client();
    expect(await client.signIn(user.email, password)).toBe(true);
    // Every 20 minutes the tab asks for its session, which re-issues the token each time.
    for (let elapsed = 20 * MINUTE; elapsed < policy.absoluteMs; elapsed += 20 * MINUTE) {
      vi.setSystemTime(start + elapsed);
      expect((await client.session())?.user.id, `after ${elapsed / MINUTE} minutes`).toBe(user.id);
    }
    vi.setSystemTime(start + policy.absoluteMs);
    expect(await client.session()).toBeNull();
    expect(client.cookies.has("authjs.session-token")).toBe(false);
  });

  it("end after the idle timeout without a request", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = new Date("2026-03-03T08:00:00Z").getTime();
    vi.setSystemTime(start);
    const user = await newUser();
    const client = new Client();
    expect(await client.signIn(user.email, password)).toBe(true);
    const token = client.cookies.get("authjs.session-token");
    vi.setSystemTime(start + 29 * MINUTE);
    expect((await client.session())?.user.id).toBe(user.id);
    // 31 idle minutes after that request; the client even replays the token from sign-in, which it should have dropped.
    vi.setSystemTime(start + 60 * MINUTE);
    expect(await client.session()).toBeNull();
    client.cookies.set("authjs.session-token", token!);
    expect(await client.session()).toBeNull();
  });

  it("are revoked by Auth.js's own /api/auth/signout: a token saved before it is refused afterwards", async () => {
    const user = await newUser();
    const client = new Client();
    expect(await client.signIn(user.email, password)).toBe(true);
    const saved = client.cookies.get("authjs.session-token")!;
    const before = await client.session();
    expect(await loadSessionUser(database.db, before?.user)).toMatchObject({ id: user.id });

    await client.signOut();
    expect(client.cookies.has("authjs.session-token")).toBe(false);

    const replay = new Client();
    replay.cookies.set("authjs.session-token", saved);
    // The token itself still decodes; the server refuses the session it names.
    const replayed = await replay.session();
    expect(await loadSessionUser(database.db, replayed?.user)).toBeNull();
  });
});

describe("signing in", () => {
  it("limits attempts per connection address: rotating X-Forwarded-For does not help, another address is not blocked", async () => {
    const user = await newUser();
    const attacker = new Client("198.51.100.7");
    for (let i = 0; i < 30; i++) {
      expect(await attacker.signIn(`nobody-${i}@clinic.example`, "guess", { "x-forwarded-for": `192.0.2.${i}` })).toBe(false);
    }
    // The allowance is used: even the right password is refused from this address, whatever it claims.
    expect(await attacker.signIn(user.email, password, { "x-forwarded-for": "192.0.2.200" })).toBe(false);
    expect(await new Client("198.51.100.8").signIn(user.email, password)).toBe(true);
  });

  it("writes sign-in, refusal and sign-out to the audit log under 'login', without the typed email", async () => {
    const user = await newUser();
    const client = new Client("203.0.113.77");
    expect(await client.signIn(user.email, "wrong password")).toBe(false);
    expect(await client.signIn("typo-someone@clinic.example", password)).toBe(false);
    expect(await client.signIn(user.email, password)).toBe(true);
    await client.signOut();

    const { entries } = await searchAudit({ db: database.db, input: { action: "login", limit: 200 } });
    const mine = entries.filter((entry) => entry.changes.some((c) => c.field === "address" && c.after === "203.0.113.77") || entry.entityId === user.id);
    const events = mine
      .map((entry) => [entry.entityId === user.id ? "user" : entry.entityId, entry.changes.find((c) => c.field === "event")?.after, entry.actor?.email ?? null])
      .reverse();
    expect(events).toEqual([
      ["user", "sign-in refused", null],
      ["unknown-account", "sign-in refused", null],
      ["user", "signed in", user.email],
      ["user", "signed out", user.email],
    ]);
    const rows = await database.db.auditLog.findMany({ where: { action: "LOGIN" } });
    expect(JSON.stringify(rows, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value))).not.toContain("typo-someone");
  });
});
