import type { DiagnosisProbabilities } from "@/ml/diagnoses";
import { formatPercent } from "../../_review/probability";
import { RiskScale } from "../../_review/risk-scale";
import { topDiagnoses } from "../../_review/top-diagnoses";

export interface ModelOutputProps {
  pMalignant: number | null;
  threshold: number | null;
  targetSensitivity: number | null;
  modelVersion: string | null;
  backend: string | null;
  latencyMs: number | null;
  probabilities: DiagnosisProbabilities | null;
  /** The out-of-distribution check over the lesion's scored images; null when the model has none. */
  outOfDistribution: { checkedImages: number; flaggedImages: number } | null;
}

/** The model's side of the disagreement: P(malignant) against its operating threshold, and its top diagnoses. */
export function ModelOutput(props: ModelOutputProps) {
  const ranked = topDiagnoses(props.probabilities, 3);
  const above = props.pMalignant !== null && props.threshold !== null && props.pMalignant >= props.threshold;
  return (
    <section aria-labelledby="model-heading" className="rounded-xl border border-slate-200 bg-white p-4" data-testid="model-output">
      <h2 id="model-heading" className="mb-2 text-lg font-semibold">
        Model output
      </h2>
      {props.pMalignant === null ? (
        <p className="text-sm text-slate-600">No model score is attached to this flag.</p>
      ) : (
        <>
          <p className="mb-2 text-sm">
            <span className="text-2xl font-semibold tabular-nums">{formatPercent(props.pMalignant)}</span> P(malignant),{" "}
            <span className={above ? "font-semibold text-red-800" : "font-semibold text-emerald-800"}>
              {above ? "at or above" : "below"} the threshold of {formatPercent(props.threshold)}
            </span>
            {props.targetSensitivity !== null ? (
              <span className="text-slate-600"> (chosen on validation data for {formatPercent(props.targetSensitivity)} sensitivity)</span>
            ) : null}
          </p>
          <RiskScale pMalignant={props.pMalignant} threshold={props.threshold} />
        </>
      )}
      {ranked.length > 0 ? (
        <>
          <h3 className="mt-4 text-sm font-semibold">Most likely diagnoses</h3>
          <ol className="mt-1 space-y-1 text-sm" data-testid="top-diagnoses">
            {ranked.map((diagnosis) => (
              <li key={diagnosis.code} className="flex items-center gap-2">
                <span className="w-14 text-right tabular-nums">{formatPercent(diagnosis.probability)}</span>
                <span className="h-2 w-24 overflow-hidden rounded-full bg-slate-200" aria-hidden="true">
                  <span
                    className={`block h-full ${diagnosis.malignant ? "bg-red-500" : "bg-slate-500"}`}
                    style={{ width: `${Math.round(diagnosis.probability * 100)}%` }}
                  />
                </span>
                <span>
                  {diagnosis.label}
                  {diagnosis.malignant ? <span className="ml-1 text-xs font-semibold text-red-800">(malignant)</span> : null}
                </span>
              </li>
            ))}
          </ol>
        </>
      ) : null}
      {props.outOfDistribution === null ? (
        <p className="mt-3 text-xs text-slate-500">This model has no out-of-distribution check.</p>
      ) : props.outOfDistribution.flaggedImages > 0 ? (
        <p className="mt-3 text-sm font-semibold text-amber-800" data-testid="ood-check">
          Out of distribution: {props.outOfDistribution.flaggedImages} of {props.outOfDistribution.checkedImages} image(s) unlike the
          model&apos;s training data. Do not rely on the score.
        </p>
      ) : (
        <p className="mt-3 text-xs text-slate-600" data-testid="ood-check">
          Out-of-distribution check passed ({props.outOfDistribution.checkedImages} image(s) like the training data).
        </p>
      )}
      <p className="mt-3 text-xs text-slate-500">
        Model {props.modelVersion ?? "—"}
        {props.backend ? ` · computed on ${props.backend}` : ""}
        {props.latencyMs !== null ? ` in ${Math.round(props.latencyMs)} ms` : ""}
      </p>
    </section>
  );
}
