/**
 * Keeping demo accounts (published passwords) out of production. Two durable marks: each account the demo seed
 * creates has `createdByDemoSeed`, and a database the demo seed claimed has the setting DEMO_DATABASE_SETTING.
 * - Outside demo mode, every start disables the demo seed's accounts (and revokes their sessions), and says so.
 * - In demo mode, a start claims an empty database for the demo, accepts one the demo seed claimed (enabling its
 *   demo accounts again), and refuses any other: demo mode must never publish passwords into a real database.
 */
import type { Db } from "../db/client";
import { recordAudit } from "../services/audit/record-audit";

export const DEMO_DATABASE_SETTING = "demo.database";

export class DemoDatabaseRefusedError extends Error {
  constructor(users: number, patients: number) {
    super(
      `Demo mode (DERMFLAG_DEMO=1) refuses this database: it holds ${users} account(s) and ${patients} patient(s) that ` +
        "no demo seed created, and demo mode adds accounts with published passwords. Start the demo on an empty " +
        "database (another DATA_DIR, or DATABASE_URL unset), or start without DERMFLAG_DEMO.",
    );
    this.name = "DemoDatabaseRefusedError";
  }
}

type Log = (line: string) => void;

async function setDemoAccountsActive(db: Db, active: boolean, now: Date): Promise<string[]> {
  return db.$transaction(async (tx) => {
    const accounts = await tx.user.findMany({
      where: { createdByDemoSeed: true, active: !active },
      select: { id: true, email: true },
      orderBy: { email: "asc" },
    });
    for (const account of accounts) {
      await tx.user.update({
        where: { id: account.id },
        // A disabled account's sessions end at once, not only when they would expire.
        data: active ? { active } : { active, sessionsRevokedAt: now },
      });
      await recordAudit(tx, {
        actorId: null,
        action: "UPDATE",
        entityType: "User",
        entityId: account.id,
        before: { active: !active },
        after: { active, reason: active ? "demo mode started" : "demo account, started outside demo mode" },
      });
    }
    return accounts.map((account) => account.email);
  });
}

/** Demo mode: claims an empty database for the demo or accepts one already claimed; throws for any other. */
export async function claimDemoDatabase(db: Db, log: Log, now: Date = new Date()): Promise<void> {
  const claimed = await db.setting.findUnique({ where: { key: DEMO_DATABASE_SETTING }, select: { key: true } });
  if (claimed) {
    const enabled = await setDemoAccountsActive(db, true, now);
    if (enabled.length > 0) log(`Demo mode: enabled the demo accounts again (${enabled.join(", ")}).`);
    return;
  }
  const [users, patients] = await Promise.all([db.user.count(), db.patient.count()]);
  if (users + patients > 0) throw new DemoDatabaseRefusedError(users, patients);
  await db.setting.upsert({
    where: { key: DEMO_DATABASE_SETTING },
    update: {},
    create: { key: DEMO_DATABASE_SETTING, value: { createdBy: "demo seed", at: now.toISOString() } },
  });
  log("Demo mode: this empty database is now a demo database (accounts with published passwords).");
}

/** Outside demo mode: disables every account the demo seed created, and says so. */
export async function disableDemoAccounts(db: Db, log: Log, now: Date = new Date()): Promise<void> {
  const disabled = await setDemoAccountsActive(db, false, now);
  if (disabled.length > 0) {
    log(
      `Disabled ${disabled.length} demo account(s) (${disabled.join(", ")}): the demo seed created them with ` +
        "published passwords, and DERMFLAG_DEMO is off.",
    );
  }
  if (await db.setting.findUnique({ where: { key: DEMO_DATABASE_SETTING }, select: { key: true } })) {
    log("This database was created in demo mode: its patients and images are demo data, not a clinic's records.");
  }
}

/** Run at every start, before any account is created: the demo boundary for the mode the process runs in. */
export async function enforceDemoBoundary(db: Db, demo: boolean, log: Log, now: Date = new Date()): Promise<void> {
  if (demo) await claimDemoDatabase(db, log, now);
  else await disableDemoAccounts(db, log, now);
}
