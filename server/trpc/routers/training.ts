import { z } from "zod";
import { getSenderBoss } from "../../jobs/boss";
import { importRoot } from "../../services/imports/import-runs";
import { trainableDatasets } from "../../services/training/assemble-training-data";
import { trainingParamsSchema } from "../../services/training/training-params";
import { cancelTrainingRun, launchTrainingRun, listTrainingRuns } from "../../services/training/training-runs";
import { getTrainingSchedule, newConfirmedCasesSinceLastRun, nextCronTimes, saveTrainingSchedule } from "../../services/training/training-schedule";
import { trainingScheduleSchema } from "../../services/training/training-schedule-schema";
import {
  cancelledTrainingRunOutput,
  launchedTrainingRunOutput,
  savedTrainingScheduleOutput,
  trainingOptionsOutput,
  trainingRunsOutput,
} from "../../services/training/schemas";
import { createTRPCRouter, permittedProcedure } from "../init";
import { CURRENT_OUTCOME } from "../../services/clinical/current-records";

const manage = permittedProcedure("models:manage");

export const trainingRouter = createTRPCRouter({
  /** What the launch form offers, and the schedule. */
  options: manage.output(trainingOptionsOutput).query(async ({ ctx }) => {
    const schedule = await getTrainingSchedule(ctx.db);
    const next = nextCronTimes(schedule.cron, schedule.timezone);
    const [confirmedLesions, newCases, active] = await Promise.all([
      ctx.db.lesion.count({ where: { biopsyOutcomes: { some: CURRENT_OUTCOME } } }),
      newConfirmedCasesSinceLastRun(ctx.db),
      ctx.db.modelVersion.findFirst({ where: { status: "ACTIVE" }, select: { version: true } }),
    ]);
    return {
      datasets: trainableDatasets(importRoot()),
      confirmedLesions,
      newConfirmedCases: newCases.count,
      activeVersion: active?.version ?? null,
      schedule,
      nextScheduledRuns: schedule.enabled && "times" in next ? next.times : [],
    };
  }),
  runs: manage.output(trainingRunsOutput).query(({ ctx }) => listTrainingRuns({ db: ctx.db })),
  launch: manage
    .input(trainingParamsSchema)
    .output(launchedTrainingRunOutput)
    .mutation(async ({ ctx, input }) =>
      launchTrainingRun({ db: ctx.db, boss: await getSenderBoss(), actorId: ctx.user.id, params: input, trigger: "MANUAL" }),
    ),
  cancel: manage
    .input(z.object({ trainingRunId: z.string().min(1).max(64) }))
    .output(cancelledTrainingRunOutput)
    .mutation(({ ctx, input }) => cancelTrainingRun({ db: ctx.db, actorId: ctx.user.id, trainingRunId: input.trainingRunId })),
  saveSchedule: manage
    .input(trainingScheduleSchema)
    .output(savedTrainingScheduleOutput)
    .mutation(async ({ ctx, input }) => saveTrainingSchedule({ db: ctx.db, boss: await getSenderBoss(), actorId: ctx.user.id, schedule: input })),
});
