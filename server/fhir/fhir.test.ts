/**
 * The FHIR interface on a real PostgreSQL: import (patients, pathology results closing the loop, all or nothing,
 * idempotent), export of decided flags (valid R4), and the REST handlers (access, content type, OperationOutcome).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "@/server/auth/session";
import { createModelRowWithoutFiles } from "@/server/testing/model-rows";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { exportDecidedFlags } from "./export-decided-flags";
import { pathologyBundle, PATHOLOGY_LAB_REPORT_SYSTEM, type PathologyBundleOptions } from "./fixtures/pathology-bundle";
import { specDiagnosticReportF201, specPatientExample } from "./fixtures/spec-examples";
import { handleDiagnosticReportSearch, handleFhirImport } from "./http";
import { importFhir, type ImportFhirResult } from "./import-fhir";
import type { FhirSystems } from "./systems";
import { validateFhirStructure } from "./validate-structure";

const systems: FhirSystems = { mrnSystem: undefined, lesionSystem: "urn:dermflag:lesion" };
const SPEC_MRN_SYSTEM = "urn:oid:1.2.36.146.595.217.0.1";

let database: TestDatabase;
let user: SessionUser;
let modelId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const row = await database.db.user.create({ data: { email: "derm@clinic.example", name: "Dr Derm", role: "DERMATOLOGIST", passwordHash: "x" } });
  user = { id: row.id, email: row.email, name: row.name, role: "DERMATOLOGIST" };
  modelId = (await createModelRowWithoutFiles(database.db, "v-fhir-test", { threshold: 0.3 })).id;
});
afterAll(() => database.drop());

let serial = 0;
/** A patient with one lesion whose flag is open: a planned biopsy the model called likely benign. */
async function openCase(mrn = `FHIR-${++serial}`) {
  const { db } = database;
  const patient = await db.patient.create({ data: { mrn, name: "Jane Doe", sex: "FEMALE" } });
  const lesion = await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: "upper back" } });
  const flag = await db.flag.create({
    data: { lesionId: lesion.id, kind: "LIKELY_BENIGN", reason: "model: likely benign", biopsyPlanned: true, pMalignant: 0.12, threshold: 0.3, modelVersionId: modelId },
  });
  return { patient, lesion, flag };
}

function bundleFor(mrn: string, lesionId: string, overrides: Partial<PathologyBundleOptions> = {}) {
  return pathologyBundle({
    mrn,
    familyName: "Doe",
    givenName: "Jane",
    birthDate: "1961-04-02",
    lesionId,
    accession: `S26-${++serial}`,
    diagnosis: { snomedCt: "372244006", display: "Malignant melanoma" },
    ...overrides,
  });
}

const importAs = (resource: unknown, options: { systems?: FhirSystems } = {}) =>
  importFhir({ db: database.db, actorId: user.id, resource, systems: options.systems ?? systems });

