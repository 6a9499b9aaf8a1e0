/**
 * Which training runs have ended, as one value: it changes exactly when a run finishes (succeeds, fails, is cancelled
 * or skipped), not while one runs. What the console shows beside the runs (confirmed cases since the last successful
 * run, the schedule's next times) is refetched when it changes.
 */
const IN_PROGRESS = new Set(["QUEUED", "RUNNING"]);

export function finishedRunsKey(runs: readonly { id: string; status: string }[] | undefined): string | undefined {
  if (!runs) return undefined;
  return runs
    .filter((run) => !IN_PROGRESS.has(run.status))
    .map((run) => `${run.id}:${run.status}`)
    .join(",");
}
