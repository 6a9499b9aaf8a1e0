/**
 * The authorization matrix: every tRPC procedure, called as anonymous, dermatologist and admin, against the
 * permission each is meant to require. A procedure added without a row here fails the test, so none can ship
 * unchecked. Calls carry an invalid input, so an allowed call stops at input validation and changes nothing.
 */
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { can, type Permission, type Role } from "../auth/roles";
import type { SessionUser } from "../auth/session";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { appRouter, createCaller } from "./root";

/** The permission each procedure requires; "signed-in" = any signed-in user. */
const REQUIRED: Record<string, Permission | "signed-in"> = {
  "audit.search": "audit:read",
  "imports.available": "imports:run",
  "imports.runs": "imports:run",
  "imports.start": "imports:run",
  "lesions.amendOutcome": "clinical:write",
  "lesions.get": "clinical:read",
  "lesions.record": "clinical:read",
  "lesions.recordAssessment": "clinical:write",
  "lesions.recordBiopsyOutcome": "clinical:write",
  "lesions.retractOutcome": "clinical:write",
  "lesions.update": "clinical:write",
  "models.card": "models:read",
  "models.list": "models:read",
  "models.adoptLocalThreshold": "models:manage",
  "models.approvePromotion": "models:manage",
  "models.operatingPoints": "models:read",
  "models.promotionRequests": "models:read",
  "models.rejectPromotion": "models:manage",
  "models.requestPromotion": "models:manage",
  "models.revertOperatingPoint": "models:manage",
  "models.rollBack": "models:manage",
  "outcomes.dashboard": "outcomes:read",
  "overview.counts": "clinical:read",
  "patients.addLesion": "clinical:write",
  "patients.create": "clinical:write",
  "patients.get": "clinical:read",
  "patients.list": "clinical:read",
  "patients.update": "clinical:write",
  "review.amend": "review:decide",
  "review.awaitingAssessment": "clinical:read",
  "review.counts": "clinical:read",
  "review.decide": "review:decide",
  "review.explanation": "clinical:read",
  "review.filterOptions": "clinical:read",
  "review.flag": "clinical:read",
  "review.neighbours": "clinical:read",
  "review.overdue": "clinical:read",
  "review.queue": "clinical:read",
  "review.retract": "review:decide",
  "safety.acknowledge": "safety:acknowledge",
  "safety.criteria": "models:read",
  "safety.drift": "models:read",
  "safety.enableDeferral": "models:manage",
  "safety.events": "clinical:read",
  "safety.localValidation": "models:read",
  "safety.saveCriteria": "models:manage",
  "safety.suspendDeferral": "models:manage",
  "training.cancel": "models:manage",
  "training.launch": "models:manage",
  "training.options": "models:manage",
  "training.runs": "models:manage",
  "training.saveSchedule": "models:manage",
  "users.changeOwnPassword": "signed-in",
  "users.create": "users:manage",
  "users.list": "users:manage",
  "users.me": "signed-in",
  "users.resetPassword": "users:manage",
  "users.unlock": "users:manage",
  "users.update": "users:manage",
};

const procedures = Object.keys(appRouter._def.procedures).sort();
let database: TestDatabase;
const users: Record<Role, SessionUser> = {
  DERMATOLOGIST: { id: "", email: "derm@matrix.example", name: "Derm", role: "DERMATOLOGIST" },
  ADMIN: { id: "", email: "admin@matrix.example", name: "Admin", role: "ADMIN" },
};

type Outcome = "UNAUTHORIZED" | "FORBIDDEN" | "ALLOWED";

const PAST_THE_ACCESS_CHECK = new Set<TRPCError["code"]>(["BAD_REQUEST", "NOT_FOUND", "CONFLICT", "PRECONDITION_FAILED"]);

async function call(user: SessionUser | null, path: string): Promise<Outcome> {
  const caller = createCaller({ db: database.db, user }) as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>;
  const [router, procedure] = path.split(".") as [string, string];
  try {
    // A deliberately invalid input: allowed callers stop at validation (or at a harmless read).
    await caller[router]![procedure]!({ "not-a-field": true, flagId: 123, patientId: 123, lesionId: 123 });
    return "ALLOWED";
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "UNAUTHORIZED" || error.code === "FORBIDDEN")) return error.code;
    // Past the access check, a call is refused for its input or the data's state; a crash (500) proves nothing.
    if (error instanceof TRPCError && PAST_THE_ACCESS_CHECK.has(error.code)) return "ALLOWED";
    throw error;
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  for (const user of Object.values(users)) {
    user.id = (await database.db.user.create({ data: { email: user.email, name: user.name, role: user.role, passwordHash: "x" } })).id;
  }
});
afterAll(() => database.drop());

describe("authorization matrix", () => {
  it("lists every procedure the API has", () => {
    expect(procedures).toEqual(Object.keys(REQUIRED).sort());
  });

  it.each(procedures)("%s: anonymous is refused; each role gets exactly what the permission table gives it", async (path) => {
    const required = REQUIRED[path]!;
    expect(await call(null, path)).toBe("UNAUTHORIZED");
    for (const role of ["DERMATOLOGIST", "ADMIN"] as const) {
      const allowed = required === "signed-in" || can(role, required);
      expect(await call(users[role], path), `${role} on ${path}`).toBe(allowed ? "ALLOWED" : "FORBIDDEN");
    }
  });
});
