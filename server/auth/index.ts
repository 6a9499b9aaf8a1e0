/**
 * Auth.js (next-auth v5): email + password sign-in against the User table, JWT sessions with an idle timeout and an
 * absolute lifetime, revoked at sign-out (auth-config.ts).
 */
import NextAuth from "next-auth";
import { getDb } from "../db/client";
import { env } from "../env";
import { createAuthConfig } from "./auth-config";
import { sessionPolicyFrom } from "./base-config";

// Auth.js's log goes through the project's logger (auth-logger.ts, set in the base configuration).
export const { handlers, auth, signIn, signOut } = NextAuth(
  createAuthConfig({ db: getDb, session: sessionPolicyFrom(env()), trustedProxies: env().TRUSTED_PROXIES }),
);
