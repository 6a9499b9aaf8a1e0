/**
 * The part of the Auth.js configuration that needs no database: session policy, pages and token shape. The proxy
 * (signed-out redirect) uses only this; server/auth/index.ts adds the credentials provider.
 */
import { createCachedSessionDecode } from "./cached-session-decode";
import type { NextAuthConfig } from "next-auth";
import { env, type Env } from "../env";
import { authLogger } from "./auth-logger";
import { isRole, type Role } from "./roles";

declare module "next-auth" {
  interface User {
    role?: Role;
  }
  interface Session {
    user: { id: string; email: string; name: string; role: Role; authTime: number };
  }
}

/**
 * How long a session lives: `absoluteMs` from sign-in however active it is (a polling tab included), and `idleMs`
 * without a request. Idle is the token's own lifetime: every request through the proxy re-issues the token with a
 * fresh expiry, so only activity keeps it alive. Absolute is checked against the sign-in time the token carries,
 * which re-issuing never changes.
 */
export interface SessionPolicy {
  absoluteMs: number;
  idleMs: number;
}

export function sessionPolicyFrom(settings: Pick<Env, "SESSION_MAX_AGE_HOURS" | "SESSION_IDLE_TIMEOUT_MINUTES">): SessionPolicy {
  return { absoluteMs: settings.SESSION_MAX_AGE_HOURS * 3_600_000, idleMs: settings.SESSION_IDLE_TIMEOUT_MINUTES * 60_000 };
}

/** Whether a session that began at `authTime` (ms; missing in tokens issued before it was recorded) has ended. */
export function sessionOutlived(authTime: unknown, policy: SessionPolicy, now: number = Date.now()): boolean {
  return typeof authTime !== "number" || now - authTime >= policy.absoluteMs;
}

/**
 * Paths anyone may open: the login page, its icon (app/icon.svg, shown in the tab before sign-in) and Auth.js's own
 * endpoints. Everything else needs a session.
 */
export function isPublicPath(pathname: string): boolean {
  return pathname === "/login" || pathname === "/robots.txt" || pathname === "/icon.svg" || pathname.startsWith("/api/auth/");
}

export function createBaseAuthConfig(policy: SessionPolicy) {
  return {
    trustHost: true,
    // Errors too: a refused provider sign-in (AccessDenied) lands on the login page with ?error=, not Auth.js's own page.
    pages: { signIn: "/login", error: "/login" },
    // Here, so that the proxy (which uses this configuration alone) never logs a token either.
    logger: authLogger,
    session: { strategy: "jwt", maxAge: Math.floor(policy.idleMs / 1000) },
    // Each process remembers the tokens it decrypted until they expire (cached-session-decode.ts says why it is safe).
    jwt: { decode: createCachedSessionDecode() },
    providers: [],
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          token.sub = user.id;
          token.role = user.role;
          token.name = user.name;
          token.email = user.email;
          // When this session began (ms). Unlike iat it survives token refreshes, so sign-out can revoke it and the
          // absolute lifetime counts from it.
          token.authTime = Date.now();
        }
        // null ends the session: Auth.js clears the cookie and answers "signed out".
        if (sessionOutlived(token.authTime, policy)) return null;
        return token;
      },
      session({ session, token }) {
        const role = isRole(token.role) ? token.role : "DERMATOLOGIST";
        session.user = {
          ...session.user,
          id: token.sub ?? "",
          email: token.email ?? "",
          name: token.name ?? "",
          role,
          authTime: typeof token.authTime === "number" ? token.authTime : 0,
        };
        return session;
      },
      authorized({ auth, request }) {
        const { pathname } = request.nextUrl;
        if (isPublicPath(pathname) || auth?.user) return true;
        // API callers get a status code, not a login page.
        if (pathname.startsWith("/api/")) return Response.json({ error: "Sign in to continue." }, { status: 401 });
        return false;
      },
    },
  } satisfies NextAuthConfig;
}

export const baseAuthConfig = createBaseAuthConfig(sessionPolicyFrom(env()));
