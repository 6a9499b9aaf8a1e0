/**
 * Signed-out visitors go to the login page (API callers get 401). This is only the first gate: every page and
 * procedure checks the session and role again where it reads data. Every response also gets the
 * Content-Security-Policy with this request's script nonce (server/security).
 */
import NextAuth from "next-auth";
import type { NextFetchEvent } from "next/server";
import { baseAuthConfig } from "./server/auth/base-config";
import { withContentSecurityPolicy, type ProxyHandler } from "./server/security/with-content-security-policy";

const { auth } = NextAuth(baseAuthConfig);

/**
 * Auth.js's gate called directly with the request, as it is when `auth` itself is the proxy: it runs the
 * `authorized` callback and redirects to /login or answers its 401. next-auth 5.0.0-beta.32 declares only the
 * wrapper overload, `auth((req) => …)`, whose callback also runs for refused requests and so skips that redirect.
 */
const signInGate = auth as unknown as ProxyHandler<NextFetchEvent>;

export default withContentSecurityPolicy(signInGate);

export const config = {
  // Everything but static assets: every page and route answer carries the policy.
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
