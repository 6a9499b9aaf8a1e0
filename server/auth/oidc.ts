/**
 * OpenID Connect sign-in: the settings (server/env.ts OIDC_*), the Auth.js provider built from them, and what is
 * read from the identity provider's ID token: issuer + subject (who), email (domain check, display), name, and the
 * role claim when one is configured. Provisioning and the audit trail are in oidc-sign-in.ts.
 */
import type { OIDCConfig } from "@auth/core/providers";
import type { Env } from "../env";
import type { Role } from "./roles";

/** The provider id: the redirect URI the identity provider must allow is <app origin>/api/auth/callback/oidc. */
export const OIDC_PROVIDER_ID = "oidc";

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** "Sign in with <name>". */
  name: string;
  roleClaim?: string;
  /** Claim value -> role; the first entry whose value the claim carries wins. */
  roleMap: readonly { value: string; role: Role }[];
  /** Lower-case email domains allowed to sign in; empty: any. */
  allowedDomains: readonly string[];
}

type OidcEnv = Pick<
  Env,
  | "OIDC_ISSUER"
  | "OIDC_CLIENT_ID"
  | "OIDC_CLIENT_SECRET"
  | "OIDC_PROVIDER_NAME"
  | "OIDC_ROLE_CLAIM"
  | "OIDC_ROLE_MAP"
  | "OIDC_ALLOWED_DOMAINS"
>;

/** The settings, or null when OpenID Connect is not configured (env() already refused a partial configuration). */
export function oidcSettingsFrom(settings: OidcEnv): OidcSettings | null {
  if (!settings.OIDC_ISSUER || !settings.OIDC_CLIENT_ID || !settings.OIDC_CLIENT_SECRET) return null;
  return {
    issuer: settings.OIDC_ISSUER,
    clientId: settings.OIDC_CLIENT_ID,
    clientSecret: settings.OIDC_CLIENT_SECRET,
    name: settings.OIDC_PROVIDER_NAME,
    roleClaim: settings.OIDC_ROLE_CLAIM,
    roleMap: settings.OIDC_ROLE_MAP,
    allowedDomains: settings.OIDC_ALLOWED_DOMAINS,
  };
}

/**
 * The claims DermFlag reads from the ID token. Auth.js (oauth4webapi) checked its issuer, audience, expiry, nonce and
 * signing algorithm; it does not verify the signature of a token that comes straight from the token endpoint in
 * exchange for the code and the client secret (OpenID Connect Core 3.1.3.7 lets TLS to the provider vouch for it),
 * hence an https:// issuer outside loopback (server/env.ts).
 */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  email: string;
  emailVerified: boolean | undefined;
  name: string;
  /** The claim named by OIDC_ROLE_CLAIM, as sent (a string or a list of strings; anything else is ignored). */
  roleClaimValues: string[];
}

function claimAt(profile: Record<string, unknown>, dottedName: string): unknown {
  let value: unknown = profile;
  for (const part of dottedName.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const text = (value: unknown, max: number): string | undefined =>
  typeof value === "string" && value.trim() !== "" && value.length <= max ? value.trim() : undefined;

/** The identity in an ID token's claims, or the reason it cannot be used. */
export function identityFromClaims(
  profile: Record<string, unknown>,
  settings: Pick<OidcSettings, "issuer" | "roleClaim">,
): { ok: true; identity: OidcIdentity } | { ok: false; reason: string } {
  const subject = text(profile.sub, 255);
  if (!subject) return { ok: false, reason: "ID token without a subject" };
  const email = text(profile.email, 320)?.toLowerCase();
  if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) return { ok: false, reason: "ID token without an email (ask for the email scope)" };
  const raw = settings.roleClaim ? claimAt(profile, settings.roleClaim) : undefined;
  const roleClaimValues = (Array.isArray(raw) ? raw : [raw]).filter((value): value is string => typeof value === "string");
  return {
    ok: true,
    identity: {
      // Auth.js compared `iss` with the discovered issuer; the configured one is the fallback for a token without it.
      issuer: text(profile.iss, 2048) ?? settings.issuer,
      subject,
      email,
      emailVerified: typeof profile.email_verified === "boolean" ? profile.email_verified : undefined,
      name: text(profile.name, 200) ?? text([profile.given_name, profile.family_name].filter(Boolean).join(" "), 200) ?? email,
      roleClaimValues,
    },
  };
}

/** The role the configured claim maps to, or null (the user then keeps the role an admin granted, or none). */
export function roleFromClaim(identity: Pick<OidcIdentity, "roleClaimValues">, roleMap: OidcSettings["roleMap"]): Role | null {
  for (const entry of roleMap) if (identity.roleClaimValues.includes(entry.value)) return entry.role;
  return null;
}

/** Whether the email's domain is allowed (exactly, not as a suffix: "evil-hospital.example" is not "hospital.example"). */
export function emailDomainAllowed(email: string, allowedDomains: readonly string[]): boolean {
  if (allowedDomains.length === 0) return true;
  const domain = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
  return allowedDomains.includes(domain);
}

/** The Auth.js provider: authorization code flow with PKCE, state and nonce; the profile is mapped in oidc-sign-in.ts. */
export function oidcProvider(settings: OidcSettings): OIDCConfig<Record<string, unknown>> {
  return {
    id: OIDC_PROVIDER_ID,
    name: settings.name,
    type: "oidc",
    issuer: settings.issuer,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    checks: ["pkce", "state", "nonce"],
    authorization: { params: { scope: "openid email profile" } },
    // Only what the session token needs; the account itself is found or provisioned in the signIn callback.
    profile: (profile) => ({ id: String(profile.sub ?? ""), email: String(profile.email ?? ""), name: String(profile.name ?? "") }),
  };
}
