/**
 * OpenID Connect sign-in end to end over real HTTP: the app's Auth.js configuration (driven through Auth.js's own
 * endpoints, as a browser drives them) against a real OpenID provider on loopback (oidc-provider, its development
 * login and consent pages), authorization code + PKCE, and a real database. No part of the protocol is mocked.
 */
import { Auth } from "@auth/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { startTestOidcProvider, type TestOidcProvider } from "../testing/oidc-provider";
import { createUser, createUserInput } from "../services/users/users";
import { createAuthConfig } from "./auth-config";
import { loadSessionAccount, loadSessionUser } from "./session";
import type { OidcSettings } from "./oidc";

const APP = "http://localhost:3000";
const HOUR = 3_600_000;

let database: TestDatabase;
let idp: TestOidcProvider;
let settings: OidcSettings;

type AuthConfig = Parameters<typeof Auth>[1];

function configFor(overrides: Partial<OidcSettings> = {}, passwordSignIn = true): AuthConfig {
  return {
    ...createAuthConfig({
      db: () => database.db,
      session: { absoluteMs: 8 * HOUR, idleMs: HOUR },
      trustedProxies: [],
      oidc: { ...settings, ...overrides },
      passwordSignIn,
    }),
    secret: "test-secret-test-secret-test-secret-0123",
    basePath: "/api/auth",
    logger: { error() {}, warn() {} },
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  idp = await startTestOidcProvider({
    port: 0,
    redirectUris: [`${APP}/api/auth/callback/oidc`],
    accounts: {
      "a.admin": { email: "a.admin@hospital.example", email_verified: true, name: "Dr A Admin", groups: ["staff", "dermflag-admins"] },
      "outsider": { email: "someone@elsewhere.example", email_verified: true, name: "Outsider" },
      "taken": { email: "password.user@hospital.example", email_verified: true, name: "Same Email" },
    },
  });
  settings = {
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    name: "Test Hospital",
    roleClaim: "groups",
    roleMap: [{ value: "dermflag-admins", role: "ADMIN" }],
    allowedDomains: ["hospital.example"],
  };
}, 60_000);
afterAll(async () => {
  await idp?.stop();
  await database?.drop();
});

/** A cookie jar per origin: the app's (Auth.js) and the provider's. */
class Browser {
  private readonly jars = new Map<string, Map<string, string>>();

  constructor(private readonly config: AuthConfig) {}

  private jar(origin: string) {
    let jar = this.jars.get(origin);
    if (!jar) this.jars.set(origin, (jar = new Map()));
    return jar;
  }

