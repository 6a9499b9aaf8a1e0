import { DomainError } from "../domain-error";
import { z } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { createLesion } from "./lesions";
import { createPatient, getPatient, listPatients, updatePatient } from "./patients";
import { patientFormSchema, type PatientForm } from "./schemas";

let database: TestDatabase;
let actorId: string;

const form = (overrides: Partial<PatientForm>): PatientForm =>
  patientFormSchema.parse({ mrn: "X", name: "X", birthDate: null, sex: "UNKNOWN", fitzpatrickType: null, ...overrides });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  actorId = (
    await database.db.user.create({ data: { email: "intake@clinic.example", name: "Intake", role: "DERMATOLOGIST", passwordHash: "x" } })
  ).id;
  const { db } = database;
  // 30 patients: MRN-001 .. MRN-030, names "Patient 001" .. plus two named for the name search.
  for (let i = 1; i <= 30; i++) {
    const n = String(i).padStart(3, "0");
    await createPatient({ db, actorId, input: form({ mrn: `MRN-${n}`, name: `Patient ${n}` }) });
  }
  await createPatient({ db, actorId, input: form({ mrn: "ABC-1", name: "Maria Lopez", sex: "FEMALE", fitzpatrickType: 4 }) });
  await createPatient({ db, actorId, input: form({ mrn: "ABC-2", name: "José Maria Silva", sex: "MALE" }) });
});
afterAll(() => database.drop());

describe("listPatients", () => {
  it("pages through everyone in natural MRN order (MRN-2 before MRN-10), sorted in SQL so pages continue each other, with the total", async () => {
    const { db } = database;
    const pages = await Promise.all([1, 2, 3, 4].map((page) => listPatients({ db, page, pageSize: 10 })));
    expect(pages.map((p) => p.total)).toEqual([32, 32, 32, 32]);
    expect(pages.map((p) => p.patients.length)).toEqual([10, 10, 10, 2]);
    const mrns = pages.flatMap((p) => p.patients.map((patient) => patient.mrn));
    expect(mrns).toEqual(["ABC-1", "ABC-2", ...Array.from({ length: 30 }, (_, i) => `MRN-${String(i + 1).padStart(3, "0")}`)]);

    for (const n of [10, 2, 1, 21, 3]) await createPatient({ db, actorId, input: form({ mrn: `NAT-${n}`, name: `Natural ${n}` }) });
    const natural = async (page: number) => (await listPatients({ db, query: "NAT-", page, pageSize: 2 })).patients.map((patient) => patient.mrn);
    expect([...(await natural(1)), ...(await natural(2)), ...(await natural(3))]).toEqual(["NAT-1", "NAT-2", "NAT-3", "NAT-10", "NAT-21"]);
    // A typed wildcard is literal text, as it was with Prisma's startsWith.
    expect((await listPatients({ db, query: "NAT%", page: 1, pageSize: 10 })).total).toBe(0);
  });

  it("finds by MRN prefix (not substring) and by any part of the name, ignoring case", async () => {
    const { db } = database;
    const byPrefix = await listPatients({ db, query: "mrn-02", page: 1, pageSize: 25 });
    expect(byPrefix.patients.map((p) => p.mrn).sort()).toEqual(
      ["MRN-020", "MRN-021", "MRN-022", "MRN-023", "MRN-024", "MRN-025", "MRN-026", "MRN-027", "MRN-028", "MRN-029"],
    );
    expect(byPrefix.total).toBe(10);
    // "-02" is inside every MRN-02x but starts none of them, and is in no name.
    expect((await listPatients({ db, query: "-02", page: 1, pageSize: 25 })).total).toBe(0);
    const byName = await listPatients({ db, query: "  maria ", page: 1, pageSize: 25 });
    expect(byName.patients.map((p) => p.mrn)).toEqual(["ABC-1", "ABC-2"]);
  });

  it("counts each patient's lesions", async () => {
    const { db } = database;
    const patient = (await listPatients({ db, query: "ABC-1", page: 1, pageSize: 5 })).patients[0]!;
    await createLesion({ db, actorId, patientId: patient.id, input: { bodySite: "back", label: "mole 1" } });
    await createLesion({ db, actorId, patientId: patient.id, input: { bodySite: "face", label: "mole 2" } });
    const [after] = (await listPatients({ db, query: "ABC-1", page: 1, pageSize: 5 })).patients;
    expect(after).toMatchObject({ mrn: "ABC-1", fitzpatrickType: 4, sex: "FEMALE", lesionCount: 2 });
  });
});

