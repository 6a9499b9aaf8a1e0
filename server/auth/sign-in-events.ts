/**
 * Sign-in and sign-out as they happen: the per-address limit, the password check, and a record of each in the audit
 * log and the server log.
 *
 * Audit rows use the action LOGIN (what the audit page's "login" filter finds) on entity type User, with
 * `after.event` saying which: "signed in", "sign-in refused" (with the reason) or "signed out".
 * - A success or sign-out names the user as actor and entity.
 * - A refusal has no actor (whoever typed the password is not known to be the account holder); its entity is the
 *   account the email named, or "unknown-account" when no account has that email. The typed email itself is kept
 *   nowhere, hashed or not: a hash of an email is reversed by trying a directory of them.
 * - The client address (client-address.ts) is kept with each row.
 * Attempts refused by the per-address limit are not written to the audit table (a flood would grow it without bound),
 * only logged. The server log carries the event, reason and user id: never an email.
 */
import { z } from "zod";
import type { Db } from "../db/client";
import { componentLogger } from "../logging/logger";
import { recordAudit } from "../services/audit/record-audit";
import { authenticate, type AuthenticatedUser, type AuthenticationFailure } from "./authenticate";
import { addressKey, clientAddress } from "./client-address";
import type { BlockList } from "node:net";
import { revokeSessions } from "./session";
import type { SignInLimiter } from "./sign-in-rate-limit";

export const UNKNOWN_ACCOUNT = "unknown-account";

const credentialsSchema = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(256),
});

const REFUSAL_TEXT: Record<AuthenticationFailure | "malformed", string> = {
  "invalid-credentials": "wrong password or no such account",
  locked: "account locked after failed sign-ins",
  inactive: "account deactivated",
  malformed: "email or password missing or too long",
};

function log(line: string) {
  componentLogger("auth").info(line);
}

export interface SignInContext {
  db: Db;
  limiter: SignInLimiter;
  trustedProxies: BlockList;
  now?: Date;
}

/** The credentials provider's check: the user to sign in, or null (the client is told only "not signed in"). */
export async function signInWithPassword(
  context: SignInContext,
  raw: unknown,
  headers: Headers,
): Promise<AuthenticatedUser | null> {
  const { db, limiter } = context;
  const now = context.now ?? new Date();
  const address = clientAddress(headers, context.trustedProxies);
  const key = addressKey(address);
  if (!(await limiter.consume(key, now))) {
    log(`sign-in refused: too many attempts from ${key}`);
    return null;
  }
  const parsed = credentialsSchema.safeParse(raw);
  const result = parsed.success
    ? await authenticate(db, parsed.data, now)
    : ({ ok: false, reason: "malformed" } as const);
  if (result.ok) {
    await limiter.refund(key);
    await recordSignedIn(db, { userId: result.user.id, address, method: "password" });
    return result.user;
  }
  const userId = "userId" in result ? result.userId : undefined;
  await recordSignInRefused(db, { userId, reason: REFUSAL_TEXT[result.reason], address, method: "password" });
  return null;
}

/** How a user signed in: the password form or the OpenID Connect provider (oidc-sign-in.ts). */
export type SignInMethod = "password" | "oidc";

/** One successful sign-in, audited and logged (both sign-in methods). */
export async function recordSignedIn(
  db: Pick<Db, "auditLog">,
  event: { userId: string; address: string | null; method: SignInMethod },
): Promise<void> {
  await recordAudit(db, {
    actorId: event.userId,
    action: "LOGIN",
    entityType: "User",
    entityId: event.userId,
    // Password sign-ins keep their original row shape; the method is named only when it is not the password.
    after: { event: "signed in", address: event.address ?? "unknown", ...(event.method === "password" ? {} : { method: event.method }) },
  });
  log(`signed in${event.method === "password" ? "" : ` (${event.method})`}: user ${event.userId}`);
}

/** One refused sign-in, audited and logged (both sign-in methods); `userId` when an account is known. */
export async function recordSignInRefused(
  db: Pick<Db, "auditLog">,
  event: { userId: string | undefined; reason: string; address: string | null; method: SignInMethod },
): Promise<void> {
  await recordAudit(db, {
    actorId: null,
    action: "LOGIN",
    entityType: "User",
    entityId: event.userId ?? UNKNOWN_ACCOUNT,
    after: {
      event: "sign-in refused",
      reason: event.reason,
      address: event.address ?? "unknown",
      ...(event.method === "password" ? {} : { method: event.method }),
    },
  });
  log(
    `sign-in refused${event.method === "password" ? "" : ` (${event.method})`} (${event.reason}): ` +
      (event.userId ? `user ${event.userId}` : "no such account"),
  );
}

/**
 * Auth.js's sign-out (its /api/auth/signout endpoint and the app's Sign out button alike): every session of the
 * user that began before now is refused from here on (session.ts), and the sign-out is audited.
 */
export async function recordSignOut(db: Db, token: { sub?: string | null } | null | undefined, now = new Date()) {
  const userId = token?.sub;
  if (!userId) return;
  await db.$transaction(async (tx) => {
    await revokeSessions(tx, userId, now);
    await recordAudit(tx, { actorId: userId, action: "LOGIN", entityType: "User", entityId: userId, after: { event: "signed out" } });
  });
  log(`signed out: user ${userId}`);
}