  private keep(origin: string, response: Response) {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = cookie.split(";");
      const at = pair.indexOf("=");
      const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1)];
      if (value === "" || attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a))) this.jar(origin).delete(name);
      else this.jar(origin).set(name, value);
    }
  }

  /** One request, no redirects followed: to Auth.js in process for the app's origin, over HTTP for the provider. */
  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const { origin } = new URL(url);
    const headers = new Headers({ cookie: [...this.jar(origin)].map(([name, value]) => `${name}=${value}`).join("; ") });
    if (init.form) headers.set("content-type", "application/x-www-form-urlencoded");
    const request = new Request(url, {
      method: init.method ?? "GET",
      headers,
      body: init.form ? new URLSearchParams(init.form) : undefined,
      redirect: "manual",
    });
    const response = origin === APP ? await Auth(request, this.config) : await fetch(request);
    this.keep(origin, response);
    return response;
  }

  /**
   * "Sign in with ...", then the provider's login page (as `login`) and consent page, back to Auth.js's callback.
   * Returns where the app sends the browser at the end (the callback URL, or the login page with ?error=).
   */
  async signInThroughProvider(login: string): Promise<string> {
    const { csrfToken } = (await (await this.request(`${APP}/api/auth/csrf`)).json()) as { csrfToken: string };
    const start = await this.request(`${APP}/api/auth/signin/oidc`, { method: "POST", form: { csrfToken, callbackUrl: "/queue" } });
    let url = new URL(start.headers.get("location") ?? "", APP).href;
    expect(url.startsWith(idp.issuer)).toBe(true);
    expect(new URL(url).searchParams.get("code_challenge_method")).toBe("S256");
    for (let step = 0; step < 12; step++) {
      const { origin, pathname } = new URL(url);
      const response = await this.request(url);
      if (origin === APP && pathname === "/api/auth/callback/oidc") return response.headers.get("location") ?? "";
      const location = response.headers.get("location");
      if (location) {
        url = new URL(location, url).href;
        continue;
      }
      // The provider's login or consent page: submit its form as a person would.
      const html = await response.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      expect(action, html.slice(0, 300)).toBeTruthy();
      const form: Record<string, string> = {};
      for (const [, name = "", value = ""] of html.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) form[name] = value;
      if (form.prompt === "login") Object.assign(form, { login, password: "any password" });
      const submitted = await this.request(new URL(action!, url).href, { method: "POST", form });
      url = new URL(submitted.headers.get("location") ?? "", url).href;
    }
    throw new Error("the sign-in did not come back to the app");
  }

  async session(): Promise<{ user: { id: string; authTime: number } } | null> {
    return (await (await this.request(`${APP}/api/auth/session`)).json()) as { user: { id: string; authTime: number } } | null;
  }
}

