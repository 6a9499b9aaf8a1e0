/**
 * An OpenID Connect sign-in, after Auth.js has validated the ID token: the account is found by issuer + subject or
 * provisioned, and the sign-in (or its refusal) audited through sign-in-events.ts like a password sign-in.
 *
 * Accounts are matched on issuer + subject, never on email alone: the subject is the one identifier the provider
 * promises never to reassign, while an email can be renamed, reused for a new employee, or (at some providers) typed
 * in by the user. Matching on email would let whoever holds that address at the provider take over an existing
 * DermFlag account, an admin's included. A new identity whose email already belongs to another account is refused
 * (an admin resolves it), not linked.
 *
 * A provisioned user has no role (sees only /waiting-for-access) until an admin grants one, unless the configured
 * role claim maps to a role. When it maps, each sign-in applies it (audited), so the provider's groups govern the
 * role; when it maps to nothing, the role an admin granted stays. A claim never demotes the last active admin (the
 * rule of user administration, server/services/users/users.ts): that sign-in keeps the admin role, audited.
 */
import type { Db } from "../db/client";
import { isUniqueViolation } from "../db/unique-violation";
import { componentLogger } from "../logging/logger";
import { recordAudit } from "../services/audit/record-audit";
import { noOtherActiveAdmin } from "../services/users/users";
import { emailDomainAllowed, identityFromClaims, roleFromClaim, type OidcSettings } from "./oidc";
import type { Role } from "./roles";
import { recordSignedIn, recordSignInRefused } from "./sign-in-events";

/**
 * Stored as the password hash of accounts provisioned through OpenID Connect: not an Argon2 hash, so no password
 * ever verifies against it (verifyPassword reads a malformed hash as a wrong password).
 */
export const NO_PASSWORD = "!openid-connect: no password";

export interface OidcSignedInUser {
  id: string;
  email: string;
  name: string;
  role: Role | null;
}

export async function signInWithOidc(
  context: { db: Db; settings: OidcSettings; address: string | null; now?: Date },
  profile: Record<string, unknown>,
): Promise<OidcSignedInUser | null> {
  const { db, settings, address } = context;
  const now = context.now ?? new Date();
  const refuse = async (reason: string, userId?: string) => {
    await recordSignInRefused(db, { userId, reason, address, method: "oidc" });
    return null;
  };
  const parsed = identityFromClaims(profile, settings);
  if (!parsed.ok) return refuse(parsed.reason);
  const { identity } = parsed;
  if (!emailDomainAllowed(identity.email, settings.allowedDomains)) return refuse("email domain not allowed");
  // A domain rule means nothing for an address the provider itself says it has not verified.
  if (settings.allowedDomains.length > 0 && identity.emailVerified === false) return refuse("email not verified by the identity provider");
  const claimedRole = roleFromClaim(identity, settings.roleMap);

  const existing = await db.user.findUnique({
    where: { oidcIssuer_oidcSubject: { oidcIssuer: identity.issuer, oidcSubject: identity.subject } },
    select: { id: true, email: true, role: true, active: true },
  });
  if (existing && !existing.active) return refuse("account deactivated", existing.id);
  const emailOwner = await db.user.findUnique({ where: { email: identity.email }, select: { id: true } });
  if (!existing && emailOwner) return refuse("email belongs to another account (accounts are not linked by email)", emailOwner.id);

  try {
    return await db.$transaction(async (tx) => {
      if (!existing) {
        const user = await tx.user.create({
          data: {
            email: identity.email,
            name: identity.name,
            role: claimedRole,
            passwordHash: NO_PASSWORD,
            oidcIssuer: identity.issuer,
            oidcSubject: identity.subject,
            lastLoginAt: now,
          },
          select: { id: true, email: true, name: true, role: true },
        });
        await recordAudit(tx, {
          actorId: null,
          action: "CREATE",
          entityType: "User",
          entityId: user.id,
          after: {
            ...user,
            provisionedBy: "openid-connect",
            issuer: identity.issuer,
            role: user.role ?? "none (waiting for an admin)",
          },
        });
        await recordSignedIn(tx, { userId: user.id, address, method: "oidc" });
        return user;
      }
      // A claim that takes admin rights away obeys the last-admin rule of user administration (users.ts): its lock
      // first, then this account's role as it is now.
      const claimDemotes = claimedRole !== null && claimedRole !== "ADMIN";
      const noOtherAdmin = claimDemotes && (await noOtherActiveAdmin(tx, existing.id));
      const { role: roleNow } = await tx.user.findUniqueOrThrow({ where: { id: existing.id }, select: { role: true } });
      const keptLastAdmin = noOtherAdmin && roleNow === "ADMIN";
      const role = keptLastAdmin ? roleNow : (claimedRole ?? roleNow);
      const user = await tx.user.update({
        where: { id: existing.id },
        // The email follows the provider unless another account holds it; the name always does.
        data: { name: identity.name, role, lastLoginAt: now, ...(emailOwner ? {} : { email: identity.email }) },
        select: { id: true, email: true, name: true, role: true },
      });
      const auditRole = (after: Record<string, unknown>) =>
        recordAudit(tx, { actorId: null, action: "UPDATE", entityType: "User", entityId: user.id, before: { role: roleNow }, after: { role, ...after } });
      if (role !== roleNow) await auditRole({ reason: "role claim from the identity provider" });
      if (keptLastAdmin) {
        // Signed in as the admin they are: refusing the sign-in would leave the clinic with no admin at all.
        await auditRole({ roleClaim: claimedRole, reason: "role claim not applied: this is the last active admin" });
        componentLogger("auth").warn(`role claim not applied (last active admin): user ${user.id}`);
      }
      await recordSignedIn(tx, { userId: user.id, address, method: "oidc" });
      return user;
    });
  } catch (error) {
    // Two first sign-ins of one identity at once, or an email taken meanwhile: the loser is refused, never merged.
    if (isUniqueViolation(error)) {
      return refuse("account changed during sign-in, try again", existing?.id);
    }
    throw error;
  }
}
