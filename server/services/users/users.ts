/**
 * User accounts: create, list, change role or active state, reset a password, unlock, and each person's own password
 * change. Every change is audited (entity type User), in the transaction that makes it.
 *
 * At least one active admin always remains: every change that could remove one (deactivating or demoting an admin, here
 * or through an OpenID Connect role claim) takes USER_ADMIN_LOCK first and counts the admins that would be left, so two admins demoting each other at the same
 * moment cannot both succeed (without the lock each would count the other as still active).
 */
import { DomainError } from "../domain-error";
import { z } from "zod";
import type { Db } from "../../db/client";
import { clearSignInLockout, isLockedOut, LOCKOUT_MINUTES, MAX_FAILED_LOGINS, normaliseEmail } from "../../auth/authenticate";
import { hashPassword, passwordSchema, verifyPassword } from "../../auth/password";
import { revokeSessions } from "../../auth/session";
import { postgresSignInLimiter, type SignInLimiter } from "../../auth/sign-in-rate-limit";
import { componentLogger } from "../../logging/logger";
import type { Prisma } from "../../db/generated/client";
import { ROLES } from "../../auth/roles";
import { recordAudit } from "../audit/record-audit";

export const createUserInput = z.object({
  email: z.email("Enter a valid email address.").transform(normaliseEmail),
  name: z.string().trim().min(1, "Enter a name.").max(200),
  role: z.enum(ROLES),
  password: passwordSchema,
});
export type CreateUserInput = z.infer<typeof createUserInput>;

const userSelect = {
  id: true,
  email: true,
  name: true,
  role: true,
  active: true,
  lastLoginAt: true,
  createdAt: true,
  lockedUntil: true,
  mustChangePassword: true,
} as const;

/** A user as the admin's table shows it: `locked` is the sign-in lockout (server/auth/authenticate.ts) now. */
function withLockState<T extends { lockedUntil: Date | null }>(user: T, now = new Date()) {
  return { ...user, locked: isLockedOut(user, now) };
}

/** Serialises the changes that could leave no active admin (any bigint unique to this purpose). */
const USER_ADMIN_LOCK = 727274101;

type Tx = Prisma.TransactionClient;

/**
 * The last-admin rule, for every path that can take admin rights away (user administration here, the OpenID Connect
 * role claim in server/auth/oidc-sign-in.ts): takes USER_ADMIN_LOCK, then answers whether no active admin other than
 * `userId` remains. Call it inside the transaction that makes the change, before reading what it changes.
 */
