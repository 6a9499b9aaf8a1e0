/** A few lines a clinician can read at the end of ml:train / ml:eval; the full report is the JSON. */
import type { ProportionEstimate } from "../evaluation";
import type { EvaluationReport, SubsetReport } from "../pipeline/evaluation-report";

const pct = (v: number | null | undefined) => (v === null || v === undefined ? "n/a" : `${(v * 100).toFixed(1)}%`);
const auc = (v: number | null | undefined) => (v === null || v === undefined ? "n/a" : v.toFixed(3));
const ci = (p: ProportionEstimate) => (p.estimate === null ? "n/a" : `${pct(p.estimate)} (${pct(p.lower)}-${pct(p.upper)}, ${p.successes}/${p.trials})`);

function subsetLine(s: SubsetReport | null, label: string): string {
  if (s === null) return `  ${label}: none`;
  const i = s.binary.aucInterval;
  const multi = s.multiclass === null ? "" : `, 7-class acc ${pct(s.multiclass.accuracy)}, macro AUC ${auc(s.multiclass.macroAuc)}`;
  return [
    `  ${label} (${s.n} images, ${s.malignant} malignant): AUC ${auc(s.binary.auc)}${i ? ` (95% CI ${auc(i.lower)}-${auc(i.upper)})` : ""}${multi}, ECE ${auc(s.binary.ece)}`,
    `      sensitivity ${ci(s.binary.metrics.sensitivity)}, specificity ${ci(s.binary.metrics.specificity)}`,
  ].join("\n");
}

export function summarizeReport(report: EvaluationReport): string {
  const t = report.threshold;
  const biopsy = report.test.biopsy;
  return [
    `Threshold ${t.value.toFixed(4)} (${t.chosenOn === "validation" ? `chosen on validation for sensitivity >= ${t.targetSensitivity}` : "given"}; validation sensitivity ${pct(t.validation?.sensitivity)}, specificity ${pct(t.validation?.specificity)})`,
    `Backend ${report.backend}`,
    subsetLine(report.test, "official test"),
    subsetLine(report.lesionDisjointTest, "lesion-disjoint test"),
    subsetLine(report.histoTest, "biopsied (histo) test"),
    biopsy === null
      ? "  avoidable biopsies: no biopsied test images"
      : `  avoidable biopsies (per image): ${ci(biopsy.perImage.avoidableRate)} of benign biopsied called likely benign; malignant missed ${biopsy.perImage.malignantMissed}/${biopsy.perImage.malignantBiopsied}`,
  ].join("\n");
}
