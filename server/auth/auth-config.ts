/**
 * The whole Auth.js configuration: the session policy and pages (base-config.ts, which the proxy uses alone), the
 * email + password provider with its limits (sign-in-events.ts) unless switched off, the OpenID Connect provider when
 * configured (oidc.ts, oidc-sign-in.ts), and sign-out revoking the session. Built from its
 * dependencies so tests run it against their own database; server/auth/index.ts builds the app's.
 */
// From @auth/core itself (what next-auth re-exports), so that tests can run this configuration outside Next.js.
import { CredentialsSignin } from "@auth/core/errors";
import Credentials from "@auth/core/providers/credentials";
import type { NextAuthConfig } from "next-auth";
import type { Db } from "../db/client";
import { createBaseAuthConfig, type SessionPolicy } from "./base-config";
import { clientAddress, trustedProxyList } from "./client-address";
import { OIDC_PROVIDER_ID, oidcProvider, type OidcSettings } from "./oidc";
import { signInWithOidc } from "./oidc-sign-in";
import { recordSignOut, signInWithPassword } from "./sign-in-events";
import { postgresSignInLimiter, type SignInLimiter } from "./sign-in-rate-limit";

export interface AuthDependencies {
  /** Called per request: the database is connected only once a request needs it. */
  db: () => Db;
  session: SessionPolicy;
  /** TRUSTED_PROXIES (server/env.ts). */
  trustedProxies: readonly string[];
  /** OIDC_* (server/env.ts); null: no OpenID Connect sign-in. */
  oidc?: OidcSettings | null;
  /** PASSWORD_SIGN_IN_DISABLED turns the email + password provider off. */
  passwordSignIn?: boolean;
  /**
   * The current request's headers, for the audited client address of an OpenID Connect sign-in (Auth.js gives its
   * signIn callback no request; the app reads Next's request scope). Absent: the address is recorded as unknown.
   */
  requestHeaders?: () => Promise<Headers | null>;
}

export function createAuthConfig(dependencies: AuthDependencies) {
  const trustedProxies = trustedProxyList(dependencies.trustedProxies);
  let limiter: SignInLimiter | undefined;
  const base = createBaseAuthConfig(dependencies.session);
  const oidc = dependencies.oidc ?? null;
  const passwordProvider = Credentials({
    credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
    async authorize(raw, request) {
      const db = dependencies.db();
      limiter ??= postgresSignInLimiter(db);
      const user = await signInWithPassword({ db, limiter, trustedProxies }, raw, request.headers);
      // Refused with one generic error whatever the reason: the client learns nothing about why.
      if (!user) throw new CredentialsSignin();
      return { ...user, role: user.role ?? undefined };
    },
  });
  return {
    ...base,
    providers: [
      ...(oidc ? [oidcProvider(oidc)] : []),
      ...(dependencies.passwordSignIn === false ? [] : [passwordProvider]),
    ],
    callbacks: {
      ...base.callbacks,
      async signIn({ user, account, profile }) {
        if (account?.provider !== OIDC_PROVIDER_ID) return true;
        if (!oidc || !profile) return false;
        const headers = (await dependencies.requestHeaders?.().catch(() => null)) ?? null;
        const signedIn = await signInWithOidc(
          { db: dependencies.db(), settings: oidc, address: headers ? clientAddress(headers, trustedProxies) : null },
          profile,
        );
        if (!signedIn) return false;
        // Auth.js passes this same object on to the jwt callback: the session names the DermFlag account.
        user.id = signedIn.id;
        user.email = signedIn.email;
        user.name = signedIn.name;
        user.role = signedIn.role ?? undefined;
        return true;
      },
    },
    events: {
      async signOut(message) {
        await recordSignOut(dependencies.db(), "token" in message ? message.token : null);
      },
    },
  } satisfies NextAuthConfig;
}
