/**
 * Patients: search, read, register, edit. Every change is audited in the same transaction.
 */
import { DomainError } from "../domain-error";
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { recordAudit } from "../audit/record-audit";
import type { PatientForm } from "./schemas";

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

export async function listPatients(options: { db: Db; query?: string; page: number; pageSize: number }) {
  const { db, page, pageSize } = options;
  const query = options.query?.trim();
  const where: Prisma.PatientWhereInput = query
    ? {
        OR: [
          { mrn: { startsWith: query, mode: "insensitive" } },
          { name: { contains: query, mode: "insensitive" } },
        ],
      }
    : {};
  const [total, rows] = await Promise.all([
    db.patient.count({ where }),
    db.patient.findMany({
      where,
      select: { ...patientSelect, _count: { select: { lesions: true } } },
      orderBy: [{ name: "asc" }, { id: "asc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
  ]);
  return {
    total,
    page,
    pageSize,
    patients: rows.map(({ _count, ...patient }) => ({ ...patient, lesionCount: _count.lesions })),
  };
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
