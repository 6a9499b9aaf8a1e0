"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { DEFAULT_EPOCHS, DEFAULT_TRAINING_RECIPE } from "@/ml/pipeline/training-recipes";
import { DEFAULT_TRAINING_TARGET_SENSITIVITY, describeTrainingParams, trainingParamsSchema, type TrainingParams } from "@/server/services/training/training-params";
import type { RouterOutputs } from "../../_trpc/outputs";
import { errorText } from "../../_trpc/error-text";
import { formatDateTime } from "../_clinical/format";
import { useTRPC } from "../../_trpc/provider";
import { finishedRunsKey } from "./finished-runs";
import { ScheduleForm } from "./schedule-form";
import { TrainingParamsFields } from "./training-params-fields";

type TrainingRun = RouterOutputs["training"]["runs"][number];
type TrainingRunResult = NonNullable<TrainingRun["result"]>;
type ModelOnTestSet = TrainingRunResult["comparison"]["candidate"];

const STATUS_STYLES: Record<string, string> = {
  QUEUED: "bg-slate-100 text-slate-700",
  RUNNING: "bg-sky-100 text-sky-800",
  SUCCEEDED: "bg-emerald-100 text-emerald-800",
  FAILED: "bg-red-100 text-red-800",
  CANCELLED: "bg-amber-100 text-amber-900",
  SKIPPED: "bg-slate-100 text-slate-600",
};

const pct = (value: number | null | undefined) => (value === null || value === undefined ? "–" : `${(100 * value).toFixed(1)}%`);
const num = (value: number | null | undefined, digits = 3) => (value === null || value === undefined ? "–" : value.toFixed(digits));

function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "–";
  const s = Math.max(0, Math.round(seconds));
  return s >= 3600 ? `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min` : s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