function refusals(result: ImportFhirResult) {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.entries)}`);
  return result.issues.map((issue) => `${issue.path}: ${issue.message}`);
}

describe("FHIR import: patients", () => {
  it("creates HL7's example Patient by its MRN (identifier typed MR), then updates it from the EHR, audited", async () => {
    const { db } = database;
    const first = await importAs({ resourceType: "Bundle", type: "collection", entry: [{ resource: specPatientExample }] });
    expect(first).toMatchObject({ ok: true, entries: [{ resourceType: "Patient", outcome: "created" }] });
    const patient = await db.patient.findUniqueOrThrow({ where: { mrn: "12345" } });
    expect(patient).toMatchObject({ name: "Peter James Chalmers", sex: "MALE", fitzpatrickType: null });
    expect(patient.birthDate?.toISOString().slice(0, 10)).toBe("1974-12-25");

    // The same Patient again changes nothing; a new name from the EHR updates it (the Fitzpatrick type stays).
    await db.patient.update({ where: { id: patient.id }, data: { fitzpatrickType: 2 } });
    expect(await importAs(specPatientExample)).toMatchObject({ ok: true, entries: [{ outcome: "unchanged", location: `Patient/${patient.id}` }] });
    const renamed = { ...specPatientExample, name: [{ use: "official", family: "Chalmers", given: ["Peter"] }] };
    expect(await importAs(renamed)).toMatchObject({ ok: true, entries: [{ outcome: "updated" }] });
    expect(await db.patient.findUniqueOrThrow({ where: { id: patient.id } })).toMatchObject({ name: "Peter Chalmers", fitzpatrickType: 2 });
    const audit = await db.auditLog.findMany({ where: { entityType: "Patient", entityId: patient.id }, orderBy: { id: "asc" } });
    expect(audit.map((entry) => [entry.action, entry.actorId])).toEqual([
      ["CREATE", user.id],
      ["UPDATE", user.id],
    ]);
  });

  it("matches the MRN on the configured identifier system, and says what it expected when none matches", async () => {
    const configured = { ...systems, mrnSystem: SPEC_MRN_SYSTEM };
    const patientId = (await database.db.patient.findUniqueOrThrow({ where: { mrn: "12345" } })).id;
    expect(await importAs(specPatientExample, { systems: configured })).toMatchObject({ ok: true, entries: [{ location: `Patient/${patientId}` }] });
    expect(refusals(await importAs(specPatientExample, { systems: { ...systems, mrnSystem: "urn:oid:9.9.9" } }))).toEqual([
      "Patient.identifier: no medical record number: expected an identifier with system urn:oid:9.9.9 (FHIR_MRN_SYSTEM)",
    ]);
  });
});

describe("FHIR import: pathology results", () => {
  it("a Bundle with the patient and a pathology report closes the loop: one outcome, the open flag closed, sent twice recorded once", async () => {
    const { db } = database;
    const { patient, lesion, flag } = await openCase();
    const bundle = bundleFor(patient.mrn, lesion.id);
    const result = await importAs(bundle);
    expect(result).toMatchObject({
      ok: true,
      entries: [
        { resourceType: "Patient", outcome: "updated", location: `Patient/${patient.id}` },
        { resourceType: "DiagnosticReport", outcome: "created" },
        { resourceType: "Observation", outcome: "read-with-report" },
        { resourceType: "Practitioner", outcome: "not-imported" },
      ],
    });

    const outcomes = await db.biopsyOutcome.findMany({ where: { lesionId: lesion.id } });
    expect(outcomes).toEqual([
      expect.objectContaining({ histopathologyDiagnosis: "mel", malignant: true, confirmation: "histo", recordedById: user.id, reportDate: new Date("2026-11-27T00:00:00Z") }),
    ]);
    expect(await db.flag.findUniqueOrThrow({ where: { id: flag.id } })).toMatchObject({ status: "CLOSED" });
    // The outcome-recording service ran: a melanoma on a lesion the model called likely benign is a safety event.
    expect(await db.safetyEvent.findMany({ where: { lesionId: lesion.id } })).toEqual([expect.objectContaining({ kind: "CALLED_LIKELY_BENIGN", flagId: flag.id })]);
    expect(await db.auditLog.count({ where: { action: "IMPORT", entityType: "ImportedPathologyReport" } })).toBeGreaterThan(0);

    // The integration engine retries: nothing new.
    const again = await importAs(bundle);
    expect(again).toMatchObject({ ok: true, entries: [{ outcome: "unchanged" }, { outcome: "unchanged", location: `BiopsyOutcome/${outcomes[0]!.id}` }, {}, {}] });
    expect(await db.biopsyOutcome.count({ where: { lesionId: lesion.id } })).toBe(1);

    // The same report identifier with another diagnosis is a correction: refused, to be amended in DermFlag.
    const corrected = structuredClone(bundle);
    (corrected.entry[2]!.resource as { valueCodeableConcept: unknown }).valueCodeableConcept = { coding: [{ system: "urn:dermflag:histopathology", code: "nv" }] };
    expect(refusals(await importAs(corrected))).toEqual([
      `Bundle.entry[1].resource.identifier: report ${PATHOLOGY_LAB_REPORT_SYSTEM}|${(bundle.entry[1]!.resource as { identifier: { value: string }[] }).identifier[0]!.value} was already recorded with diagnosis mel: a corrected result is amended in DermFlag, not re-sent`,
    ]);
    expect(await db.biopsyOutcome.count({ where: { lesionId: lesion.id } })).toBe(1);
  });

  it("refuses the whole Bundle when any resource is wrong, with every reason at its place, and writes nothing", async () => {
    const { db } = database;
    const { patient, lesion, flag } = await openCase();
    const bundle = bundleFor(patient.mrn, lesion.id, { diagnosis: { dermflag: "bcc", display: "Basal cell carcinoma" } });
    const newcomer = { resourceType: "Patient", identifier: [{ type: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/v2-0203", code: "MR" }] }, value: "FHIR-NEW-1" }], name: [{ text: "New Person" }] };
    const nameless = { resourceType: "Patient", identifier: [{ type: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/v2-0203", code: "MR" }] }, value: "FHIR-NEW-2" }] };
    // A report coded on itself (conclusionCode, DermFlag's code) for a lesion DermFlag does not know.
    const { result: _result, ...report } = bundleFor(patient.mrn, "no-such-lesion").entry[1]!.resource as Record<string, unknown>;
    const unknownLesion = { resource: { ...report, subject: { reference: bundle.entry[0]!.fullUrl }, conclusionCode: [{ coding: [{ system: "urn:dermflag:histopathology", code: "nv" }] }] } };
    const result = await importAs({ ...bundle, entry: [{ resource: newcomer }, ...bundle.entry, { resource: nameless }, unknownLesion] });
    expect(refusals(result)).toEqual([
      "Bundle.entry[5].resource.name: no name: DermFlag needs the patient's name",
      "Bundle.entry[6].resource.basedOn: no lesion no-such-lesion in DermFlag: the lesion id on the biopsy request is needed",
    ]);
    expect(await db.patient.count({ where: { mrn: { in: ["FHIR-NEW-1", "FHIR-NEW-2"] } } })).toBe(0);
    expect(await db.biopsyOutcome.count({ where: { lesionId: lesion.id } })).toBe(0);
    expect(await db.flag.findUniqueOrThrow({ where: { id: flag.id } })).toMatchObject({ status: "OPEN" });

    // Too many entries for one transaction: refused before anything is read, with what to do.
    const huge = { resourceType: "Bundle", type: "transaction", entry: Array.from({ length: 1001 }, () => ({ resource: newcomer })) };
    expect(refusals(await importAs(huge))).toEqual(["Bundle.entry: 1001 entries: send at most 1000 per Bundle"]);

    // Structure first: one malformed resource (HL7's schema) refuses the Bundle before anything is looked up.
    const malformed = structuredClone(bundle);
    (malformed.entry[0]!.resource as { gender: string }).gender = "F";
    expect(refusals(await importAs(malformed))).toEqual(['Bundle.entry[0].resource.gender: must be one of "male", "female", "other", "unknown"']);
  });

  it("finds the lesion on the biopsy ServiceRequest the report is based on, and the diagnosis in a contained Observation", async () => {
    const { db } = database;
    const { patient, lesion, flag } = await openCase();
    const report = {
      resourceType: "DiagnosticReport",
      contained: [
        { resourceType: "ServiceRequest", id: "req", status: "completed", intent: "order", subject: { identifier: { type: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/v2-0203", code: "MR" }] }, value: patient.mrn } }, identifier: [{ system: "urn:dermflag:lesion", value: lesion.id }] },
        { resourceType: "Observation", id: "dx", status: "final", code: { text: "Diagnosis" }, valueCodeableConcept: { coding: [{ system: "http://snomed.info/sct", code: "254701007" }] } },
      ],
      identifier: [{ system: PATHOLOGY_LAB_REPORT_SYSTEM, value: `SR-${++serial}` }],
      basedOn: [{ reference: "#req" }],
      status: "final",
      code: { text: "Skin biopsy" },
      subject: { identifier: { type: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/v2-0203", code: "MR" }] }, value: patient.mrn } },
      issued: "2026-11-30T09:00:00Z",
      result: [{ reference: "#dx" }],
    };
    expect(await importAs(report)).toMatchObject({ ok: true, entries: [{ outcome: "created" }] });
    expect(await db.biopsyOutcome.findFirst({ where: { lesionId: lesion.id } })).toMatchObject({ histopathologyDiagnosis: "bcc", malignant: true });
    expect(await db.flag.findUniqueOrThrow({ where: { id: flag.id } })).toMatchObject({ status: "CLOSED" });
  });

  it("refuses a report for a lesion of another patient, an unreleased one, and one whose diagnosis has no mapping", async () => {
    const { db } = database;
    const mine = await openCase();
    const theirs = await openCase();
    expect(refusals(await importAs(bundleFor(mine.patient.mrn, theirs.lesion.id)))).toEqual([
      `Bundle.entry[1].resource.subject: lesion ${theirs.lesion.id} belongs to another patient than the report's subject`,
    ]);
    const preliminary = bundleFor(mine.patient.mrn, mine.lesion.id, { diagnosis: { snomedCt: "188340000", display: "Malignant tumor of craniopharyngeal duct" } });
    (preliminary.entry[1]!.resource as { status: string }).status = "preliminary";
    expect(refusals(await importAs(preliminary))).toEqual([
      'Bundle.entry[1].resource.status: status "preliminary": only a released report (final, amended, corrected, appended) records an outcome',
      "Bundle.entry[1].resource.conclusionCode: no histopathology diagnosis DermFlag can map (codes sent: http://snomed.info/sct|188340000): use a code of urn:dermflag:histopathology or a SNOMED CT concept of the diagnosis list (README, FHIR)",
    ]);
    expect(await db.biopsyOutcome.count({ where: { lesionId: { in: [mine.lesion.id, theirs.lesion.id] } } })).toBe(0);
  });

  it("refuses HL7's example CT report from another system with its reasons: no identifier, no lesion, no mapped diagnosis, unknown subject", async () => {
    expect(refusals(await importAs(specDiagnosticReportF201))).toEqual([
      "DiagnosticReport.identifier: no identifier with a system and value: it is what makes sending the report twice record it once",
      "DiagnosticReport.basedOn: no lesion: expected a basedOn reference (or its ServiceRequest) with an identifier in urn:dermflag:lesion whose value is the DermFlag lesion id",
      "DiagnosticReport.conclusionCode: no histopathology diagnosis DermFlag can map (codes sent: http://snomed.info/sct|188340000): use a code of urn:dermflag:histopathology or a SNOMED CT concept of the diagnosis list (README, FHIR)",
    ]);
  });
});

