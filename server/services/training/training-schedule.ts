/**
 * The retraining schedule: kept in the Setting table (the admin's truth) and mirrored into pg-boss's cron table,
 * which fires a "training-schedule" job at each cron time. That job starts a run only when enough new confirmed
 * cases arrived since the last successful run; otherwise it records a SKIPPED run that says why.
 */
import { DomainError, isDomainError } from "../domain-error";
import cronParser from "cron-parser";
import type PgBoss from "pg-boss";
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { QUEUES } from "../../jobs/queues";
import { recordAudit } from "../audit/record-audit";
import { launchTrainingRun } from "./training-runs";
import { DEFAULT_TRAINING_SCHEDULE, trainingScheduleSchema, type TrainingSchedule } from "./training-schedule-schema";
import { CURRENT_OUTCOME } from "../clinical/current-records";

const SCHEDULE_KEY = "training.schedule";

/** Next fire times of a cron expression, or a message saying what is wrong with it. */
export function nextCronTimes(cron: string, timezone: string, count = 3, from = new Date()): { times: Date[] } | { error: string } {
  try {
    const interval = cronParser.parseExpression(cron, { tz: timezone, currentDate: from });
    return { times: Array.from({ length: count }, () => interval.next().toDate()) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

export async function getTrainingSchedule(db: Db): Promise<TrainingSchedule> {
  const row = await db.setting.findUnique({ where: { key: SCHEDULE_KEY }, select: { value: true } });
  const parsed = trainingScheduleSchema.safeParse(row?.value);
  return parsed.success ? parsed.data : DEFAULT_TRAINING_SCHEDULE;
}

/** Makes pg-boss's cron table match the stored schedule (at worker start, and after every edit). */
export async function syncTrainingSchedule(boss: PgBoss, schedule: TrainingSchedule): Promise<void> {
  if (schedule.enabled) await boss.schedule(QUEUES.trainingSchedule, schedule.cron, {}, { tz: schedule.timezone });
  else await boss.unschedule(QUEUES.trainingSchedule);
}

export async function saveTrainingSchedule(options: { db: Db; boss: PgBoss; actorId: string; schedule: TrainingSchedule }) {
  const { db, boss, actorId } = options;
  const schedule = trainingScheduleSchema.parse(options.schedule);
  const next = nextCronTimes(schedule.cron, schedule.timezone);
  if ("error" in next) throw new DomainError("BAD_REQUEST", `Not a valid schedule: ${next.error}.`);
  if (schedule.cron.trim().split(/\s+/).length !== 5) {
    throw new DomainError("BAD_REQUEST", "Use a five-field cron expression: minute hour day-of-month month day-of-week.");
  }
  const before = await getTrainingSchedule(db);
  await db.$transaction(async (tx) => {
    const value = schedule as unknown as Prisma.InputJsonValue;
    await tx.setting.upsert({ where: { key: SCHEDULE_KEY }, update: { value, updatedById: actorId }, create: { key: SCHEDULE_KEY, value, updatedById: actorId } });
    await recordAudit(tx, { actorId, action: "UPDATE", entityType: "Setting", entityId: SCHEDULE_KEY, before, after: schedule });
  });
  await syncTrainingSchedule(boss, schedule);
  return { schedule, nextRuns: next.times };
}

/** Confirmed cases recorded since the last successful run started (all of them before any run). */
export async function newConfirmedCasesSinceLastRun(db: Db): Promise<{ count: number; since: Date | null }> {
  const last = await db.trainingRun.findFirst({ where: { status: "SUCCEEDED" }, orderBy: { startedAt: "desc" }, select: { startedAt: true } });
  const since = last?.startedAt ?? null;
  const count = await db.biopsyOutcome.count({ where: since ? { ...CURRENT_OUTCOME, createdAt: { gt: since } } : CURRENT_OUTCOME });
  return { count, since };
}

/** What a "training-schedule" job does at each cron time. */
export async function runScheduledTraining(options: { db: Db; boss: PgBoss; log?: (line: string) => void }) {
  const { db, boss } = options;
  const schedule = await getTrainingSchedule(db);
  if (!schedule.enabled) return { started: false as const, message: "The schedule is off." };
  const skip = async (message: string) => {
    await db.trainingRun.create({
      data: { trigger: "SCHEDULED", status: "SKIPPED", params: schedule.params, message, finishedAt: new Date() },
    });
    options.log?.(`scheduled training skipped: ${message}`);
    return { started: false as const, message };
  };
  const { count, since } = await newConfirmedCasesSinceLastRun(db);
  if (count < schedule.minNewCases) {
    const when = since ? `since the last successful run (${since.toISOString().slice(0, 16).replace("T", " ")} UTC)` : "so far (no successful run yet)";
    return skip(`Skipped: ${count} new confirmed case${count === 1 ? "" : "s"} ${when}; the schedule needs at least ${schedule.minNewCases}.`);
  }
  try {
    const run = await launchTrainingRun({ db, boss, actorId: null, params: schedule.params, trigger: "SCHEDULED" });
    options.log?.(`scheduled training run ${run.id} queued (${count} new confirmed cases)`);
    return { started: true as const, runId: run.id, message: `${count} new confirmed cases: run queued.` };
  } catch (error) {
    if (isDomainError(error, "CONFLICT")) return skip(`Skipped: ${error.message}`);
    throw error;
  }
}
