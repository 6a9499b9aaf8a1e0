import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/server/testing/database";
import { createPatient, updatePatient } from "../clinical/patients";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES, searchAudit } from "./search-audit";

let database: TestDatabase;
let alice: string;
let bob: string;
let patientId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  alice = (await db.user.create({ data: { email: "alice@clinic.example", name: "Alice", role: "ADMIN", passwordHash: "x" } })).id;
  bob = (await db.user.create({ data: { email: "bob@clinic.example", name: "Bob", role: "DERMATOLOGIST", passwordHash: "x" } })).id;
  const patient = await createPatient({
    db,
    actorId: alice,
    input: { mrn: "S-1", name: "Search Person", birthDate: null, sex: "UNKNOWN", fitzpatrickType: null },
  });
  patientId = patient.id;
  await updatePatient({
    db,
    actorId: bob,
    patientId,
    input: { mrn: "S-1", name: "Search Person", birthDate: null, sex: "FEMALE", fitzpatrickType: 5 },
  });
  // Entries on known dates, written directly (the table is append-only, so dates are set at insert).
  await db.auditLog.createMany({
    data: [
      { at: new Date("2025-01-10T08:00:00Z"), actorId: alice, action: "IMPORT", entityType: "Lesion", entityId: "l1" },
      { at: new Date("2025-01-11T23:59:59Z"), actorId: null, action: "IMPORT", entityType: "Lesion", entityId: "l2" },
      { at: new Date("2025-01-12T00:00:00Z"), actorId: bob, action: "CREATE", entityType: "Lesion", entityId: "l3" },
    ],
  });
  // 25 entries sharing one timestamp, to page through ties.
  const tie = new Date("2024-06-01T12:00:00Z");
  await db.auditLog.createMany({
    data: Array.from({ length: 25 }, (_, i) => ({ at: tie, actorId: null, action: "IMPORT", entityType: "LesionImage", entityId: `img-${i}` })),
  });
});
afterAll(() => database.drop());

