/**
 * Audit trail: who changed what, when, before -> after. Called inside the same transaction as the change, so a
 * change and its audit entry are written together or not at all. The table is append-only (a trigger rejects
 * UPDATE and DELETE).
 */
import type { Prisma } from "../../db/generated/client";

export type AuditAction =
  | "CREATE"
  | "UPDATE"
  | "DELETE"
  | "IMPORT"
  | "DECIDE"
  // A decision or biopsy result replaced by a corrected one, or withdrawn: the old record stays (never edited in place).
  | "AMEND"
  | "RETRACT"
  | "REQUEST_PROMOTION"
  | "APPROVE"
  | "REJECT"
  | "PROMOTE"
  | "ROLLBACK"
  | "ADOPT"
  | "LOGIN"
  | "TRAIN"
  | "CANCEL"
  // A read of a patient's record or image (access-log.ts).
  | "VIEW";

export interface AuditEntry {
  actorId: string | null;
  action: AuditAction;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

type AuditWriter = { auditLog: { create(args: { data: Prisma.AuditLogUncheckedCreateInput }): Promise<unknown> } };

/** JSON-safe copy: dates become ISO strings, secrets are never stored. */
function toAuditJson(value: unknown): Prisma.InputJsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  return JSON.parse(
    JSON.stringify(value, (key, inner: unknown) => (key === "passwordHash" ? undefined : inner)),
  ) as Prisma.InputJsonValue;
}

export async function recordAudit(db: AuditWriter, entry: AuditEntry): Promise<void> {
  await db.auditLog.create({
    data: {
      actorId: entry.actorId,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      before: toAuditJson(entry.before),
      after: toAuditJson(entry.after),
    },
  });
}
