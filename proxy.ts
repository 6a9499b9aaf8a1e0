/**
 * Signed-out visitors go to the login page (API callers get 401). This is only the first gate: every page and
 * procedure checks the session and role again where it reads data. The routes that take large bodies are outside it
 * (see the matcher). Every response also gets the
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
  // Every page and route but static assets and the routes that take large bodies: Next.js receives and holds a
  // request's whole body before the proxy runs, and these refuse an oversized one themselves from its headers, with
  // the sign-in gate in the route (server/auth/route-gate.ts, or the session check of server/fhir/http.ts): tRPC
  // (256 KB), the image upload (IMAGE_MAX_BYTES) and FHIR (10 MiB). Their JSON answers need no page policy.
  // Also the image route, the busiest (a queue page is 25 thumbnails): it checks the session and role itself
  // (serve-lesion-image.ts), and the proxy would decode the session and re-issue its cookie once more per image.
  matcher: ["/((?!_next/static|_next/image|favicon.ico|api/trpc(?:/|$)|api/lesions/[^/]+/images$|api/fhir(?:/|$)|api/images/).*)"],
};
