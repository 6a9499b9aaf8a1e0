/**
 * Audit trail: who changed what, when, before -> after. Called inside the same transaction as the change, so a
 * change and its audit entry are written together or not at all. The table is append-only (a trigger rejects
 * UPDATE and DELETE).
 */
import type { Prisma } from "../../db/generated/client";

/**
 * Every action DermFlag writes to the audit table: the one list. Writers are typed by it (AuditAction), the audit
 * page's filter offers it and the search accepts no other, so a new action cannot be missing from the filter.
 * Actions written by SQL (a migration's repair) are listed too; search-audit.test.ts reads the migrations to check.
 */
export const AUDIT_ACTIONS = [
  "CREATE",
  "UPDATE",
  "DELETE",
  "IMPORT",
  "DECIDE",
  // A decision or biopsy result replaced by a corrected one, or withdrawn: the old record stays (never edited in place).
  "AMEND",
  "RETRACT",
  "REQUEST_PROMOTION",
  "APPROVE",
  "REJECT",
  "PROMOTE",
  "ROLLBACK",
  "ADOPT",
  // Written only by the migration that repaired a database with more than one active model version.
  "RETIRE",
  "LOGIN",
  "TRAIN",
  "CANCEL",
  // A read of a patient's record or image (access-log.ts).
  "VIEW",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Every entity type DermFlag writes to the audit table (the filter's list, like AUDIT_ACTIONS). */
export const AUDIT_ENTITY_TYPES = [
  "Patient",
  "Lesion",
  "LesionImage",
  "ClinicalAssessment",
  "Flag",
  "Review",
  "BiopsyOutcome",
  "ImportedPathologyReport",
  "ImportRun",
  "SafetyEvent",
  "ModelVersion",
  "ModelDeferral",
  "OperatingPoint",
  "PromotionRequest",
  "TrainingRun",
  "User",
  "Setting",
] as const;
export type AuditEntityType = (typeof AUDIT_ENTITY_TYPES)[number];

export interface AuditEntry {
  actorId: string | null;
  action: AuditAction;
  entityType: AuditEntityType;
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