describe("OpenID Connect sign-in against a real provider", () => {
  it("provisions a new identity with no role at its first sign-in, audited, and signs it in to the waiting page only", async () => {
    const browser = new Browser(configFor());
    const landing = await browser.signInThroughProvider("new.clinician");
    expect(landing).toBe(`${APP}/queue`);
    const session = await browser.session();
    expect(session?.user.id).toBeTruthy();

    const user = await database.db.user.findUniqueOrThrow({ where: { id: session!.user.id } });
    expect(user).toMatchObject({ email: "new.clinician@hospital.example", role: null, oidcIssuer: idp.issuer, oidcSubject: "new.clinician" });
    // Signed in, but not a user of the app until an admin grants a role: pages, procedures and routes refuse it.
    expect(await loadSessionUser(database.db, session!.user)).toBeNull();
    expect(await loadSessionAccount(database.db, session!.user)).toMatchObject({ id: user.id, role: null });

    const rows = await database.db.auditLog.findMany({ where: { entityId: user.id }, orderBy: { id: "asc" } });
    expect(rows.map((row) => [row.action, (row.after as { event?: string; provisionedBy?: string }).event ?? (row.after as { provisionedBy?: string }).provisionedBy])).toEqual([
      ["CREATE", "openid-connect"],
      ["LOGIN", "signed in"],
    ]);
    expect(rows[1]!.after).toMatchObject({ method: "oidc" });
  });

  it("maps the role claim to a role, and finds the same account again by issuer + subject", async () => {
    const browser = new Browser(configFor());
    expect(await browser.signInThroughProvider("a.admin")).toBe(`${APP}/queue`);
    const first = await browser.session();
    expect(await loadSessionUser(database.db, first!.user)).toMatchObject({ role: "ADMIN", email: "a.admin@hospital.example" });

    const again = new Browser(configFor());
    expect(await again.signInThroughProvider("a.admin")).toBe(`${APP}/queue`);
    expect((await again.session())?.user.id).toBe(first!.user.id);
    expect(await database.db.user.count({ where: { oidcSubject: "a.admin" } })).toBe(1);
    const logins = await database.db.auditLog.count({ where: { entityId: first!.user.id, action: "LOGIN" } });
    expect(logins).toBe(2);
  });

  it("refuses an email domain that is not allowed, creating nothing, with the reason in the audit log", async () => {
    const browser = new Browser(configFor());
    const landing = await browser.signInThroughProvider("outsider");
    expect(landing).toBe(`${APP}/login?error=AccessDenied`);
    expect(await browser.session()).toBeNull();
    expect(await database.db.user.count({ where: { oidcSubject: "outsider" } })).toBe(0);
    const refusal = await database.db.auditLog.findFirst({ where: { action: "LOGIN", entityId: "unknown-account" }, orderBy: { id: "desc" } });
    expect(refusal?.after).toMatchObject({ event: "sign-in refused", reason: "email domain not allowed", method: "oidc" });
  });

  it("never links an identity to an existing account by its email", async () => {
    const existing = await createUser({
      db: database.db,
      actorId: null,
      input: createUserInput.parse({ email: "password.user@hospital.example", name: "P", role: "ADMIN", password: "correct horse battery staple" }),
    });
    const browser = new Browser(configFor());
    expect(await browser.signInThroughProvider("taken")).toBe(`${APP}/login?error=AccessDenied`);
    expect(await browser.session()).toBeNull();
    const refusal = await database.db.auditLog.findFirst({ where: { action: "LOGIN", entityId: existing.id }, orderBy: { id: "desc" } });
    expect(refusal?.after).toMatchObject({ event: "sign-in refused", method: "oidc" });
    expect(await database.db.user.findUniqueOrThrow({ where: { id: existing.id } })).toMatchObject({ oidcSubject: null, role: "ADMIN" });
  });

  it("refuses a deactivated account's next sign-in", async () => {
    const browser = new Browser(configFor());
    await browser.signInThroughProvider("leaver");
    const user = await database.db.user.findFirstOrThrow({ where: { oidcSubject: "leaver" } });
    await database.db.user.update({ where: { id: user.id }, data: { active: false } });
    const again = new Browser(configFor());
    expect(await again.signInThroughProvider("leaver")).toBe(`${APP}/login?error=AccessDenied`);
  });

  it("a role claim never demotes the last active admin: that sign-in keeps the admin role, audited; with another admin it applies", async () => {
    // a.admin's groups are ["staff", "dermflag-admins"]; this mapping reads "staff" first, a demotion to dermatologist.
    const demoting = () => configFor({ roleMap: [{ value: "staff", role: "DERMATOLOGIST" }] });
    expect(await new Browser(configFor()).signInThroughProvider("a.admin")).toBe(`${APP}/queue`);
    const admin = await database.db.user.findFirstOrThrow({ where: { oidcSubject: "a.admin" } });
    await database.db.user.updateMany({ where: { role: "ADMIN", id: { not: admin.id } }, data: { role: "DERMATOLOGIST" } });

    const browser = new Browser(demoting());
    expect(await browser.signInThroughProvider("a.admin")).toBe(`${APP}/queue`);
    expect(await loadSessionUser(database.db, (await browser.session())!.user)).toMatchObject({ id: admin.id, role: "ADMIN" });
    const kept = await database.db.auditLog.findFirst({ where: { entityId: admin.id, action: "UPDATE" }, orderBy: { id: "desc" } });
    expect(kept?.after).toMatchObject({ role: "ADMIN", roleClaim: "DERMATOLOGIST", reason: "role claim not applied: this is the last active admin" });

    await createUser({
      db: database.db,
      actorId: null,
      input: createUserInput.parse({ email: "second.admin@hospital.example", name: "Second", role: "ADMIN", password: "correct horse battery staple" }),
    });
    expect(await new Browser(demoting()).signInThroughProvider("a.admin")).toBe(`${APP}/queue`);
    expect(await database.db.user.findUniqueOrThrow({ where: { id: admin.id } })).toMatchObject({ role: "DERMATOLOGIST" });
    expect(await database.db.user.count({ where: { role: "ADMIN", active: true } })).toBe(1);
  });

  it("offers no password sign-in when it is switched off", async () => {
    const browser = new Browser(configFor({}, false));
    const providers = (await (await browser.request(`${APP}/api/auth/providers`)).json()) as Record<string, unknown>;
    expect(Object.keys(providers)).toEqual(["oidc"]);
  });
});
