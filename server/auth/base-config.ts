/**
 * The part of the Auth.js configuration that needs no database: session policy, pages and token shape. The proxy
 * (signed-out redirect) uses only this; server/auth/index.ts adds the credentials provider.
 */
import type { NextAuthConfig } from "next-auth";
import { isRole, type Role } from "./roles";

declare module "next-auth" {
  interface User {
    role?: Role;
  }
  interface Session {
    user: { id: string; email: string; name: string; role: Role; authTime: number };
  }
}

const sessionMaxAgeSeconds = () => Number(process.env.SESSION_MAX_AGE_HOURS ?? 8) * 3600;

/** Paths anyone may open: the login page and Auth.js's own endpoints. Everything else needs a session. */
export function isPublicPath(pathname: string): boolean {
  return pathname === "/login" || pathname === "/robots.txt" || pathname.startsWith("/api/auth/");
}

export const baseAuthConfig = {
  trustHost: true,
  pages: { signIn: "/login" },
  session: { strategy: "jwt", maxAge: sessionMaxAgeSeconds() },
  providers: [],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.role = user.role;
        token.name = user.name;
        token.email = user.email;
        // When this session began (ms). Unlike iat it survives token refreshes, so sign-out can revoke it.
        token.authTime = Date.now();
      }
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
