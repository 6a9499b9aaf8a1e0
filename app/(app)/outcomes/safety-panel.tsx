/**
 * The two safety figures, first on the page and never behind a filter: malignancies among lesions whose biopsy was
 * deferred (all model versions, all time), and malignancies the model scored below its threshold.
 */
import type { OutcomesDashboard } from "@/server/services/outcomes/schemas";
import { DataTable } from "./data-table";
import { deferredMalignanciesTable, missedMalignanciesTable } from "./dashboard-tables";
import { percent, proportionWithInterval } from "./format";

export function SafetyPanel({ dashboard, fileParts }: { dashboard: OutcomesDashboard; fileParts: string[] }) {
  const { safety, modelOutcomes: model } = dashboard;
  const alarm = (count: number) => (count > 0 ? "border-red-400 bg-red-50" : "border-slate-300 bg-white");
  return (
    <section aria-labelledby="safety-title" className="mb-8" data-testid="safety">
      <h2 id="safety-title" className="mb-3 text-lg font-semibold">
        Safety
      </h2>
      <div className="grid gap-4 lg:grid-cols-2">
        <div className={`rounded-xl border-2 p-4 ${alarm(safety.malignant)}`}>
          <h3 className="text-sm font-semibold uppercase tracking-wide text-slate-700">Malignancies among deferred lesions</h3>
          <p className="mt-1 text-4xl font-bold tabular-nums" data-testid="deferred-malignancies">
            {safety.malignant}
          </p>
          <p className="mt-1 text-sm text-slate-700">
            of {safety.deferredWithOutcome} deferred lesions with an outcome ({safety.deferredLesions} deferred in all). Every model version,
            all time: this figure ignores the choices above.
          </p>
          <DataTable spec={deferredMalignanciesTable(safety)} fileParts={fileParts} emptyText="No deferred lesion has turned out malignant." />
        </div>
        <div className={`rounded-xl border-2 p-4 ${alarm(model?.biopsy.malignantMissed ?? 0)}`}>
          <h3 className="text-sm font-semibold uppercase tracking-wide text-slate-700">Missed malignancies at the threshold</h3>
          {model && dashboard.model ? (
            <>
              <p className="mt-1 text-4xl font-bold tabular-nums" data-testid="missed-malignancies">
                {model.biopsy.malignantMissed}
              </p>
              <p className="mt-1 text-sm text-slate-700">
                of {model.biopsy.malignantBiopsied} malignant biopsied lesions scored by {dashboard.model.version} fell below its threshold of{" "}
                {percent(dashboard.model.threshold)}: {proportionWithInterval(model.biopsy.missedRate)}.
              </p>
              <DataTable spec={missedMalignanciesTable(model, dashboard.model.threshold)} fileParts={fileParts} emptyText="No malignant biopsied lesion scored below the threshold." />
            </>
          ) : (
            <p className="mt-2 text-sm text-slate-700" data-testid="missed-malignancies-unavailable">
              No model version to evaluate: missed malignancies are counted once a model is active or chosen above.
            </p>
          )}
        </div>
      </div>
    </section>
  );
}
