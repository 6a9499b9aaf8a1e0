/**
 * Imports a FHIR R4 Bundle (transaction, batch or collection), or one Patient or DiagnosticReport, all or nothing:
 * every resource is checked first (structure against the R4 schema, then DermFlag's rules and the database), and
 * only when none is refused is anything written, in one transaction. A refused import reports every reason, each at
 * its resource's place in the Bundle.
 *
 * - Patient: created or updated, matched on its MRN (patient-resource.ts).
 * - DiagnosticReport (+ its Observations): one biopsy outcome through the outcome-recording service
 *   (recordBiopsyOutcomeInTransaction: safety events and the lesion's flags closed with it), remembered by the
 *   report's identifier so that sending it again records nothing (pathology-report.ts).
 * - Observation, ServiceRequest: read as part of the report that refers to it (its result, its request).
 * - Anything else is not imported and said so (an information issue), never silently dropped.
 */
import type { Db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { recordAudit } from "../services/audit/record-audit";
import { recordBiopsyOutcomeInTransaction } from "../services/clinical/lesions";
import { readPathologyReport, type PathologyResult } from "./pathology-report";
import { mrnOf, readPatient, type ImportedPatientFields } from "./patient-resource";
import {
  isResourceOfType,
  type BundleEntry,
  type FhirDiagnosticReport,
  type FhirIssue,
  type FhirPatient,
  type FhirResource,
  type Reference,
} from "./resources";
import { describeMrnRule, isMrn, type FhirSystems } from "./systems";
import { validateFhirStructure } from "./validate-structure";

type Tx = Prisma.TransactionClient;

export type EntryOutcome = "created" | "updated" | "unchanged" | "read-with-report" | "not-imported";

export interface ImportedEntry {
  path: string;
  resourceType: string;
  outcome: EntryOutcome;
  /** "Patient/<id>" or "BiopsyOutcome/<id>": what DermFlag holds for it now. */
  location?: string;
}

export type ImportFhirResult = { ok: true; entries: ImportedEntry[]; information: FhirIssue[] } | { ok: false; issues: FhirIssue[] };

export interface ImportFhirOptions {
  db: Db;
  /** The signed-in user, or null for the command line. */
  actorId: string | null;
  resource: unknown;
  systems: FhirSystems;
}

const ACCEPTED_BUNDLE_TYPES = new Set(["transaction", "batch", "collection"]);
/**
 * One Bundle is one transaction, and each result runs the outcome service (safety rule included): 100 reports took
 * 14 s on the 2-core machine under heavy load (bench/fhir-import.ts). Larger Bundles are refused, to be split.
 */
export const MAX_BUNDLE_ENTRIES = 1000;
// One FHIR import at a time: two deliveries of the same new report must not both find it unrecorded.
const IMPORT_LOCK_KEY = 4_718_181;

interface Located {
  path: string;
  fullUrl?: string;
  resource: FhirResource;
}

type Plan =
  | { kind: "patient"; entry: Located; fields: ImportedPatientFields; existing: { id: string; name: string; birthDate: Date | null; sex: string } | null }
  | { kind: "report"; entry: Located; report: PathologyResult; alreadyRecorded: string | null }
  | { kind: "read-with-report"; entry: Located; used: boolean }
  | { kind: "other"; entry: Located };

function entriesOf(resource: FhirResource, issues: FhirIssue[]): Located[] {
  if (resource.resourceType === "Patient" || resource.resourceType === "DiagnosticReport") return [{ path: resource.resourceType, resource }];
  if (resource.resourceType !== "Bundle") {
    issues.push({ severity: "error", code: "not-supported", path: resource.resourceType, message: "send a Bundle, a Patient or a DiagnosticReport" });
    return [];
  }
  const bundle = resource as FhirResource & { type: string; entry?: BundleEntry[] };
  if ((bundle.entry?.length ?? 0) > MAX_BUNDLE_ENTRIES) {
    issues.push({ severity: "error", code: "too-costly", path: "Bundle.entry", message: `${bundle.entry?.length} entries: send at most ${MAX_BUNDLE_ENTRIES} per Bundle` });
    return [];
  }
  if (!ACCEPTED_BUNDLE_TYPES.has(bundle.type)) {
    issues.push({ severity: "error", code: "not-supported", path: "Bundle.type", message: `a ${bundle.type} Bundle is not imported: send a transaction, batch or collection` });
  }
  return (bundle.entry ?? []).flatMap((entry, i) => {
    const path = `Bundle.entry[${i}]`;
    if (entry.request && !["POST", "PUT"].includes(entry.request.method)) {
      issues.push({ severity: "error", code: "not-supported", path: `${path}.request.method`, message: `${entry.request.method} is not supported: DermFlag creates or updates (POST or PUT)` });
    }
    if (!entry.resource) {
      issues.push({ severity: "error", code: "required", path, message: "entry without a resource" });
      return [];
    }
    return [{ path: `${path}.resource`, fullUrl: entry.fullUrl, resource: entry.resource }];
  });
}

/** Finds what a reference in the Bundle points to: by fullUrl, or "Type/id" against the entries' own ids. */
function bundleResolver(entries: Located[]) {
  const byUrl = new Map<string, Located>();
  for (const entry of entries) {
    if (entry.fullUrl) byUrl.set(entry.fullUrl, entry);
    if (entry.resource.id) byUrl.set(`${entry.resource.resourceType}/${entry.resource.id}`, entry);
  }
  return (reference: string): Located | undefined => {
    const direct = byUrl.get(reference);
    if (direct) return direct;
    // An absolute URL whose tail is Type/id ("https://ehr.example/fhir/Patient/123").
    const tail = /([A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(\/_history\/[^/]+)?$/.exec(reference)?.[1];
    return tail ? byUrl.get(tail) : undefined;
  };
}

/** What a report's reference points to: "#id" among its contained resources, else an entry of the Bundle. */
function reportResolver(report: FhirDiagnosticReport, inBundle: (reference: string) => Located | undefined) {
  return (reference: string): FhirResource | undefined =>
    reference.startsWith("#") ? report.contained?.find((resource) => resource.id === reference.slice(1)) : inBundle(reference)?.resource;
}

/** The MRN of a report's subject: a Patient of the same Bundle, or an identifier reference. */
function subjectMrn(subject: Reference, inBundle: (reference: string) => Located | undefined, systems: FhirSystems): string | { problem: string } {
  if (subject.reference) {
    const target = inBundle(subject.reference)?.resource;
    if (!isResourceOfType<FhirPatient>(target, "Patient")) {
      return { problem: `subject ${subject.reference} is not a Patient of this Bundle: send the Patient too, or reference it by its MRN identifier` };
    }
    const [mrn] = mrnOf(target, systems);
    return mrn ?? { problem: "the subject Patient has no medical record number" };
  }
  if (subject.identifier && isMrn(subject.identifier, systems) && subject.identifier.value) return subject.identifier.value;
  return { problem: `subject must reference a Patient of this Bundle or carry ${describeMrnRule(systems)}` };
}

async function planEntries(tx: Tx, entries: Located[], systems: FhirSystems, issues: FhirIssue[]): Promise<Plan[]> {
  const inBundle = bundleResolver(entries);
  const error = (code: FhirIssue["code"], path: string, message: string) => issues.push({ severity: "error", code, path, message });
  const usedByReports = new Set<FhirResource>();
  const plans: Plan[] = [];
  const mrnsSeen = new Map<string, string>();
  const reportsSeen = new Map<string, string>();

  for (const entry of entries) {
    const { resource, path } = entry;
    if (isResourceOfType<FhirPatient>(resource, "Patient")) {
      const read = readPatient(resource, systems, path);
      if ("issues" in read) {
        issues.push(...read.issues);
        continue;
      }
      const { fields } = read;
      const earlier = mrnsSeen.get(fields.mrn);
      if (earlier) error("business-rule", `${path}.identifier`, `the same medical record number as ${earlier}: send each patient once`);
      mrnsSeen.set(fields.mrn, path);
      const existing = await tx.patient.findUnique({ where: { mrn: fields.mrn }, select: { id: true, name: true, birthDate: true, sex: true } });
      plans.push({ kind: "patient", entry, fields, existing });
    } else if (isResourceOfType<FhirDiagnosticReport>(resource, "DiagnosticReport")) {
      const resolve = reportResolver(resource, inBundle);
      // Results and requests the report refers to are read with it, not imported on their own.
      for (const reference of [...(resource.result ?? []), ...(resource.basedOn ?? [])]) {
        const referenced = reference.reference ? resolve(reference.reference) : undefined;
        if (referenced) usedByReports.add(referenced);
      }
      const read = readPathologyReport(resource, resolve, systems, path);
      if ("issues" in read) {
        issues.push(...read.issues);
        continue;
      }
      const { result } = read;
      const key = `${result.identifier.system}|${result.identifier.value}`;
      const earlier = reportsSeen.get(key);
      if (earlier) error("business-rule", `${path}.identifier`, `the same report identifier as ${earlier}: send each report once`);
      reportsSeen.set(key, path);

      const mrn = subjectMrn(result.subject, inBundle, systems);
      if (typeof mrn !== "string") {
        error("invalid", `${path}.subject`, mrn.problem);
        continue;
      }
      const lesion = await tx.lesion.findUnique({ where: { id: result.lesionId }, select: { id: true, patient: { select: { mrn: true } } } });
      if (!lesion) {
        error("not-found", `${path}.basedOn`, `no lesion ${result.lesionId} in DermFlag: the lesion id on the biopsy request is needed`);
        continue;
      }
      if (lesion.patient.mrn !== mrn) {
        error("conflict", `${path}.subject`, `lesion ${result.lesionId} belongs to another patient than the report's subject`);
        continue;
      }
      const recorded = await tx.importedPathologyReport.findUnique({
        where: { identifierSystem_identifierValue: { identifierSystem: result.identifier.system, identifierValue: result.identifier.value } },
        select: { outcome: { select: { id: true, lesionId: true, histopathologyDiagnosis: true } } },
      });
      if (recorded && (recorded.outcome.lesionId !== result.lesionId || recorded.outcome.histopathologyDiagnosis !== result.histopathologyDiagnosis)) {
        error(
          "conflict",
          `${path}.identifier`,
          `report ${key} was already recorded with ${recorded.outcome.lesionId === result.lesionId ? `diagnosis ${recorded.outcome.histopathologyDiagnosis}` : "another lesion"}: a corrected result is amended in DermFlag, not re-sent`,
        );
        continue;
      }
      plans.push({ kind: "report", entry, report: result, alreadyRecorded: recorded?.outcome.id ?? null });
    } else if (resource.resourceType === "Observation" || resource.resourceType === "ServiceRequest") {
      plans.push({ kind: "read-with-report", entry, used: false });
    } else {
      plans.push({ kind: "other", entry });
    }
  }
  for (const plan of plans) if (plan.kind === "read-with-report") plan.used = usedByReports.has(plan.entry.resource);
  return plans;
}

const sameDay = (a: Date | null, b: string | null) => (a === null ? b === null : a.toISOString().slice(0, 10) === b);
const toDate = (value: string | null) => (value === null ? null : new Date(`${value}T00:00:00Z`));

const patientSelect = { id: true, mrn: true, name: true, birthDate: true, sex: true, fitzpatrickType: true, createdAt: true, updatedAt: true } as const;

async function applyPlan(tx: Tx, plan: Plan, actorId: string | null): Promise<ImportedEntry> {
  const { path, resource } = plan.entry;
  const base = { path, resourceType: resource.resourceType };
  switch (plan.kind) {
    case "patient": {
      const { fields, existing } = plan;
      const data = { name: fields.name, birthDate: toDate(fields.birthDate), sex: fields.sex };
      if (!existing) {
        const patient = await tx.patient.create({ data: { mrn: fields.mrn, ...data }, select: patientSelect });
        await recordAudit(tx, { actorId, action: "CREATE", entityType: "Patient", entityId: patient.id, after: patient });
        return { ...base, outcome: "created", location: `Patient/${patient.id}` };
      }
      if (existing.name === fields.name && existing.sex === fields.sex && sameDay(existing.birthDate, fields.birthDate)) {
        return { ...base, outcome: "unchanged", location: `Patient/${existing.id}` };
      }
      const before = await tx.patient.findUniqueOrThrow({ where: { id: existing.id }, select: patientSelect });
      const after = await tx.patient.update({ where: { id: existing.id }, data, select: patientSelect });
      await recordAudit(tx, { actorId, action: "UPDATE", entityType: "Patient", entityId: existing.id, before, after });
      return { ...base, outcome: "updated", location: `Patient/${existing.id}` };
    }
    case "report": {
      const { report, alreadyRecorded } = plan;
      if (alreadyRecorded) return { ...base, outcome: "unchanged", location: `BiopsyOutcome/${alreadyRecorded}` };
      const outcome = await recordBiopsyOutcomeInTransaction(tx, {
        actorId,
        lesionId: report.lesionId,
        input: { histopathologyDiagnosis: report.histopathologyDiagnosis, reportDate: report.reportDate },
      });
      const imported = await tx.importedPathologyReport.create({
        data: { identifierSystem: report.identifier.system, identifierValue: report.identifier.value, outcomeId: outcome.id },
        select: { identifierSystem: true, identifierValue: true, outcomeId: true, importedAt: true },
      });
      await recordAudit(tx, {
        actorId,
        action: "IMPORT",
        entityType: "ImportedPathologyReport",
        entityId: `${imported.identifierSystem}|${imported.identifierValue}`,
        after: imported,
      });
      return { ...base, outcome: "created", location: `BiopsyOutcome/${outcome.id}` };
    }
    case "read-with-report":
      return { ...base, outcome: plan.used ? "read-with-report" : "not-imported" };
    case "other":
      return { ...base, outcome: "not-imported" };
  }
}

function information(plan: Plan): FhirIssue[] {
  if (plan.kind === "other") {
    return [{ severity: "information", code: "informational", path: plan.entry.path, message: `${plan.entry.resource.resourceType} is not imported: DermFlag imports Patient and DiagnosticReport (with its Observations)` }];
  }
  if (plan.kind === "read-with-report" && !plan.used) {
    return [{ severity: "information", code: "informational", path: plan.entry.path, message: `${plan.entry.resource.resourceType} not imported: no DiagnosticReport of this Bundle refers to it` }];
  }
  return [];
}

export async function importFhir(options: ImportFhirOptions): Promise<ImportFhirResult> {
  const { db, actorId, resource, systems } = options;
  const structure = validateFhirStructure(resource);
  if (structure.length > 0) {
    return { ok: false, issues: structure.map((issue) => ({ severity: "error", code: "structure", path: issue.path, message: issue.message })) };
  }
  const issues: FhirIssue[] = [];
  const entries = entriesOf(resource as FhirResource, issues);
  if (issues.length > 0) return { ok: false, issues };

  // A large Bundle takes longer than Prisma's 5 s default for an interactive transaction (see MAX_BUNDLE_ENTRIES).
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${IMPORT_LOCK_KEY})`;
      const plans = await planEntries(tx, entries, systems, issues);
      if (issues.length > 0) return { ok: false, issues } as const;
      const imported: ImportedEntry[] = [];
      for (const plan of plans) imported.push(await applyPlan(tx, plan, actorId));
      return { ok: true, entries: imported, information: plans.flatMap(information) } as const;
    },
    { timeout: 300_000, maxWait: 30_000 },
  );
}
