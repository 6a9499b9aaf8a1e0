/**
 * The queue's keyset SQL against a plain reference: every flag sorted in JavaScript by the queue order (planned biopsy
 * first, P(malignant) high to low with unscored flags first, id high to low). Covers what index seeks get wrong most
 * easily: tied scores, unscored flags in both biopsy groups, cursors at every position, filters, and flags that left
 * the queue. Also checks that one page reads the same fields Prisma's relation queries read.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { createModelRowWithoutFiles } from "../../testing/model-rows";
import { listQueue, neighbouringFlags, type QueueFilter } from "./queue";

let database: TestDatabase;

type Kind = "LIKELY_BENIGN" | "POSSIBLE_MISSED_MALIGNANCY" | "REVIEW_REQUIRED";
type Status = "OPEN" | "DECIDED" | "CLOSED";
interface SeededFlag {
  id: string;
  biopsyPlanned: boolean;
  pMalignant: number | null;
  kind: Kind;
  status: Status;
  bodySite: string;
  modelVersionId: string | null;
}

const flags: SeededFlag[] = [];
const KINDS: Kind[] = ["LIKELY_BENIGN", "POSSIBLE_MISSED_MALIGNANCY", "REVIEW_REQUIRED"];
// Few distinct scores, so that many flags tie on (biopsyPlanned, pMalignant) and only the id orders them.
const SCORES = [0.9, 0.5, 0.5, null, 0.1, 0.5, null, 0.9, 0.25];

function queueOrder(a: SeededFlag, b: SeededFlag): number {
  if (a.biopsyPlanned !== b.biopsyPlanned) return a.biopsyPlanned ? -1 : 1;
  if (a.pMalignant !== b.pMalignant) {
    if (a.pMalignant === null) return -1;
    if (b.pMalignant === null) return 1;
    return b.pMalignant - a.pMalignant;
  }
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function reference(filter: { kind?: Kind; status?: Status; bodySite?: string; modelVersionId?: string } = {}): string[] {
  return flags
    .filter(
      (flag) =>
        flag.status === (filter.status ?? "OPEN") &&
        (!filter.kind || flag.kind === filter.kind) &&
        (!filter.bodySite || flag.bodySite === filter.bodySite) &&
        (!filter.modelVersionId || flag.modelVersionId === filter.modelVersionId),
    )
    .sort(queueOrder)
    .map((flag) => flag.id);
}

async function walk(filter: QueueFilter): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const result = await listQueue({ db: database.db, filter: { ...filter, cursor } });
    ids.push(...result.items.map((item) => item.id));
    if (!result.nextCursor) return ids;
    expect(result.nextCursor).toBe(ids.at(-1));
    cursor = result.nextCursor;
  }
  throw new Error("the queue did not end");
}

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  const clinician = await db.user.create({ data: { email: "q@x.example", name: "Dr Q", role: "DERMATOLOGIST", passwordHash: "x" } });
  const model = await createModelRowWithoutFiles(db, "queue-test");
  for (let n = 0; n < 36; n++) {
    const patient = await db.patient.create({ data: { mrn: `Q-${n}`, name: `Queue Patient ${n}`, fitzpatrickType: n % 3 === 0 ? null : 1 + (n % 6) } });
    const bodySite = n % 4 === 0 ? "face" : "back";
    const lesion = await db.lesion.create({ data: { patientId: patient.id, bodySite, label: `Q${n}` } });
    // 0, 1 or 2 images; the second one newer, so the queue must show it.
    for (let k = 0; k < n % 3; k++) {
      await db.lesionImage.create({
        data: {
          lesionId: lesion.id,
          contentHash: `${n.toString(16).padStart(4, "0")}${k}`.padEnd(64, "a"),
          storageKey: `q/${n}/${k}`,
          width: 600,
          height: 450,
          mimeType: "image/png",
          byteSize: 1,
          createdAt: new Date(Date.UTC(2026, 0, 1 + k)),
        },
      });
    }
    const assessment =
      n % 5 === 0
        ? null
        : await db.clinicalAssessment.create({
            data: { lesionId: lesion.id, clinicianId: clinician.id, impression: n % 2 ? "MALIGNANT" : "BENIGN", plan: n % 2 ? "BIOPSY" : "MONITOR" },
          });
    const flag: SeededFlag = {
      // Ids out of creation order, so that id order is not insertion order.
      id: `flag-${String((n * 7) % 36).padStart(2, "0")}`,
      biopsyPlanned: n % 2 === 1,
      pMalignant: SCORES[n % SCORES.length]!,
      kind: KINDS[n % KINDS.length]!,
      status: n % 11 === 3 ? "DECIDED" : n % 13 === 5 ? "CLOSED" : "OPEN",
      bodySite,
      modelVersionId: n % 6 === 0 ? null : model.id,
    };
    flags.push(flag);
    await db.flag.create({
      data: {
        id: flag.id,
        lesionId: lesion.id,
        kind: flag.kind,
        status: flag.status,
        reason: `reason ${n}`,
        biopsyPlanned: flag.biopsyPlanned,
        pMalignant: flag.pMalignant,
        threshold: flag.pMalignant === null ? null : 0.3,
        modelVersionId: flag.modelVersionId,
        assessmentId: assessment?.id ?? null,
      },
    });
  }
});
afterAll(() => database.drop());

describe("queue pages", () => {
  it("walk every open flag in queue order, for every page size", async () => {
    const expected = reference();
    expect(expected.length).toBeGreaterThan(25);
    for (const limit of [1, 2, 3, 7, 100]) expect(await walk({ limit })).toEqual(expected);
  });

  it("continue right after any cursor, scored or not", async () => {
    const expected = reference();
    for (const [index, cursor] of expected.entries()) {
      const page = await listQueue({ db: database.db, filter: { cursor, limit: 3 } });
      expect(page.items.map((item) => item.id)).toEqual(expected.slice(index + 1, index + 4));
      expect(page.nextCursor).toBe(index + 4 < expected.length ? expected[index + 3] : null);
    }
  });

  it("apply each filter, the kind, status, body site and model version, on every page", async () => {
    const modelVersionId = flags.find((flag) => flag.modelVersionId)!.modelVersionId!;
    for (const filter of [
      ...KINDS.map((kind) => ({ kind })),
      { status: "DECIDED" as const },
      { status: "CLOSED" as const },
      { bodySite: "face" },
      { modelVersionId },
      { kind: "REVIEW_REQUIRED" as const, bodySite: "back" },
    ]) {
      const expected = reference(filter);
      expect(expected.length).toBeGreaterThan(0);
      expect(await walk({ ...filter, limit: 2 })).toEqual(expected);
    }
  });

  it("continue after a cursor that has left the queue from where it stood, and start over for an unknown one", async () => {
    const decided = flags.find((flag) => flag.status === "DECIDED")!;
    const open = reference();
    const after = open.filter((id) => queueOrder(flags.find((flag) => flag.id === id)!, decided) > 0);
    const page = await listQueue({ db: database.db, filter: { cursor: decided.id, limit: 100 } });
    expect(page.items.map((item) => item.id)).toEqual(after);
    const unknown = await listQueue({ db: database.db, filter: { cursor: "no-such-flag", limit: 4 } });
    expect(unknown.items.map((item) => item.id)).toEqual(open.slice(0, 4));
  });

  it("show each flag as Prisma reads it: model version, assessment, lesion, patient and the newest image", async () => {
    const page = await listQueue({ db: database.db, filter: { limit: 100 } });
    const prisma = await database.db.flag.findMany({
      where: { id: { in: page.items.map((item) => item.id) } },
      select: {
        id: true,
        kind: true,
        status: true,
        reason: true,
        deferralSuggested: true,
        biopsyPlanned: true,
        pMalignant: true,
        threshold: true,
        createdAt: true,
        modelVersion: { select: { version: true } },
        assessment: { select: { impression: true, plan: true } },
        lesion: {
          select: {
            id: true,
            bodySite: true,
            label: true,
            patient: { select: { id: true, mrn: true, name: true, fitzpatrickType: true, birthDate: true } },
            images: { select: { id: true, capturedAt: true, createdAt: true } },
          },
        },
      },
    });
    // The newest upload is the thumbnail; the latest date is the latest capture (else upload) of any image.
    const byId = new Map(
      prisma.map(({ lesion: { images, ...lesion }, ...flag }) => {
        const newest = [...images].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id))[0];
        const dates = images.map((image) => (image.capturedAt ?? image.createdAt).getTime());
        return [
          flag.id,
          { ...flag, lesion: { ...lesion, images: newest ? [{ id: newest.id }] : [], latestImageAt: dates.length ? new Date(Math.max(...dates)) : null } },
        ];
      }),
    );
    for (const item of page.items) expect(item).toStrictEqual(byId.get(item.id));
    // The data covers the optional parts both ways.
    expect(page.items.some((item) => item.assessment === null) && page.items.some((item) => item.assessment !== null)).toBe(true);
    expect(page.items.some((item) => item.modelVersion === null) && page.items.some((item) => item.modelVersion !== null)).toBe(true);
    expect(new Set(page.items.map((item) => item.lesion.images.length))).toEqual(new Set([0, 1]));
    expect(page.items.some((item) => item.lesion.patient.fitzpatrickType === null)).toBe(true);
  });
});

describe("j/k neighbours", () => {
  it("are the open flags just before and after, at every position", async () => {
    const open = reference();
    for (const [index, flagId] of open.entries()) {
      expect(await neighbouringFlags({ db: database.db, flagId })).toEqual({ previous: open[index - 1] ?? null, next: open[index + 1] ?? null });
    }
  });

  it("of a flag that has left the queue are the open flags around where it stood; of an unknown flag, none", async () => {
    const open = reference().map((id) => flags.find((flag) => flag.id === id)!);
    for (const gone of flags.filter((flag) => flag.status !== "OPEN")) {
      const before = open.filter((flag) => queueOrder(flag, gone) < 0).at(-1)?.id ?? null;
      const after = open.find((flag) => queueOrder(flag, gone) > 0)?.id ?? null;
      expect(await neighbouringFlags({ db: database.db, flagId: gone.id })).toEqual({ previous: before, next: after });
    }
    expect(await neighbouringFlags({ db: database.db, flagId: "no-such-flag" })).toEqual({ previous: null, next: null });
  });
});