export function TrainingConsole() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const options = useQuery(trpc.training.options.queryOptions());
  const runs = useQuery({
    ...trpc.training.runs.queryOptions(),
    // Poll every second while a run is queued or running, so the progress bar moves.
    refetchInterval: (query) => (query.state.data?.some((run) => run.status === "QUEUED" || run.status === "RUNNING") ? 1_000 : 10_000),
  });
  const refresh = () => Promise.all([queryClient.invalidateQueries({ queryKey: trpc.training.runs.queryKey() }), queryClient.invalidateQueries({ queryKey: trpc.training.options.queryKey() })]);
  // When a run ends, what is counted since the last successful run changes: refetch it then (the runs poll alone
  // left "N confirmed cases since the last successful run" as it was before the run).
  const finished = finishedRunsKey(runs.data);
  const seenFinished = useRef(finished);
  useEffect(() => {
    if (finished === undefined) return;
    const before = seenFinished.current;
    seenFinished.current = finished;
    if (before !== undefined && before !== finished) void queryClient.invalidateQueries({ queryKey: trpc.training.options.queryKey() });
  }, [finished, queryClient, trpc]);
  const launch = useMutation(trpc.training.launch.mutationOptions({ onSuccess: refresh }));
  const cancel = useMutation(trpc.training.cancel.mutationOptions({ onSuccess: refresh }));
  const [params, setParams] = useState<TrainingParams | null>(null);
  const [formError, setFormError] = useState<string | null>(null);

  const datasets = options.data?.datasets ?? [];
  const defaults: TrainingParams = {
    baseDataset: datasets.find((dataset) => dataset.kind === "DERMAMNIST")?.source ?? datasets[0]?.source ?? null,
    includeClinicCases: true,
    recipe: DEFAULT_TRAINING_RECIPE,
    epochs: DEFAULT_EPOCHS[DEFAULT_TRAINING_RECIPE],
    timeBudgetMinutes: null,
    targetSensitivity: DEFAULT_TRAINING_TARGET_SENSITIVITY,
  };
  const current = params ?? defaults;
  const inProgress = runs.data?.find((run) => run.status === "QUEUED" || run.status === "RUNNING") ?? null;

  return (
    <div className="space-y-10">
      <section aria-labelledby="launch-heading" className="rounded-xl border border-slate-200 bg-white p-5">
        <h2 id="launch-heading" className="text-lg font-semibold">
          Launch a training run
        </h2>
        <p className="mt-1 text-sm text-slate-600">
          Runs in the background worker, one at a time. Active model: <span className="font-mono">{options.data?.activeVersion ?? "none"}</span>;{" "}
          <span data-testid="new-confirmed-cases">{options.data?.newConfirmedCases ?? 0}</span> confirmed cases recorded since the last successful run.
        </p>
        <form
          className="mt-4 space-y-4"
          aria-label="Launch a training run"
          onSubmit={(event) => {
            event.preventDefault();
            const parsed = trainingParamsSchema.safeParse(current);
            if (!parsed.success) {
              setFormError(parsed.error.issues.map((issue) => issue.message).join(" "));
              return;
            }
            setFormError(null);
            launch.mutate(parsed.data);
          }}
        >
          <TrainingParamsFields value={current} onChange={setParams} datasets={datasets} confirmedLesions={options.data?.confirmedLesions ?? 0} idPrefix="launch" />
          <button
            type="submit"
            disabled={launch.isPending || inProgress !== null}
            className="rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60"
          >
            Start training
          </button>
          {inProgress ? <span className="ml-3 text-sm text-slate-600">A run is in progress; only one runs at a time.</span> : null}
          {formError ? <p className="text-sm text-red-700">{formError}</p> : null}
          {launch.error ? <p className="text-sm text-red-700" role="alert">{errorText(launch.error)}</p> : null}
        </form>
      </section>

      {inProgress ? (
        <RunProgress run={inProgress} onCancel={() => cancel.mutate({ trainingRunId: inProgress.id })} cancelling={cancel.isPending || inProgress.cancelRequestedAt !== null} />
      ) : null}
      {cancel.error ? <p className="text-sm text-red-700">{errorText(cancel.error)}</p> : null}

      <section aria-labelledby="runs-heading">
        <h2 id="runs-heading" className="text-lg font-semibold">
          Runs
        </h2>
        {runs.data?.length ? (
          <ul className="mt-3 space-y-3" data-testid="training-runs">
            {runs.data.map((run) => {
              const { result } = run;
              return (
                <li key={run.id} className="rounded-lg border border-slate-200 bg-white p-4 text-sm" data-testid="training-run">
                  <div className="flex flex-wrap items-center gap-3">
                    <span className={`rounded px-2 py-0.5 text-xs ${STATUS_STYLES[run.status] ?? ""}`}>{run.status}</span>
                    <span>{run.trigger === "SCHEDULED" ? "Scheduled" : `Launched by ${run.requestedBy?.name ?? "an admin"}`}</span>
                    <span className="text-slate-500">{formatDateTime(run.createdAt)}</span>
                    {run.backend ? <span className="text-slate-500">on {run.backend}</span> : null}
                    {run.modelVersion ? (
                      <Link href="/models" className="ml-auto font-mono text-sky-800 underline">
                        {run.modelVersion.version} ({run.modelVersion.status.toLowerCase()})
                      </Link>
                    ) : null}
                  </div>
                  <p className="mt-1 text-slate-600">{describeTrainingParams(run.params)}</p>
                  {run.message ? <p className="mt-1">{run.message}</p> : null}
                  {run.error ? <p className="mt-1 text-red-700">{run.error}</p> : null}
                  {result ? <RunResult result={result} /> : null}
                </li>
              );
            })}
          </ul>
        ) : (
          <p className="mt-2 text-sm text-slate-600">No training runs yet.</p>
        )}
      </section>

      {options.data ? (
        <ScheduleForm
          initial={options.data.schedule}
          nextRuns={options.data.nextScheduledRuns}
          datasets={datasets}
          confirmedLesions={options.data.confirmedLesions}
          onSaved={refresh}
        />
      ) : null}
    </div>
  );
}

