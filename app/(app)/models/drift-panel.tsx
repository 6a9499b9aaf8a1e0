import type { ModelDrift } from "@/server/services/safety/drift";

const pct = (v: number | null) => (v === null ? "–" : `${(100 * v).toFixed(1)}%`);
const LEVEL_STYLES = { stable: "text-emerald-800", moderate: "text-amber-800", major: "font-semibold text-red-800" } as const;

/**
 * Month by month, how far the active model's scores have moved from its validation set (population stability index)
 * and how often its out-of-distribution check fires against the rate it was set to on validation. No biopsy result
 * is needed: this is the early warning, local validation the proof.
 */
export function DriftPanel({ drift }: { drift: ModelDrift }) {
  return (
    <section aria-labelledby="drift-heading" className="mb-8 rounded-xl border border-slate-200 bg-white p-4" data-testid="drift">
      <h2 id="drift-heading" className="text-lg font-semibold">
        Drift of {drift.version} against its validation set
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        Score shift: population stability index of this month&apos;s P(malignant) over the validation set&apos;s ten equally full bins (below
        0.10 stable, 0.10–0.25 moderate, above 0.25 major).{" "}
        {drift.validationOodRate === null
          ? "This model has no out-of-distribution check."
          : `Out-of-distribution rate: images sent to review as unlike the training data; on validation ${pct(drift.validationOodRate)}, called raised above three times that.`}
        {drift.validationDeciles === null ? " This model's report has no validation score bins, so no score shift can be computed." : ""}
      </p>
      {drift.months.length === 0 ? (
        <p className="mt-2 text-sm text-slate-600">No image has been scored by this model yet.</p>
      ) : (
        <table className="mt-3 w-full text-left text-sm">
          <thead className="text-xs text-slate-500">
            <tr>
              <th className="py-1">month</th>
              <th>images</th>
              <th>mean P(malignant)</th>
              <th>score shift (PSI)</th>
              <th>out of distribution</th>
            </tr>
          </thead>
          <tbody>
            {drift.months.map((m) => (
              <tr key={m.month} className="border-t border-slate-100" data-testid="drift-month">
                <td className="py-1 tabular-nums">{m.month}</td>
                <td className="tabular-nums">{m.images}</td>
                <td className="tabular-nums">{pct(m.meanPMalignant)}</td>
                <td className={`tabular-nums ${LEVEL_STYLES[m.psiLevel]}`}>
                  {drift.validationDeciles === null ? "–" : `${m.psi.toFixed(3)} (${m.psiLevel})`}
                </td>
                <td className={`tabular-nums ${m.oodRaised ? "font-semibold text-red-800" : ""}`}>
                  {m.oodRate === null ? "–" : `${pct(m.oodRate)} (${m.oodFlagged} of ${m.oodChecked})${m.oodRaised ? " raised" : ""}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
