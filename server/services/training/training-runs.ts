/**
 * Training runs as the admin sees them: launch (one at a time per deployment, enforced by a partial unique index so
 * two simultaneous launches cannot both start), cancel, list, and the reaper that fails runs whose process died.
 */
import { DomainError } from "../domain-error";
import type PgBoss from "pg-boss";
import type { Db } from "../../db/client";
import type { TrainingTrigger } from "../../db/generated/client";
import { INVARIANT_INDEXES, isUniqueViolation } from "../../db/unique-violation";
import { QUEUES, type TrainModelPayload } from "../../jobs/queues";
import { recordAudit } from "../audit/record-audit";
import { trainingParamsSchema, type TrainingParams } from "./training-params";
import { trainingRunProgressSchema } from "./training-progress";
import { trainingRunResultSchema } from "./training-run-result";
import type { TrainingRunView } from "./schemas";

const IN_PROGRESS = ["QUEUED", "RUNNING"] as const;

async function inProgressMessage(db: Db): Promise<string> {
  const running = await db.trainingRun.findFirst({
    where: { status: { in: [...IN_PROGRESS] } },
    select: { status: true, trigger: true, createdAt: true, requestedBy: { select: { name: true } } },
  });
  if (!running) return "Another training run was launched at the same moment; only one runs at a time.";
  const who = running.trigger === "SCHEDULED" ? "the schedule" : (running.requestedBy?.name ?? "an admin");
  return `A training run is already ${running.status === "QUEUED" ? "queued" : "running"} (started by ${who} at ${running.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC); only one runs at a time. Wait for it or cancel it.`;
}

/** Creates a QUEUED run and its job; a second launch while one is queued or running is refused with a message. */
export async function launchTrainingRun(options: {
  db: Db;
  boss: PgBoss;
  actorId: string | null;
  params: TrainingParams;
  trigger: TrainingTrigger;
}) {
  const { db, boss, actorId, trigger } = options;
  const params = trainingParamsSchema.parse(options.params);
  let run;
  try {
    run = await db.$transaction(async (tx) => {
      const created = await tx.trainingRun.create({
        data: { trigger, requestedById: actorId, params },
        select: { id: true, status: true, createdAt: true },
      });
      await recordAudit(tx, { actorId, action: "TRAIN", entityType: "TrainingRun", entityId: created.id, after: { trigger, params } });
      return created;
    });
  } catch (error) {
    if (isUniqueViolation(error, INVARIANT_INDEXES.oneTrainingRunInProgress)) throw new DomainError("CONFLICT", await inProgressMessage(db));
    throw error;
  }
  const payload: TrainModelPayload = { trainingRunId: run.id };
  try {
    await boss.send(QUEUES.trainModel, payload, { singletonKey: run.id });
  } catch (error) {
    // No job, no run: never leave a QUEUED row that nothing will pick up (it would block every later launch).
    await db.trainingRun.updateMany({
      where: { id: run.id, status: "QUEUED" },
      data: { status: "FAILED", finishedAt: new Date(), error: "The job queue was unavailable; nothing was started." },
    });
    throw error;
  }
  return run;
}

/** A queued run is cancelled at once; a running one is asked to stop (it stops between batches, within seconds). */
export async function cancelTrainingRun(options: { db: Db; actorId: string; trainingRunId: string }) {
  const { db, actorId, trainingRunId } = options;
  return db.$transaction(async (tx) => {
    const [run] = await tx.$queryRaw<{ status: string }[]>`SELECT status FROM "TrainingRun" WHERE id = ${trainingRunId} FOR UPDATE`;
    if (!run) throw new DomainError("NOT_FOUND", "No such training run.");
    if (run.status === "QUEUED") {
      await tx.trainingRun.update({
        where: { id: trainingRunId },
        data: { status: "CANCELLED", cancelRequestedAt: new Date(), finishedAt: new Date(), message: "Cancelled by an admin before it started." },
      });
    } else if (run.status === "RUNNING") {
      await tx.trainingRun.update({ where: { id: trainingRunId }, data: { cancelRequestedAt: new Date() } });
    } else {
      throw new DomainError("CONFLICT", `This run has already ended (${run.status.toLowerCase()}).`);
    }
    await recordAudit(tx, { actorId, action: "CANCEL", entityType: "TrainingRun", entityId: trainingRunId, before: { status: run.status } });
    return { status: run.status === "QUEUED" ? ("CANCELLED" as const) : ("CANCELLING" as const) };
  });
}

/** The Retraining page's runs, newest first, with their JSON columns parsed by the schemas their writers use. */
export async function listTrainingRuns(options: { db: Db; take?: number }): Promise<TrainingRunView[]> {
  const runs = await options.db.trainingRun.findMany({
    orderBy: { createdAt: "desc" },
    take: options.take ?? 20,
    select: {
      id: true,
      status: true,
      trigger: true,
      params: true,
      progress: true,
      backend: true,
      error: true,
      message: true,
      result: true,
      cancelRequestedAt: true,
      createdAt: true,
      requestedBy: { select: { name: true } },
      modelVersion: { select: { version: true, status: true } },
    },
  });
  return runs.map((run) => ({
    ...run,
    params: trainingParamsSchema.parse(run.params),
    progress: trainingRunProgressSchema.nullable().parse(run.progress),
    result: trainingRunResultSchema.nullable().parse(run.result),
  }));
}

/**
 * Fails runs whose training process stopped reporting (killed with its worker, machine lost). The active model is
 * untouched by construction: a run only ever registers a candidate, in its final transaction.
 */
export async function failStaleTrainingRuns(options: { db: Db; staleAfterSeconds: number; now?: Date }): Promise<number> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.staleAfterSeconds * 1000);
  const { count } = await options.db.trainingRun.updateMany({
    where: { status: "RUNNING", OR: [{ heartbeatAt: null }, { heartbeatAt: { lt: cutoff } }] },
    data: {
      status: "FAILED",
      finishedAt: new Date(),
      error: `The training process stopped reporting for over ${options.staleAfterSeconds} s (its worker was stopped or crashed).`,
      message: "Training failed; the active model is unchanged.",
    },
  });
  return count;
}
