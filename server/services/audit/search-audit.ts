/**
 * Searching the audit log: by entity type and id, actor email, action and date range, newest first, in pages joined by
 * a cursor (the last entry's time and id), so paging stays fast and stable while new entries are written.
 */
import { z } from "zod";
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { auditChanges, type AuditChange } from "./audit-changes";
import type { AuditAction } from "./record-audit";

/** The actions DermFlag writes, for filter menus (the filter itself accepts any action name). */
export const AUDIT_ACTIONS = [
  "CREATE",
  "UPDATE",
  "DELETE",
  "IMPORT",
  "DECIDE",
  "REQUEST_PROMOTION",
  "APPROVE",
  "REJECT",
  "PROMOTE",
  "ROLLBACK",
  "ADOPT",
  "LOGIN",
  "TRAIN",
  "CANCEL",
] as const satisfies readonly AuditAction[];

/** Blank means "any": the audit page's filter form submits empty fields. */
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((value) => (value ? value : undefined));

const CURSOR = /^(\d{1,15})\.(\d{1,19})$/;

export const auditSearchInput = z
  .object({
    entityType: optionalText(64),
    entityId: optionalText(64),
    actorEmail: optionalText(320),
    action: optionalText(32).transform((value) => value?.toUpperCase()),
    /** First day included (UTC). */
    from: optionalText(10).pipe(z.iso.date("Use a date like 2026-01-31.").optional()),
    /** Last day included (UTC). */
    to: optionalText(10).pipe(z.iso.date("Use a date like 2026-01-31.").optional()),
    cursor: optionalText(40).pipe(z.string().regex(CURSOR, "Not a page cursor.").optional()),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .refine((input) => !input.from || !input.to || input.from <= input.to, {
    message: "The start date is after the end date.",
    path: ["to"],
  });
export type AuditSearchInput = z.input<typeof auditSearchInput>;

export interface AuditSearchEntry {
  id: string;
  at: Date;
  action: string;
  entityType: string;
  entityId: string;
  actor: { name: string; email: string } | null;
  /** Whether the entry recorded a state before and after the change (a creation has no before, a deletion no after). */
  hasBefore: boolean;
  hasAfter: boolean;
  changes: AuditChange[];
}

export interface AuditSearchResult {
  entries: AuditSearchEntry[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function cursorOf(entry: { at: Date; id: bigint }): string {
  return `${entry.at.getTime()}.${entry.id}`;
}

export async function searchAudit(options: { db: Db; input: AuditSearchInput }): Promise<AuditSearchResult> {
  const input = auditSearchInput.parse(options.input);
  const where: Prisma.AuditLogWhereInput[] = [];
  if (input.entityType) where.push({ entityType: input.entityType });
  if (input.entityId) where.push({ entityId: input.entityId });
  if (input.action) where.push({ action: input.action });
  if (input.actorEmail) where.push({ actor: { email: { contains: input.actorEmail, mode: "insensitive" } } });
  if (input.from) where.push({ at: { gte: new Date(`${input.from}T00:00:00Z`) } });
  if (input.to) where.push({ at: { lt: new Date(new Date(`${input.to}T00:00:00Z`).getTime() + DAY_MS) } });
  const cursor = input.cursor ? CURSOR.exec(input.cursor) : null;
  if (cursor) {
    const at = new Date(Number(cursor[1]));
    const id = BigInt(cursor[2] ?? "0");
    where.push({ OR: [{ at: { lt: at } }, { at, id: { lt: id } }] });
  }

  const rows = await options.db.auditLog.findMany({
    where: { AND: where },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    select: {
      id: true,
      at: true,
      action: true,
      entityType: true,
      entityId: true,
      before: true,
      after: true,
      actor: { select: { name: true, email: true } },
    },
  });
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  return {
    entries: page.map((row) => ({
      id: row.id.toString(),
      at: row.at,
      action: row.action,
      entityType: row.entityType,
      entityId: row.entityId,
      actor: row.actor,
      hasBefore: row.before !== null,
      hasAfter: row.after !== null,
      changes: auditChanges(row.before, row.after),
    })),
    nextCursor: rows.length > input.limit && last ? cursorOf(last) : null,
  };
}
