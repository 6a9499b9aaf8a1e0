import { formatPercent } from "./probability";

/**
 * P(malignant) on a 0-100% scale with the operating threshold marked. Scores at or above the threshold are what the
 * model would send for a closer look, so the bar is red there and green below.
 */
export function RiskScale({ pMalignant, threshold, compact = false }: { pMalignant: number | null; threshold: number | null; compact?: boolean }) {
  const above = pMalignant !== null && threshold !== null && pMalignant >= threshold;
  const label =
    pMalignant === null
      ? "No score"
      : `P(malignant) ${formatPercent(pMalignant)}${threshold === null ? "" : `, threshold ${formatPercent(threshold)}, ${above ? "at or above" : "below"} the threshold`}`;
  return (
    <div className={compact ? "w-36" : "w-full"}>
      <div
        role="meter"
        aria-label="P(malignant)"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pMalignant === null ? undefined : Math.round(pMalignant * 1000) / 10}
        aria-valuetext={label}
        className={`relative overflow-visible rounded-full bg-slate-200 ${compact ? "h-2" : "h-3"}`}
      >
        {pMalignant !== null ? (
          <div
            className={`h-full rounded-full ${above ? "bg-red-600" : "bg-emerald-600"}`}
            style={{ width: `${Math.min(100, Math.max(0, pMalignant * 100))}%` }}
          />
        ) : null}
        {threshold !== null ? (
          <div
            aria-hidden="true"
            title={`Threshold ${formatPercent(threshold)}`}
            className={`absolute top-1/2 w-0.5 -translate-x-1/2 -translate-y-1/2 bg-slate-900 ${compact ? "h-4" : "h-6"}`}
            style={{ left: `${Math.min(100, Math.max(0, threshold * 100))}%` }}
          />
        ) : null}
      </div>
      {compact ? null : (
        <div aria-hidden="true" className="mt-1 flex justify-between text-xs text-slate-500">
          <span>0%</span>
          <span>50%</span>
          <span>100%</span>
        </div>
      )}
    </div>
  );
}
