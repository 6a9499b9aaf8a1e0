import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { recordPatientAccess } from "./access-log";
import { recordAudit } from "./record-audit";
import { searchAudit } from "./search-audit";

let database: TestDatabase;
let alice: string;
let bob: string;
let patientId: string;
let otherPatientId: string;
let lesionId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  alice = (await db.user.create({ data: { email: "alice@access.example", name: "Alice", role: "DERMATOLOGIST", passwordHash: "x" } })).id;
  bob = (await db.user.create({ data: { email: "bob@access.example", name: "Bob", role: "DERMATOLOGIST", passwordHash: "x" } })).id;
  patientId = (await db.patient.create({ data: { mrn: "A-100", name: "Read Person" } })).id;
  otherPatientId = (await db.patient.create({ data: { mrn: "A-200", name: "Other Person" } })).id;
  lesionId = (await db.lesion.create({ data: { patientId, bodySite: "arm", label: "L1" } })).id;
  await recordPatientAccess(db, { actorId: alice, patientId, via: "patient page" });
  await recordPatientAccess(db, { actorId: bob, patientId, via: "lesion page", recordId: lesionId });
  await recordPatientAccess(db, { actorId: alice, patientId: otherPatientId, via: "review page", recordId: "flag-1" });
  await recordAudit(db, { actorId: bob, action: "UPDATE", entityType: "Lesion", entityId: lesionId, before: { label: "L0" }, after: { label: "L1" } });
});
afterAll(() => database.drop());

describe("access log", () => {
  it("answers who looked at this patient, by MRN", async () => {
    const { entries } = await searchAudit({ db: database.db, input: { action: "VIEW", mrn: "A-100" } });
    expect(entries.map((entry) => [entry.actor?.email, entry.changes.find((c) => c.field === "opened")?.after])).toEqual([
      ["bob@access.example", "lesion page"],
      ["alice@access.example", "patient page"],
    ]);
    expect(entries.every((entry) => entry.patient?.mrn === "A-100")).toBe(true);
  });

  it("answers what a user opened", async () => {
    const { entries } = await searchAudit({ db: database.db, input: { action: "VIEW", actorEmail: "alice@access.example" } });
    expect(entries.map((entry) => entry.patient?.mrn)).toEqual(["A-200", "A-100"]);
  });

  it("names the patient of a change to one of their records by MRN", async () => {
    const { entries } = await searchAudit({ db: database.db, input: { entityType: "Lesion", entityId: lesionId } });
    expect(entries[0]).toMatchObject({ action: "UPDATE", patient: { id: patientId, mrn: "A-100" } });
  });

  it("keeps reads out of the change log unless asked for", async () => {
    const { entries } = await searchAudit({ db: database.db, input: { actorEmail: "bob@access.example" } });
    expect(entries.map((entry) => entry.action)).toEqual(["UPDATE"]);
  });

  it("filters on entity types from the fixed list only", async () => {
    await expect(searchAudit({ db: database.db, input: { entityType: "NoSuchThing" } })).rejects.toThrow();
    expect((await searchAudit({ db: database.db, input: { mrn: "no-such-mrn" } })).entries).toEqual([]);
  });
});