describe("registering and editing patients", () => {
  it("refuses a second patient with the same MRN, on create and on edit", async () => {
    const { db } = database;
    expect(await codeOf(createPatient({ db, actorId, input: form({ mrn: "MRN-001", name: "Someone Else" }) }))).toBe("CONFLICT");
    const other = (await listPatients({ db, query: "MRN-002", page: 1, pageSize: 1 })).patients[0]!;
    expect(await codeOf(updatePatient({ db, actorId, patientId: other.id, input: form({ mrn: "MRN-001", name: "Patient 002" }) }))).toBe(
      "CONFLICT",
    );
    expect((await getPatient({ db, patientId: other.id })).mrn).toBe("MRN-002");
    expect(await db.patient.count({ where: { mrn: "MRN-001" } })).toBe(1);
  });

  it("audits creation and edits with who, before and after", async () => {
    const { db } = database;
    const created = await createPatient({
      db,
      actorId,
      input: form({ mrn: "AUD-1", name: "Audit Person", birthDate: "1960-05-04", sex: "OTHER" }),
    });
    const updated = await updatePatient({
      db,
      actorId,
      patientId: created.id,
      input: form({ mrn: "AUD-1", name: "Audit Person-Smith", birthDate: "1960-05-04", sex: "OTHER", fitzpatrickType: 2 }),
    });
    expect(updated).toMatchObject({ name: "Audit Person-Smith", fitzpatrickType: 2 });
    expect(updated.birthDate?.toISOString()).toBe("1960-05-04T00:00:00.000Z");

    const entries = await db.auditLog.findMany({ where: { entityType: "Patient", entityId: created.id }, orderBy: { id: "asc" } });
    expect(entries.map((e) => [e.action, e.actorId])).toEqual([
      ["CREATE", actorId],
      ["UPDATE", actorId],
    ]);
    expect(entries[0]!.before).toBeNull();
    expect(entries[0]!.after).toMatchObject({ mrn: "AUD-1", name: "Audit Person", birthDate: "1960-05-04T00:00:00.000Z" });
    expect(entries[1]!.before).toMatchObject({ name: "Audit Person", fitzpatrickType: null });
    expect(entries[1]!.after).toMatchObject({ name: "Audit Person-Smith", fitzpatrickType: 2 });
  });

  it("refuses an unknown patient", async () => {
    const { db } = database;
    expect(await codeOf(getPatient({ db, patientId: "no-such-patient" }))).toBe("NOT_FOUND");
    expect(await codeOf(updatePatient({ db, actorId, patientId: "no-such-patient", input: form({ mrn: "Z", name: "Z" }) }))).toBe(
      "NOT_FOUND",
    );
  });
});

describe("the patient form schema", () => {
  it("rejects a birth date in the future and a bad MRN with messages a person can act on", () => {
    const result = patientFormSchema.safeParse({
      mrn: "has space",
      name: " ",
      birthDate: "2999-01-01",
      sex: "UNKNOWN",
      fitzpatrickType: 7,
    });
    expect(result.success).toBe(false);
    const fields = Object.keys(result.error ? z.flattenError(result.error).fieldErrors : {}).sort();
    expect(fields).toEqual(["birthDate", "fitzpatrickType", "mrn", "name"]);
  });
});