describe("FHIR export of decided flags", () => {
  it("gives each decided flag as a DiagnosticReport + Observation (P(malignant), threshold, flag, decision) + model Device, valid FHIR R4", async () => {
    const { db } = database;
    const { patient, lesion, flag } = await openCase();
    await db.flag.update({ where: { id: flag.id }, data: { status: "DECIDED" } });
    await db.review.create({ data: { flagId: flag.id, reviewerId: user.id, decision: "DEFER_MONITOR", reason: "stable on dermoscopy" } });
    const other = await openCase(); // open, undecided: not exported

    const bundle = await exportDecidedFlags({ db, systems, patientId: patient.id, bundleType: "searchset" });
    expect(validateFhirStructure(bundle)).toEqual([]);
    expect(bundle.total).toBe(1);
    const byType = (type: string) => bundle.entry?.filter((entry) => entry.resource?.resourceType === type).map((entry) => entry.resource) ?? [];
    expect(byType("Patient")).toEqual([expect.objectContaining({ identifier: [expect.objectContaining({ value: patient.mrn })] })]);
    expect(byType("Device")).toEqual([expect.objectContaining({ version: [{ value: "v-fhir-test" }] })]);
    const [report] = byType("DiagnosticReport");
    expect(report).toMatchObject({ id: flag.id, status: "final", basedOn: [{ identifier: { system: "urn:dermflag:lesion", value: lesion.id } }] });
    const [observation] = byType("Observation");
    expect(observation).toMatchObject({
      valueQuantity: { value: 0.12 },
      performer: [{ display: "Dr Derm" }],
      component: [
        { valueQuantity: { value: 0.3 } },
        { valueCodeableConcept: { coding: [{ code: "LIKELY_BENIGN" }] } },
        { valueCodeableConcept: { coding: [{ code: "DEFER_MONITOR" }], text: "stable on dermoscopy" } },
      ],
    });
    const all = await exportDecidedFlags({ db, systems, bundleType: "collection" });
    expect(validateFhirStructure(all)).toEqual([]);
    expect(JSON.stringify(all)).not.toContain(other.flag.id);
  });
});

