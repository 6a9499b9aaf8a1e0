/**
 * Signed-out visitors go to the login page (API callers get 401). This is only the first gate: every page and
 * procedure checks the session and role again where it reads data.
 */
import NextAuth from "next-auth";
import { baseAuthConfig } from "./server/auth/base-config";

const { auth } = NextAuth(baseAuthConfig);

export default auth;

export const config = {
  // Everything but static assets.
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
