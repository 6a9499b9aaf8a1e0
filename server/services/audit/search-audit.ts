/**
 * Searching the audit log: by entity type and id, patient MRN, actor email, action and date range, newest first, in
 * pages joined by a cursor (the last entry's time and id), so paging stays fast and stable while new entries are
 * written. Each entry names the patient it concerns (by MRN) where it concerns one. The access log is the same search
 * with action VIEW (access-log.ts): by MRN "who looked at this patient", by actor "what did this user open".
 */
import { z } from "zod";
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { auditChanges, type AuditChange } from "./audit-changes";
import { ACCESS_ACTION } from "./access-log";
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES } from "./record-audit";

// The fixed lists live beside the writer (record-audit.ts), which is typed by them.
export { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES };

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
    entityType: optionalText(64).pipe(z.enum(AUDIT_ENTITY_TYPES, "Choose an entity type from the list.").optional()),
    entityId: optionalText(64),
    /** The patient's entries (entity type Patient): their record's changes and who opened it. */
    mrn: optionalText(64),
    actorEmail: optionalText(320),
    action: optionalText(32)
      .transform((value) => value?.toUpperCase())
      .pipe(z.enum(AUDIT_ACTIONS, "Choose an action from the list.").optional()),
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
  /** The patient the entry concerns, where it concerns one (by MRN, as clinicians know patients). */
  patient: { id: string; mrn: string } | null;
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

type PatientRef = { id: string; mrn: string };

/** The patient of each entry on a page, in one query per entity type present (at most a handful per page). */
async function patientsOf(db: Db, rows: { entityType: string; entityId: string }[]): Promise<Map<string, PatientRef>> {
  const idsOf = (type: string) => [...new Set(rows.filter((row) => row.entityType === type).map((row) => row.entityId))];
  const patient = { select: { id: true, mrn: true } } as const;
  const viaLesion = { select: { patient } } as const;
  const found = new Map<string, PatientRef>();
  const put = (type: string, list: { id: string; patient: PatientRef }[]) => {
    for (const item of list) found.set(`${type}:${item.id}`, item.patient);
  };
  const [patients, lesions, images, assessments, outcomes, flags, reviews] = await Promise.all([
    db.patient.findMany({ where: { id: { in: idsOf("Patient") } }, select: { id: true, mrn: true } }),
    db.lesion.findMany({ where: { id: { in: idsOf("Lesion") } }, select: { id: true, patient } }),
    db.lesionImage.findMany({ where: { id: { in: idsOf("LesionImage") } }, select: { id: true, lesion: viaLesion } }),
    db.clinicalAssessment.findMany({ where: { id: { in: idsOf("ClinicalAssessment") } }, select: { id: true, lesion: viaLesion } }),
    db.biopsyOutcome.findMany({ where: { id: { in: idsOf("BiopsyOutcome") } }, select: { id: true, lesion: viaLesion } }),
    db.flag.findMany({ where: { id: { in: idsOf("Flag") } }, select: { id: true, lesion: viaLesion } }),
    db.review.findMany({ where: { id: { in: idsOf("Review") } }, select: { id: true, flag: { select: { lesion: viaLesion } } } }),
  ]);
  put("Patient", patients.map((p) => ({ id: p.id, patient: p })));
  put("Lesion", lesions);
  for (const [type, list] of [["LesionImage", images], ["ClinicalAssessment", assessments], ["BiopsyOutcome", outcomes], ["Flag", flags]] as const) {
    put(type, list.map((item) => ({ id: item.id, patient: item.lesion.patient })));
  }
  put("Review", reviews.map((review) => ({ id: review.id, patient: review.flag.lesion.patient })));
  return found;
}

export async function searchAudit(options: { db: Db; input: AuditSearchInput }): Promise<AuditSearchResult> {
  const input = auditSearchInput.parse(options.input);
  const where: Prisma.AuditLogWhereInput[] = [];
  if (input.mrn) {
    const patient = await options.db.patient.findUnique({ where: { mrn: input.mrn }, select: { id: true } });
    if (!patient) return { entries: [], nextCursor: null };
    where.push({ entityType: "Patient", entityId: patient.id });
  }
  if (input.entityType) where.push({ entityType: input.entityType });
  if (input.entityId) where.push({ entityId: input.entityId });
  // Reads outnumber changes many times over: the access log shows only when asked for (action VIEW).
  where.push(input.action ? { action: input.action } : { action: { not: ACCESS_ACTION } });
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
  const patients = await patientsOf(options.db, page);
  return {
    entries: page.map((row) => ({
      id: row.id.toString(),
      at: row.at,
      action: row.action,
      entityType: row.entityType,
      entityId: row.entityId,
      actor: row.actor,
      patient: patients.get(`${row.entityType}:${row.entityId}`) ?? null,
      hasBefore: row.before !== null,
      hasAfter: row.after !== null,
      changes: auditChanges(row.before, row.after),
    })),
    nextCursor: rows.length > input.limit && last ? cursorOf(last) : null,
  };
}
