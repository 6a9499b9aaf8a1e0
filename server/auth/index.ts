/**
 * Auth.js (next-auth v5): email + password sign-in against the User table and OpenID Connect sign-in when configured
 * (oidc.ts), JWT sessions with an idle timeout and an absolute lifetime, revoked at sign-out (auth-config.ts).
 */
import NextAuth from "next-auth";
import { headers } from "next/headers";
import { getDb } from "../db/client";
import { env } from "../env";
import { createAuthConfig } from "./auth-config";
import { sessionPolicyFrom } from "./base-config";
import { oidcSettingsFrom } from "./oidc";

// Auth.js's log goes through the project's logger (auth-logger.ts, set in the base configuration).
export const { handlers, auth, signIn, signOut } = NextAuth(
  createAuthConfig({
    db: getDb,
    session: sessionPolicyFrom(env()),
    trustedProxies: env().TRUSTED_PROXIES,
    oidc: oidcSettingsFrom(env()),
    passwordSignIn: !env().PASSWORD_SIGN_IN_DISABLED,
    requestHeaders: async () => new Headers(await headers()),
  }),
);