function RunProgress({ run, onCancel, cancelling }: { run: TrainingRun; onCancel: () => void; cancelling: boolean }) {
  const { progress } = run;
  const percent = Math.round(100 * (progress?.overall ?? 0));
  return (
    <section aria-labelledby="progress-heading" className="rounded-xl border border-sky-200 bg-sky-50 p-5" data-testid="training-progress">
      <div className="flex items-center gap-3">
        <h2 id="progress-heading" className="text-lg font-semibold">
          {run.status === "QUEUED" ? "Waiting for the worker" : "Training"}
        </h2>
        <span className="text-sm text-slate-600">{progress?.message ?? ""}</span>
        <button
          type="button"
          onClick={onCancel}
          disabled={cancelling}
          className="ml-auto rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-100 disabled:opacity-60"
        >
          {cancelling ? "Cancelling…" : "Cancel run"}
        </button>
      </div>
      <div className="mt-3 h-3 w-full overflow-hidden rounded bg-white" role="progressbar" aria-label="Training run progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <div className="h-full bg-sky-600 transition-all" style={{ width: `${percent}%` }} />
      </div>
      <dl className="mt-3 grid grid-cols-2 gap-2 text-sm sm:grid-cols-6">
        <Stat label="Progress" value={`${percent}%`} />
        <Stat label="Epoch" value={progress?.epoch ? `${progress.epoch}${progress.epochs ? ` / ${progress.epochs}` : ""}` : "–"} testId="progress-epoch" />
        <Stat label="Loss" value={num(progress?.loss)} />
        <Stat label="Validation AUC" value={num(progress?.valAuc)} />
        <Stat label="Training time left" value={progress?.phase === "train" ? duration(progress.etaSeconds) : "–"} />
        <Stat label="Backend" value={run.backend ?? "starting…"} testId="progress-backend" />
      </dl>
    </section>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="font-medium" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

function ModelRow({ label, model }: { label: string; model: ModelOnTestSet }) {
  return (
    <tr className="border-t border-slate-100">
      <td className="px-2 py-1">
        {label} <span className="font-mono text-xs">{model.version}</span>
      </td>
      <td className="px-2 py-1">
        {num(model.auc)}{" "}
        <span className="text-xs text-slate-500">
          ({num(model.aucLower)}–{num(model.aucUpper)})
        </span>
      </td>
      <td className="px-2 py-1">{pct(model.threshold)}</td>
      <td className="px-2 py-1">{pct(model.sensitivity)}</td>
      <td className="px-2 py-1">{pct(model.specificity)}</td>
      <td className="px-2 py-1">{model.missedMalignant}</td>
      <td className="px-2 py-1">{pct(model.avoidableBiopsyRate)}</td>
    </tr>
  );
}

function RunResult({ result }: { result: TrainingRunResult }) {
  const { comparison } = result;
  return (
    <details className="mt-2" open>
      <summary className="cursor-pointer text-slate-700">
        Candidate vs active on the same {comparison.testImages} locked test images ({comparison.testMalignant} malignant; test set{" "}
        <span className="font-mono text-xs">{result.data.lockedTest.fingerprint}</span>)
      </summary>
      <table className="mt-2 w-full text-left text-xs sm:text-sm" data-testid="model-comparison">
        <thead className="text-slate-500">
          <tr>
            <th className="px-2 py-1">Model</th>
            <th className="px-2 py-1">AUC (95% CI)</th>
            <th className="px-2 py-1">Threshold</th>
            <th className="px-2 py-1">Sensitivity</th>
            <th className="px-2 py-1">Specificity</th>
            <th className="px-2 py-1">Missed malignant</th>
            <th className="px-2 py-1">Avoidable biopsies</th>
          </tr>
        </thead>
        <tbody>
          <ModelRow label="Candidate" model={comparison.candidate} />
          {comparison.active ? <ModelRow label="Active" model={comparison.active} /> : null}
        </tbody>
      </table>
      <p className="mt-2 text-xs text-slate-500">
        Data: {result.data.description}. Train {result.data.counts.train.images}, validation {result.data.counts.val.images}, locked test{" "}
        {result.data.counts.test.images} images.
        {result.data.clinic?.missingFromStore ? ` ${result.data.clinic.missingFromStore} clinic images were left out: their stored file is missing (restore them from a backup).` : null} {result.training.epochsRun} epochs (best {result.training.bestEpoch}, stopped by{" "}
        {result.training.stoppedBy}), {Math.round(result.training.imagesPerSecond)} images/s, {duration(result.training.totalSeconds)} in all.
      </p>
    </details>
  );
}
