/**
 * Auth.js (next-auth v5): email + password sign-in against the User table, JWT sessions with an idle timeout and an
 * absolute lifetime, revoked at sign-out (auth-config.ts).
 */
import NextAuth from "next-auth";
import { getDb } from "../db/client";
import { env } from "../env";
import { createAuthConfig } from "./auth-config";
import { sessionPolicyFrom } from "./base-config";

export const { handlers, auth, signIn, signOut } = NextAuth({
  ...createAuthConfig({ db: getDb, session: sessionPolicyFrom(env()), trustedProxies: env().TRUSTED_PROXIES }),
  logger: {
    error(error) {
      // A refused sign-in is already logged, readably, by sign-in-events.ts. `type` survives minification; the class
      // name (`error.name`) does not: it printed "[auth] j".
      if ("type" in error && error.type === "CredentialsSignin") return;
      console.error(`[auth] ${"type" in error ? String(error.type) : error.name}`);
    },
    warn(code) {
      console.warn(`[auth] ${code}`);
    },
  },
});
