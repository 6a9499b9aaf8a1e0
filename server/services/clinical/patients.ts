/**
 * Patients: search, read, register, edit. Every change is audited in the same transaction.
 */
import { DomainError } from "../domain-error";
import type { Db } from "../../db/client";
import { Prisma } from "../../db/generated/client";
import type { Sex } from "../../db/generated/enums";
import { recordAudit } from "../audit/record-audit";
import type { PatientForm } from "./schemas";
import { CURRENT_OUTCOME } from "./current-records";

const patientSelect = {
  id: true,
  mrn: true,
  name: true,
  birthDate: true,
  sex: true,
  fitzpatrickType: true,
  createdAt: true,
  updatedAt: true,
} as const satisfies Prisma.PatientSelect;

function toDate(value: string | null): Date | null {
  return value === null ? null : new Date(`${value}T00:00:00Z`);
}

/** LIKE pattern text that matches `text` literally (a typed % or _ is not a wildcard). */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

interface PatientListRow {
  id: string;
  mrn: string;
  name: string;
  birthDate: Date | null;
  sex: Sex;
  fitzpatrickType: number | null;
  createdAt: Date;
  updatedAt: Date;
  lesionCount: number;
  latestImageAt: Date | null;
}

/**
 * One page of patients in natural MRN order (MRN-2 before MRN-10: the migration's "natural_sort" ICU collation, and
 * an index in that order), sorted and paged in SQL so that every page continues the previous one. With each patient,
 * how many lesions and the date of their latest lesion image (captured, else uploaded).
 */
export async function listPatients(options: { db: Db; query?: string; page: number; pageSize: number }) {
  const { db, page, pageSize } = options;
  const query = options.query?.trim() || null;
  const where = query
    ? Prisma.sql`WHERE p.mrn ILIKE ${likeLiteral(query) + "%"} OR p.name ILIKE ${"%" + likeLiteral(query) + "%"}`
    : Prisma.empty;
  const [counted, patients] = await Promise.all([
    db.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total FROM "Patient" p ${where}`,
    db.$queryRaw<PatientListRow[]>`
      SELECT p.id, p.mrn, p.name, p."birthDate", p.sex::text AS sex, p."fitzpatrickType"::int AS "fitzpatrickType",
             p."createdAt", p."updatedAt",
             (SELECT count(*)::int FROM "Lesion" l WHERE l."patientId" = p.id) AS "lesionCount",
             (SELECT max(COALESCE(i."capturedAt", i."createdAt")) FROM "Lesion" l JOIN "LesionImage" i ON i."lesionId" = l.id
               WHERE l."patientId" = p.id) AS "latestImageAt"
      FROM "Patient" p
      ${where}
      ORDER BY p.mrn COLLATE "natural_sort", p.id
      OFFSET ${(page - 1) * pageSize} LIMIT ${pageSize}`,
  ]);
  return { total: counted[0]?.total ?? 0, page, pageSize, patients };
}

export async function getPatient(options: { db: Db; patientId: string }) {
  const patient = await options.db.patient.findUnique({
    where: { id: options.patientId },
    select: {
      ...patientSelect,
      lesions: {
        orderBy: { createdAt: "asc" },
        select: {
          id: true,
          bodySite: true,
          label: true,
          createdAt: true,
          _count: { select: { images: true } },
          assessments: {
            orderBy: { assessedAt: "desc" },
            take: 1,
            select: { impression: true, plan: true, assessedAt: true },
          },
          biopsyOutcomes: {
            where: CURRENT_OUTCOME,
            orderBy: { reportDate: "desc" },
            take: 1,
            select: { histopathologyDiagnosis: true, malignant: true, confirmation: true, reportDate: true },
          },
        },
      },
    },
  });
  if (!patient) throw new DomainError("NOT_FOUND", "No such patient.");
  return {
    ...patient,
    lesions: patient.lesions.map(({ _count, assessments, biopsyOutcomes, ...lesion }) => ({
      ...lesion,
      imageCount: _count.images,
      latestAssessment: assessments[0] ?? null,
      latestOutcome: biopsyOutcomes[0] ?? null,
    })),
  };
}

export async function createPatient(options: { db: Db; actorId: string; input: PatientForm }) {
  const { db, actorId, input } = options;
  return db.$transaction(async (tx) => {
    if (await tx.patient.findUnique({ where: { mrn: input.mrn }, select: { id: true } })) {
      throw new DomainError("CONFLICT", `A patient with MRN ${input.mrn} already exists.`);
    }
    const patient = await tx.patient.create({
      data: { ...input, birthDate: toDate(input.birthDate) },
      select: patientSelect,
    });
    await recordAudit(tx, { actorId, action: "CREATE", entityType: "Patient", entityId: patient.id, after: patient });
    return patient;
  });
}

export async function updatePatient(options: { db: Db; actorId: string; patientId: string; input: PatientForm }) {
  const { db, actorId, patientId, input } = options;
  return db.$transaction(async (tx) => {
    const before = await tx.patient.findUnique({ where: { id: patientId }, select: patientSelect });
    if (!before) throw new DomainError("NOT_FOUND", "No such patient.");
    if (input.mrn !== before.mrn && (await tx.patient.findUnique({ where: { mrn: input.mrn }, select: { id: true } }))) {
      throw new DomainError("CONFLICT", `A patient with MRN ${input.mrn} already exists.`);
    }
    const after = await tx.patient.update({
      where: { id: patientId },
      data: { ...input, birthDate: toDate(input.birthDate) },
      select: patientSelect,
    });
    await recordAudit(tx, { actorId, action: "UPDATE", entityType: "Patient", entityId: patientId, before, after });
    return after;
  });
}
