"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { trainingScheduleSchema, type TrainingSchedule } from "@/server/services/training/training-schedule-schema";
import { errorText } from "../../_trpc/error-text";
import { useTRPC } from "../../_trpc/provider";
import { TrainingParamsFields } from "./training-params-fields";

interface Props {
  initial: TrainingSchedule;
  nextRuns: Date[];
  datasets: { source: string; description: string }[];
  confirmedLesions: number;
  onSaved: () => unknown;
}

export function ScheduleForm({ initial, nextRuns, datasets, confirmedLesions, onSaved }: Props) {
  const trpc = useTRPC();
  const [schedule, setSchedule] = useState<TrainingSchedule>(initial);
  const [formError, setFormError] = useState<string | null>(null);
  const save = useMutation(trpc.training.saveSchedule.mutationOptions({ onSuccess: onSaved }));
  const set = (patch: Partial<TrainingSchedule>) => setSchedule({ ...schedule, ...patch });
  const shownNext = save.data ? (save.data.schedule.enabled ? save.data.nextRuns : []) : nextRuns;

  return (
    <section aria-labelledby="schedule-heading" className="rounded-xl border border-slate-200 bg-white p-5">
      <h2 id="schedule-heading" className="text-lg font-semibold">
        Schedule
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        At each time of the cron expression, a run starts only if at least the set number of confirmed cases arrived since
        the last successful run; otherwise the skip and its reason appear under Runs.
      </p>
      <form
        className="mt-4 space-y-4"
        aria-label="Retraining schedule"
        onSubmit={(event) => {
          event.preventDefault();
          const parsed = trainingScheduleSchema.safeParse(schedule);
          if (!parsed.success) {
            setFormError(parsed.error.issues.map((issue) => issue.message).join(" "));
            return;
          }
          setFormError(null);
          save.mutate(parsed.data);
        }}
      >
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={schedule.enabled} onChange={(event) => set({ enabled: event.target.checked })} />
          Retrain on a schedule
        </label>
        <div className="grid gap-3 sm:grid-cols-3">
          <label className="text-sm" htmlFor="schedule-cron">
            Cron expression (minute hour day month weekday)
            <input id="schedule-cron" value={schedule.cron} onChange={(event) => set({ cron: event.target.value })} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 font-mono" />
          </label>
          <label className="text-sm" htmlFor="schedule-timezone">
            Time zone
            <input id="schedule-timezone" value={schedule.timezone} onChange={(event) => set({ timezone: event.target.value })} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5" />
          </label>
          <label className="text-sm" htmlFor="schedule-min-cases">
            Minimum new confirmed cases
            <input
              id="schedule-min-cases"
              type="number"
              min={1}
              value={schedule.minNewCases}
              onChange={(event) => set({ minNewCases: Number(event.target.value) })}
              className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5"
            />
          </label>
        </div>
        <TrainingParamsFields value={schedule.params} onChange={(params) => set({ params })} datasets={datasets} confirmedLesions={confirmedLesions} idPrefix="schedule" />
        <button type="submit" disabled={save.isPending} className="rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60">
          Save schedule
        </button>
        {save.isSuccess ? <span className="ml-3 text-sm text-emerald-800">Saved.</span> : null}
        {formError ? <p className="text-sm text-red-700">{formError}</p> : null}
        {save.error ? <p className="text-sm text-red-700" role="alert">{errorText(save.error)}</p> : null}
        {shownNext.length > 0 ? (
          <p className="text-sm text-slate-600" data-testid="next-scheduled-runs">
            Next: {shownNext.map((time) => new Date(time).toISOString().slice(0, 16).replace("T", " ") + " UTC").join(", ")}
          </p>
        ) : null}
      </form>
    </section>
  );
}
