import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../../auth/session";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { createCaller } from "../root";

let database: TestDatabase;
const admin: SessionUser = { id: "", email: "admin@clinic.example", name: "Admin", role: "ADMIN" };
const dermatologist: SessionUser = { id: "", email: "derm@clinic.example", name: "Derm", role: "DERMATOLOGIST" };

beforeAll(async () => {
  database = await createTestDatabase();
  for (const user of [admin, dermatologist]) {
    user.id = (await database.db.user.create({ data: { email: user.email, name: user.name, role: user.role, passwordHash: "x" } })).id;
  }
});
afterAll(() => database.drop());

describe("audit.search", () => {
  it("is for admins only", async () => {
    const asDermatologist = createCaller({ db: database.db, user: dermatologist });
    await expect(asDermatologist.audit.search({})).rejects.toMatchObject({ code: "FORBIDDEN" });
    const anonymous = createCaller({ db: database.db, user: null });
    await expect(anonymous.audit.search({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("shows an admin the change a dermatologist made", async () => {
    const asDermatologist = createCaller({ db: database.db, user: dermatologist });
    const patient = await asDermatologist.patients.create({ mrn: "AUD-9", name: "Audited", birthDate: null, sex: "MALE", fitzpatrickType: null });
    const asAdmin = createCaller({ db: database.db, user: admin });
    const result = await asAdmin.audit.search({ entityId: patient.id });
    expect(result.entries).toHaveLength(1);
    expect(result.entries[0]).toMatchObject({ action: "CREATE", entityType: "Patient", actor: { email: "derm@clinic.example" } });
    expect(result.entries[0]!.changes).toContainEqual({ field: "sex", before: null, after: "MALE" });
  });

  it("answers a bad filter with field errors", async () => {
    const asAdmin = createCaller({ db: database.db, user: admin });
    const error = await asAdmin.audit.search({ from: "yesterday" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
  });
});
