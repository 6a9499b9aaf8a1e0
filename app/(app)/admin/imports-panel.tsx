"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { errorText } from "../../_trpc/error-text";
import { formatDateTime } from "../_clinical/format";
import { useTRPC } from "../../_trpc/provider";

const STATUS_STYLES: Record<string, string> = {
  QUEUED: "bg-slate-100 text-slate-700",
  RUNNING: "bg-sky-100 text-sky-800",
  SUCCEEDED: "bg-emerald-100 text-emerald-800",
  FAILED: "bg-red-100 text-red-800",
};

export function ImportsPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const available = useQuery(trpc.imports.available.queryOptions());
  const runs = useQuery({
    ...trpc.imports.runs.queryOptions(),
    // Poll while something is queued or running, so the progress bar moves.
    refetchInterval: (query) =>
      query.state.data?.some((run) => run.status === "QUEUED" || run.status === "RUNNING") ? 1_000 : false,
  });
  const start = useMutation(
    trpc.imports.start.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.imports.runs.queryKey() }),
    }),
  );

  return (
    <section className="mt-10" aria-labelledby="imports-heading">
      <h2 id="imports-heading" className="text-xl font-semibold">
        Import data sets
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        Data sets found in the import folder. Imports run in the background; re-running one adds nothing new.
      </p>
      {available.data?.length === 0 ? (
        <p className="mt-4 rounded-md bg-amber-50 p-3 text-sm text-amber-900">
          No data sets found in the import folder (SHARED_DATA_DIR).
        </p>
      ) : null}
      <ul className="mt-4 grid gap-3 md:grid-cols-3">
        {available.data?.map((dataset) => (
          <li key={dataset.source} className="rounded-lg border border-slate-200 bg-white p-4">
            <p className="font-medium">{dataset.source}</p>
            <p className="text-xs text-slate-600">{dataset.description}</p>
            <button
              type="button"
              onClick={() => start.mutate({ kind: dataset.kind, source: dataset.source })}
              disabled={start.isPending}
              className="mt-3 rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60"
              aria-label={`Import ${dataset.source}`}
            >
              Import
            </button>
          </li>
        ))}
      </ul>
      {start.error ? <p className="mt-3 text-sm text-red-700">{errorText(start.error)}</p> : null}

      <h3 className="mt-8 font-semibold">Recent imports</h3>
      {runs.data?.length ? (
        <ul className="mt-3 space-y-3" data-testid="import-runs">
          {runs.data.map((run) => {
            const percent = run.total > 0 ? Math.round((100 * run.done) / run.total) : run.status === "SUCCEEDED" ? 100 : 0;
            const { rejections } = run;
            return (
              <li key={run.id} className="rounded-lg border border-slate-200 bg-white p-4" data-testid="import-run">
                <div className="flex items-center gap-3 text-sm">
                  <span className="font-medium">{run.source}</span>
                  <span className={`rounded px-2 py-0.5 text-xs ${STATUS_STYLES[run.status] ?? ""}`}>{run.status}</span>
                  <span className="ml-auto text-slate-500" data-testid="import-started">
                    {formatDateTime(run.createdAt)}
                  </span>
                </div>
                <div
                  className="mt-2 h-2 w-full overflow-hidden rounded bg-slate-100"
                  role="progressbar"
                  aria-label={`Import of ${run.source}`}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={percent}
                >
                  <div className="h-full bg-sky-600 transition-all" style={{ width: `${percent}%` }} />
                </div>
                <p className="mt-2 text-sm text-slate-700" data-testid="import-summary">
                  {run.done} / {run.total} processed · {run.imported} imported · {run.skippedDuplicate} skipped as
                  duplicates · {run.rejectedCount} rejected
                </p>
                {run.error ? <p className="mt-1 text-sm text-red-700">{run.error}</p> : null}
                {rejections.length ? (
                  <details className="mt-2 text-sm">
                    <summary className="cursor-pointer text-slate-700">Rejected rows and files</summary>
                    <ul className="mt-1 list-disc pl-6">
                      {rejections.map((rejection, index) => (
                        <li key={index}>
                          {[rejection.row ? `line ${rejection.row}` : null, rejection.file].filter(Boolean).join(", ")}:{" "}
                          {rejection.reason}
                        </li>
                      ))}
                    </ul>
                  </details>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : (
        <p className="mt-2 text-sm text-slate-600">No imports yet.</p>
      )}
    </section>
  );
}