describe("FHIR REST handlers", () => {
  const post = (body: string, contentType = "application/fhir+json") =>
    new Request("http://localhost/api/fhir/Bundle", { method: "POST", headers: { "Content-Type": contentType }, body });

  it("need a signed-in user and FHIR JSON, and answer in FHIR: a transaction-response or an OperationOutcome", async () => {
    const { db } = database;
    const { patient, lesion } = await openCase();
    const body = JSON.stringify(bundleFor(patient.mrn, lesion.id));
    expect((await handleFhirImport({ request: post(body), user: null, db, systems })).status).toBe(401);
    expect((await handleFhirImport({ request: post(body, "text/plain"), user, db, systems })).status).toBe(415);
    const forged = post(body);
    forged.headers.set("Sec-Fetch-Site", "cross-site");
    expect((await handleFhirImport({ request: forged, user, db, systems })).status).toBe(403);
    expect((await handleFhirImport({ request: post("{not json"), user, db, systems })).status).toBe(400);
    // An oversized body is refused from its declared length: this stream never ends, so reading it would hang.
    const endless = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) });
    const oversized = new Request("http://localhost/api/fhir/Bundle", {
      method: "POST",
      headers: { "Content-Type": "application/fhir+json", "Content-Length": String(50 * 1024 * 1024) },
      body: endless,
      duplex: "half",
    } as RequestInit);
    expect((await handleFhirImport({ request: oversized, user, db, systems })).status).toBe(413);

    const refused = await handleFhirImport({ request: post(JSON.stringify(specDiagnosticReportF201)), user, db, systems });
    expect(refused.status).toBe(422);
    expect(refused.headers.get("content-type")).toMatch(/^application\/fhir\+json/);
    expect(await refused.json()).toMatchObject({ resourceType: "OperationOutcome", issue: [{ severity: "error", code: "required", expression: ["DiagnosticReport.identifier"] }, {}, {}] });

    const accepted = await handleFhirImport({ request: post(body), user, db, systems });
    expect(accepted.status).toBe(200);
    const response = (await accepted.json()) as { resourceType: string; type: string; entry: { response: { status: string } }[] };
    expect(validateFhirStructure(response)).toEqual([]);
    expect(response.entry.map((entry) => entry.response.status)).toEqual(["200 OK", "201 Created", "200 OK", "200 OK"]);
  });

  it("search a patient's decided flags by MRN or id, signed in only", async () => {
    const { db } = database;
    const { patient } = await openCase();
    const get = (query: string) => new Request(`http://localhost/api/fhir/DiagnosticReport${query}`);
    expect((await handleDiagnosticReportSearch({ request: get(`?patient=${patient.id}`), user: null, db, systems })).status).toBe(401);
    expect((await handleDiagnosticReportSearch({ request: get(""), user, db, systems })).status).toBe(400);
    const found = await handleDiagnosticReportSearch({ request: get(`?patient.identifier=${patient.mrn}`), user, db, systems });
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({ resourceType: "Bundle", type: "searchset", total: 0 });
    const nobody = await handleDiagnosticReportSearch({ request: get("?patient=nobody"), user, db, systems });
    expect(await nobody.json()).toMatchObject({ total: 0, entry: [] });
  });
});