export async function noOtherActiveAdmin(tx: Tx, userId: string): Promise<boolean> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${USER_ADMIN_LOCK})`;
  const others = await tx.user.count({ where: { role: "ADMIN", active: true, id: { not: userId } } });
  return others === 0;
}

async function refuseRemovingLastAdmin(tx: Tx, userId: string) {
  if (await noOtherActiveAdmin(tx, userId)) throw new DomainError("CONFLICT", "This is the last active admin: make another user an admin first.");
}

/** `createdByDemoSeed`: only the demo seed sets it; such accounts are disabled outside demo mode (server/auth/demo-accounts.ts). */
export async function createUser(options: { db: Db; actorId: string | null; input: CreateUserInput; createdByDemoSeed?: boolean }) {
  const { db, actorId, input, createdByDemoSeed = false } = options;
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email: input.email }, select: { id: true } });
    if (existing) throw new DomainError("CONFLICT", "A user with this email already exists.");
    const user = await tx.user.create({
      data: { email: input.email, name: input.name, role: input.role, passwordHash, createdByDemoSeed },
      select: userSelect,
    });
    await recordAudit(tx, { actorId, action: "CREATE", entityType: "User", entityId: user.id, after: user });
    return withLockState(user);
  });
}

export async function listUsers(options: { db: Db; now?: Date }) {
  const users = await options.db.user.findMany({ select: userSelect, orderBy: [{ role: "asc" }, { email: "asc" }] });
  return users.map((user) => withLockState(user, options.now));
}

export const updateUserInput = z.object({
  userId: z.string().min(1).max(64),
  role: z.enum(ROLES).optional(),
  active: z.boolean().optional(),
});

/** Role change, deactivation or reactivation. Deactivating also ends the user's sessions on every device. */
export async function updateUser(options: { db: Db; actorId: string; input: z.infer<typeof updateUserInput>; now?: Date }) {
  const { db, actorId, input } = options;
  const now = options.now ?? new Date();
  if (input.userId === actorId && (input.active === false || input.role === "DERMATOLOGIST")) {
    throw new DomainError("BAD_REQUEST", "You cannot remove your own admin access.");
  }
  return db.$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id: input.userId }, select: userSelect });
    if (!before) throw new DomainError("NOT_FOUND", "No such user.");
    const removesAnAdmin = before.role === "ADMIN" && before.active && (input.active === false || input.role === "DERMATOLOGIST");
    if (removesAnAdmin) await refuseRemovingLastAdmin(tx, before.id);
    const after = await tx.user.update({
      where: { id: input.userId },
      data: { role: input.role, active: input.active },
      select: userSelect,
    });
    if (before.active && !after.active) await revokeSessions(tx, after.id, now);
    await recordAudit(tx, { actorId, action: "UPDATE", entityType: "User", entityId: after.id, before, after });
    return withLockState(after, now);
  });
}

export const resetPasswordInput = z.object({
  userId: z.string().min(1).max(64),
  /** A temporary password the admin hands over; the user must replace it at the next sign-in. */
  temporaryPassword: passwordSchema,
});

/** An admin's reset: the temporary password works once, to sign in and choose a new one; existing sessions end. */
export async function resetPassword(options: { db: Db; actorId: string; input: z.infer<typeof resetPasswordInput>; now?: Date }) {
  const { db, actorId, input } = options;
  const now = options.now ?? new Date();
  const passwordHash = await hashPassword(input.temporaryPassword);
  return db.$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id: input.userId }, select: userSelect });
    if (!before) throw new DomainError("NOT_FOUND", "No such user.");
    const after = await tx.user.update({
      where: { id: input.userId },
      data: { passwordHash, passwordChangedAt: now, mustChangePassword: true, sessionsRevokedAt: now },
      select: userSelect,
    });
    await recordAudit(tx, {
      actorId,
      action: "UPDATE",
      entityType: "User",
      entityId: after.id,
      before: { password: "unchanged", mustChangePassword: before.mustChangePassword },
      after: { password: "reset by an admin", mustChangePassword: true },
    });
    return withLockState(after, now);
  });
}

export const unlockUserInput = z.object({ userId: z.string().min(1).max(64) });

/** Lifts the sign-in lockout (server/auth/authenticate.ts) at once, with a full allowance of attempts. */
export async function unlockUser(options: { db: Db; actorId: string; input: z.infer<typeof unlockUserInput> }) {
  const { db, actorId, input } = options;
  return db.$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id: input.userId }, select: { ...userSelect, failedLoginCount: true } });
    if (!before) throw new DomainError("NOT_FOUND", "No such user.");
    await clearSignInLockout(tx, before.id);
    await recordAudit(tx, {
      actorId,
      action: "UPDATE",
      entityType: "User",
      entityId: before.id,
      before: { lockedUntil: before.lockedUntil, failedLoginCount: before.failedLoginCount },
      after: { lockedUntil: null, failedLoginCount: 0 },
    });
    const after = await tx.user.findUniqueOrThrow({ where: { id: before.id }, select: userSelect });
    return withLockState(after);
  });
}

export const changeOwnPasswordInput = z
  .object({
    currentPassword: z.string().min(1, "Enter your current password.").max(256),
    newPassword: passwordSchema,
  })
  .refine((input) => input.currentPassword !== input.newPassword, {
    message: "Choose a password different from the current one.",
    path: ["newPassword"],
  });

/**
 * Checks of the current password on the change form, per user: as many per window as the sign-in lockout allows
 * (authenticate.ts). Without it, whoever holds a session (an unlocked workstation) could guess the password behind it
 * without limit and then keep the account. Counted in PostgreSQL before the password is verified, as sign-in counts
 * (sign-in-rate-limit.ts), so parallel guesses cannot all be verified first.
 */
export const PASSWORD_CHECKS_PER_WINDOW = MAX_FAILED_LOGINS;
export const PASSWORD_CHECK_WINDOW_MS = LOCKOUT_MINUTES * 60_000;

export function passwordCheckLimiter(db: Db): SignInLimiter {
  return postgresSignInLimiter(db, { limit: PASSWORD_CHECKS_PER_WINDOW, windowMs: PASSWORD_CHECK_WINDOW_MS });
}

const passwordCheckKey = (userId: string) => `password-check:user:${userId}`;

/** Anyone's own password change (also how a reset user replaces the temporary one): the current password is required. */
export async function changeOwnPassword(options: {
  db: Db;
  userId: string;
  input: z.infer<typeof changeOwnPasswordInput>;
  now?: Date;
  /** Default: passwordCheckLimiter on `db`. */
  limiter?: SignInLimiter;
}) {
  const { db, userId, input } = options;
  const now = options.now ?? new Date();
  const limiter = options.limiter ?? passwordCheckLimiter(db);
  const user = await db.user.findUnique({ where: { id: userId }, select: { passwordHash: true, mustChangePassword: true } });
  if (!user) throw new DomainError("NOT_FOUND", "No such user.");
  if (!(await limiter.consume(passwordCheckKey(userId), now))) {
    componentLogger("auth").info(`password change refused: too many current-password checks for user ${userId}`);
    throw new DomainError(
      "TOO_MANY_REQUESTS",
      `Too many tries of the current password. Wait ${LOCKOUT_MINUTES} minutes, then try again.`,
    );
  }
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw new DomainError("BAD_REQUEST", "The current password is not right.");
  }
  await limiter.refund(passwordCheckKey(userId));
  const passwordHash = await hashPassword(input.newPassword);
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { passwordHash, passwordChangedAt: now, mustChangePassword: false } });
    await recordAudit(tx, {
      actorId: userId,
      action: "UPDATE",
      entityType: "User",
      entityId: userId,
      before: { password: "previous", mustChangePassword: user.mustChangePassword },
      after: { password: "changed by the user", mustChangePassword: false },
    });
  });
}
