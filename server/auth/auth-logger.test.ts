/**
 * Issue 14 (9): a request with an expired session cookie made Auth.js log the decrypted token (staff name, email,
 * id) with a stack trace. Driven through Auth.js's own session endpoint with the proxy's configuration
 * (createBaseAuthConfig), with everything the process writes captured.
 */
import { Auth } from "@auth/core";
import { AuthError } from "@auth/core/errors";
import { encode } from "@auth/core/jwt";
import { afterEach, describe, expect, it } from "vitest";
import { captureLogs, type CapturedLogs } from "../faults/capture-logs";
import { authLogger } from "./auth-logger";
import { createBaseAuthConfig } from "./base-config";

const secret = "test-secret-test-secret-test-secret-0123";
const cookieName = "authjs.session-token";
const staff = { sub: "staff-user-id-8c1f", name: "Dr Philippa Quennell-Abernathy", email: "p.quennell@clinic.example" };

let logs: CapturedLogs | undefined;
afterEach(() => logs?.restore());

describe("Auth.js's log", () => {
  it("says an expired session cookie was refused without the token's content", async () => {
    const expired = await encode({
      secret,
      salt: cookieName,
      token: { ...staff, role: "DERMATOLOGIST", authTime: Date.now() - 10 * 3_600_000 },
      maxAge: -3_600,
    });
    logs = captureLogs();
    const response = await Auth(new Request("http://localhost:3000/api/auth/session", { headers: { cookie: `${cookieName}=${expired}` } }), {
      ...createBaseAuthConfig({ absoluteMs: 8 * 3_600_000, idleMs: 30 * 60_000 }),
      secret,
      basePath: "/api/auth",
    });
    logs.restore();
    const text = logs.text();
    expect(await response.json()).toBeNull();
    // Nothing of who the token belonged to...
    for (const value of [staff.sub, staff.name, staff.email, "Quennell"]) expect(text).not.toContain(value);
    // ...but the refusal is in the log, as the kind of error it was.
    expect(text).toMatch(/"authError":"JWTSessionError"/);
    expect(text).toMatch(/"cause":"ERR_JWT_EXPIRED"/);
  });

  it("names errors by their kept tags, not by class names the production build minifies", () => {
    // As the production bundle has them: Auth.js's JWTSessionError and jose's JWTExpired renamed to one letter.
    class j extends AuthError {
      static type = "JWTSessionError";
    }
    class N extends Error {
      code = "ERR_JWT_EXPIRED";
      constructor() {
        super("token expired");
        this.name = this.constructor.name;
      }
    }
    logs = captureLogs();
    // As Auth.js wraps the error it caught: { cause: { err } }.
    authLogger.error?.(new j("session refused", { cause: { err: new N() } }));
    logs.restore();
    const line = JSON.parse(logs.text().replace(/^stderr: /, "")) as Record<string, unknown>;
    expect(line).toMatchObject({ component: "auth", authError: "JWTSessionError", cause: "ERR_JWT_EXPIRED" });
  });
});
