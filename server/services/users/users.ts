/**
 * User accounts: create, list, change role or active state. Every change is audited.
 */
import { DomainError } from "../domain-error";
import { z } from "zod";
import type { Db } from "../../db/client";
import { normaliseEmail } from "../../auth/authenticate";
import { hashPassword, passwordSchema } from "../../auth/password";
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
} as const;

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
    return user;
  });
}

export function listUsers(options: { db: Db }) {
  return options.db.user.findMany({ select: userSelect, orderBy: [{ role: "asc" }, { email: "asc" }] });
}

export const updateUserInput = z.object({
  userId: z.string().min(1),
  role: z.enum(ROLES).optional(),
  active: z.boolean().optional(),
});

export async function updateUser(options: { db: Db; actorId: string; input: z.infer<typeof updateUserInput> }) {
  const { db, actorId, input } = options;
  if (input.userId === actorId && (input.active === false || input.role === "DERMATOLOGIST")) {
    throw new DomainError("BAD_REQUEST", "You cannot remove your own admin access.");
  }
  return db.$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id: input.userId }, select: userSelect });
    if (!before) throw new DomainError("NOT_FOUND", "No such user.");
    const after = await tx.user.update({
      where: { id: input.userId },
      data: { role: input.role, active: input.active },
      select: userSelect,
    });
    await recordAudit(tx, { actorId, action: "UPDATE", entityType: "User", entityId: after.id, before, after });
    return after;
  });
}