describe("searchAudit", () => {
  it("finds an entity's history newest first, with who and a readable before -> after", async () => {
    const { entries } = await searchAudit({ db: database.db, input: { entityType: "Patient", entityId: patientId } });
    expect(entries.map((e) => [e.action, e.actor?.email])).toEqual([
      ["UPDATE", "bob@clinic.example"],
      ["CREATE", "alice@clinic.example"],
    ]);
    const update = entries[0]!;
    expect(update.changes.filter((c) => c.field !== "updatedAt")).toEqual([
      { field: "sex", before: "UNKNOWN", after: "FEMALE" },
      { field: "fitzpatrickType", before: null, after: "5" },
    ]);
    expect(entries[1]!.changes).toContainEqual({ field: "mrn", before: null, after: "S-1" });
    expect(entries.map((e) => [e.hasBefore, e.hasAfter])).toEqual([
      [true, true],
      [false, true],
    ]);
  });

  it("filters by actor email (any part, any case), action and an inclusive UTC date range", async () => {
    const { db } = database;
    const byBob = await searchAudit({ db, input: { actorEmail: "BOB@" } });
    expect(byBob.entries.every((e) => e.actor?.email === "bob@clinic.example")).toBe(true);
    expect(byBob.entries.map((e) => e.entityType).sort()).toEqual(["Lesion", "Patient"]);

    const imports = await searchAudit({ db, input: { action: "import", entityType: "Lesion" } });
    expect(imports.entries.map((e) => e.entityId)).toEqual(["l2", "l1"]);
    expect(imports.entries[0]!.actor).toBeNull();

    const days = await searchAudit({ db, input: { from: "2025-01-11", to: "2025-01-11" } });
    expect(days.entries.map((e) => e.entityId)).toEqual(["l2"]);
    const fromDay = await searchAudit({ db, input: { from: "2025-01-11", to: "2025-01-12" } });
    expect(fromDay.entries.map((e) => e.entityId)).toEqual(["l3", "l2"]);
  });

  it("treats blank filters as no filter and refuses a reversed date range", async () => {
    const { db } = database;
    const all = await searchAudit({ db, input: { entityType: " ", actorEmail: "", limit: 200 } });
    expect(all.entries).toHaveLength(2 + 3 + 25);
    await expect(searchAudit({ db, input: { from: "2025-02-01", to: "2025-01-01" } })).rejects.toThrow(/start date is after/);
  });

  it("pages with a cursor, through entries that share a timestamp, without gaps or repeats", async () => {
    const { db } = database;
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await searchAudit({ db, input: { entityType: "LesionImage", limit: 10, cursor } });
      seen.push(...page.entries.map((e) => e.entityId));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    // Same timestamp: newest written first.
    expect(seen[0]).toBe("img-24");
    expect(seen[24]).toBe("img-0");
  });

  it("continues an unfiltered search on the next page in time order", async () => {
    const { db } = database;
    const first = await searchAudit({ db, input: { limit: 3 } });
    const second = await searchAudit({ db, input: { limit: 3, cursor: first.nextCursor ?? undefined } });
    const times = [...first.entries, ...second.entries].map((e) => e.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Set([...first.entries, ...second.entries].map((e) => e.id)).size).toBe(6);
  });

  it("filters on every action written anywhere, corrections (AMEND, RETRACT) included, and refuses one not in the list", async () => {
    const { db } = database;
    await db.auditLog.createMany({
      data: [
        { at: new Date("2023-03-01T09:00:00Z"), actorId: bob, action: "AMEND", entityType: "Review", entityId: "r-amended" },
        { at: new Date("2023-03-01T09:01:00Z"), actorId: bob, action: "RETRACT", entityType: "BiopsyOutcome", entityId: "o-retracted" },
      ],
    });
    expect(AUDIT_ACTIONS).toEqual(expect.arrayContaining(["AMEND", "RETRACT"]));
    expect((await searchAudit({ db, input: { action: "amend" } })).entries.map((e) => e.entityId)).toEqual(["r-amended"]);
    expect((await searchAudit({ db, input: { action: "RETRACT" } })).entries.map((e) => e.entityId)).toEqual(["o-retracted"]);
    await expect(searchAudit({ db, input: { action: "NO_SUCH_ACTION" } })).rejects.toThrow(/action from the list/);

    // TypeScript writers are typed by the list (record-audit.ts); SQL writers are the migrations: read their inserts.
    const written = auditRowsWrittenByMigrations();
    expect(written.length).toBeGreaterThan(0);
    for (const row of written) {
      expect(AUDIT_ACTIONS, `${row.migration} writes action ${row.action}`).toContain(row.action);
      expect(AUDIT_ENTITY_TYPES, `${row.migration} writes entity type ${row.entityType}`).toContain(row.entityType);
    }
  });
});

/** The literal action and entity type of each `INSERT INTO "AuditLog" (columns) SELECT|VALUES (...)` in a migration. */
function auditRowsWrittenByMigrations(): { migration: string; action: string; entityType: string }[] {
  const root = path.join(process.cwd(), "prisma", "migrations");
  const rows: { migration: string; action: string; entityType: string }[] = [];
  for (const migration of readdirSync(root, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
    const sql = readFileSync(path.join(root, migration.name, "migration.sql"), "utf8");
    for (const match of sql.matchAll(/INSERT INTO "AuditLog"\s*\(([^)]*)\)\s*(?:SELECT|VALUES\s*\()([^;]*)/gi)) {
      const columns = match[1]!.split(",").map((column) => column.trim().replaceAll('"', ""));
      const values = topLevelItems(match[2]!);
      const literal = (column: string) => /^'(.*)'$/.exec(values[columns.indexOf(column)] ?? "")?.[1] ?? `(not a literal: ${values[columns.indexOf(column)]})`;
      rows.push({ migration: migration.name, action: literal("action"), entityType: literal("entityType") });
    }
  }
  return rows;
}

/** Comma-separated items outside parentheses and quotes. */
function topLevelItems(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = "";
  for (const char of text) {
    if (char === "'") quoted = !quoted;
    if (!quoted && char === "(") depth += 1;
    if (!quoted && char === ")") depth -= 1;
    if (!quoted && depth === 0 && char === ",") {
      items.push(current.trim());
      current = "";
    } else current += char;
  }
  items.push(current.trim());
  return items;
}
