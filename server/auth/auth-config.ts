/**
 * The whole Auth.js configuration: the session policy and pages (base-config.ts, which the proxy uses alone), the
 * email + password provider with its limits (sign-in-events.ts), and sign-out revoking the session. Built from its
 * dependencies so tests run it against their own database; server/auth/index.ts builds the app's.
 */
// From @auth/core itself (what next-auth re-exports), so that tests can run this configuration outside Next.js.
import { CredentialsSignin } from "@auth/core/errors";
import Credentials from "@auth/core/providers/credentials";
import type { NextAuthConfig } from "next-auth";
import type { Db } from "../db/client";
import { createBaseAuthConfig, type SessionPolicy } from "./base-config";
import { trustedProxyList } from "./client-address";
import { recordSignOut, signInWithPassword } from "./sign-in-events";
import { postgresSignInLimiter, type SignInLimiter } from "./sign-in-rate-limit";

export interface AuthDependencies {
  /** Called per request: the database is connected only once a request needs it. */
  db: () => Db;
  session: SessionPolicy;
  /** TRUSTED_PROXIES (server/env.ts). */
  trustedProxies: readonly string[];
}

export function createAuthConfig(dependencies: AuthDependencies) {
  const trustedProxies = trustedProxyList(dependencies.trustedProxies);
  let limiter: SignInLimiter | undefined;
  const base = createBaseAuthConfig(dependencies.session);
  return {
    ...base,
    providers: [
      Credentials({
        credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
        async authorize(raw, request) {
          const db = dependencies.db();
          limiter ??= postgresSignInLimiter(db);
          const user = await signInWithPassword({ db, limiter, trustedProxies }, raw, request.headers);
          // Refused with one generic error whatever the reason: the client learns nothing about why.
          if (!user) throw new CredentialsSignin();
          return user;
        },
      }),
    ],
    events: {
      async signOut(message) {
        await recordSignOut(dependencies.db(), "token" in message ? message.token : null);
      },
    },
  } satisfies NextAuthConfig;
}
