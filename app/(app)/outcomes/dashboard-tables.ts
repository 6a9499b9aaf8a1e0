/**
 * Every table of the outcomes dashboard, built from the service's output (no metric is computed here: the figures
 * come from server/services/outcomes and ml/evaluation). Each table names the cases behind it in its caption.
 */
import type { ModelOutcomes, OutcomesDashboard, SubgroupRow } from "@/server/services/outcomes/schemas";
import { diagnosisLabel } from "@/server/services/clinical/vocabulary";
import { confirmationLabel } from "../_clinical/format";
import { FLAG_KIND_LABELS, FLAG_KINDS } from "../_review/flag-kind";
import { percent } from "./format";
import { proportionFields, type TableSpec } from "./table-spec";

export const DECISION_LABELS = {
  PROCEED_BIOPSY: "Proceed with biopsy",
  DEFER_MONITOR: "Defer biopsy and monitor",
  SECOND_READ: "Second read",
} as const;

const lesionHref = (lesionId: string) => `/lesions/${lesionId}`;
const cases = (n: number, noun = "lesion") => `${n.toLocaleString("en-GB")} ${noun}${n === 1 ? "" : "s"}`;

export function deferredMalignanciesTable(safety: OutcomesDashboard["safety"]): TableSpec {
  return {
    id: "deferred-malignancies",
    title: "Malignancies among deferred lesions",
    caption: `Deferred lesions with a malignant outcome: ${safety.malignant} of ${cases(safety.deferredWithOutcome)} deferred with an outcome (${cases(safety.deferredLesions)} deferred in all); every model version, all time.`,
    columns: [
      { key: "mrn", label: "Patient MRN", kind: "link", nowrap: true },
      { key: "bodySite", label: "Body site", kind: "text" },
      { key: "deferredAt", label: "Deferred on", kind: "text", nowrap: true },
      { key: "followUpDate", label: "Follow-up due", kind: "text", nowrap: true },
      { key: "modelVersion", label: "Model version", kind: "text" },
      { key: "diagnosis", label: "Diagnosis", kind: "text" },
      { key: "confirmation", label: "Confirmed by", kind: "text" },
      { key: "reportDate", label: "Report date", kind: "text", nowrap: true },
      { key: "lesionId", label: "Lesion id", kind: "text", csvOnly: true },
    ],
    rows: safety.lesions.map((lesion) => ({
      mrn: lesion.mrn,
      mrnHref: lesionHref(lesion.lesionId),
      bodySite: lesion.bodySite,
      deferredAt: lesion.deferredAt.slice(0, 10),
      followUpDate: lesion.followUpDate,
      modelVersion: lesion.modelVersion,
      diagnosis: diagnosisLabel(lesion.histopathologyDiagnosis),
      confirmation: confirmationLabel(lesion.confirmation),
      reportDate: lesion.reportDate,
      lesionId: lesion.lesionId,
    })),
  };
}

export function missedMalignanciesTable(model: ModelOutcomes, threshold: number): TableSpec {
  const { missedMalignancies, biopsy } = model;
  const listed = missedMalignancies.lesions.length;
  return {
    id: "missed-malignancies",
    title: "Missed malignancies",
    caption: `Malignant biopsied lesions scoring below the threshold ${percent(threshold)}: ${biopsy.malignantMissed} of ${cases(biopsy.malignantBiopsied)}${listed < missedMalignancies.total ? ` (the ${listed} lowest scores listed)` : ""}.`,
    columns: [
      { key: "mrn", label: "Patient MRN", kind: "link", nowrap: true },
      { key: "bodySite", label: "Body site", kind: "text" },
      { key: "score", label: "P(malignant)", kind: "percent" },
      { key: "diagnosis", label: "Histopathology", kind: "text" },
      { key: "reportDate", label: "Report date", kind: "text", nowrap: true },
      { key: "lesionId", label: "Lesion id", kind: "text", csvOnly: true },
    ],
    rows: missedMalignancies.lesions.map((lesion) => ({
      mrn: lesion.mrn,
      mrnHref: lesionHref(lesion.lesionId),
      bodySite: lesion.bodySite,
      score: lesion.score,
      diagnosis: diagnosisLabel(lesion.histopathologyDiagnosis),
      reportDate: lesion.reportDate,
      lesionId: lesion.lesionId,
    })),
  };
}

const noInterval = { valueLower: null, valueUpper: null };

/** The headline figures, each with the cases behind it. */
export function keyFiguresTable(dashboard: OutcomesDashboard): TableSpec {
  const { outcomes, modelOutcomes: model, scope } = dashboard;
  const rows: Record<string, string | number | null>[] = [
    { figure: "Biopsies (lesions with a histopathology result)", value: outcomes.biopsied, valueKind: "count", ...noInterval, cases: outcomes.lesions, basis: "lesions with an outcome in these months" },
    { figure: "Benign biopsies", value: outcomes.benignBiopsied, valueKind: "count", ...noInterval, cases: outcomes.biopsied, basis: "biopsied lesions" },
    { figure: "Malignancies found by biopsy", value: outcomes.malignantBiopsied, valueKind: "count", ...noInterval, cases: outcomes.biopsied, basis: "biopsied lesions" },
    { figure: "Number needed to biopsy (as practised)", value: outcomes.numberNeededToBiopsy, valueKind: "decimal", ...noInterval, cases: outcomes.biopsied, basis: "biopsied lesions" },
    { figure: "Outcomes confirmed without biopsy", value: outcomes.notBiopsied, valueKind: "count", ...noInterval, cases: outcomes.lesions, basis: "lesions with an outcome in these months" },
  ];
  if (model) {
    const scored = model.scoredBiopsied;
    rows.push(
      { figure: "Benign biopsies avoidable (model says likely benign)", value: model.biopsy.benignCalledLikelyBenign, valueKind: "count", ...noInterval, cases: model.biopsy.benignBiopsied, basis: "scored benign biopsied lesions" },
      { figure: "Avoidable-biopsy rate", ...proportionFields("value", model.biopsy.avoidableRate), valueKind: "percent", cases: model.biopsy.benignBiopsied, basis: "scored benign biopsied lesions" },
      { figure: "Missed malignancies (malignant, scored below the threshold)", value: model.biopsy.malignantMissed, valueKind: "count", ...noInterval, cases: model.biopsy.malignantBiopsied, basis: "scored malignant biopsied lesions" },
      { figure: "Missed-malignancy rate", ...proportionFields("value", model.biopsy.missedRate), valueKind: "percent", cases: model.biopsy.malignantBiopsied, basis: "scored malignant biopsied lesions" },
      { figure: "Number needed to biopsy, scored lesions (before)", value: model.biopsy.numberNeededToBiopsy, valueKind: "decimal", ...noInterval, cases: scored, basis: "scored biopsied lesions" },
      { figure: "Number needed to biopsy had the model's likely-benign lesions been deferred (after)", value: model.biopsy.numberNeededToBiopsyIfDeferred, valueKind: "decimal", ...noInterval, cases: scored, basis: "scored biopsied lesions" },
      { figure: `Estimated cost saved (${scope.costPerBiopsy.toLocaleString("en-GB")} per biopsy, an estimate)`, value: model.estimatedSaving, valueKind: "money", ...noInterval, cases: model.biopsy.benignBiopsied, basis: "scored benign biopsied lesions" },
      { figure: "AUC of P(malignant), biopsied lesions", value: model.roc.auc, valueKind: "decimal3", ...noInterval, cases: model.roc.n, basis: "scored biopsied lesions" },
      { figure: "AUC of P(malignant), all confirmed lesions", value: model.allConfirmed.auc, valueKind: "decimal3", ...noInterval, cases: model.allConfirmed.n, basis: "scored lesions with any confirmed outcome" },
      { figure: "Expected calibration error (10 bins)", value: model.calibration.ece, valueKind: "decimal3", ...noInterval, cases: model.calibration.n, basis: "scored biopsied lesions" },
    );
  }
  return {
    id: "key-figures",
    title: "Key figures",
    caption: "Each figure with its 95% interval where it is a proportion, and the cases behind it.",
    columns: [
      { key: "figure", label: "Figure", kind: "text" },
      { key: "value", label: "Value", kind: "figure" },
      { key: "valueLower", label: "95% CI lower", kind: "figure" },
      { key: "valueUpper", label: "95% CI upper", kind: "figure" },
      { key: "cases", label: "Cases", kind: "count" },
      { key: "basis", label: "Cases are", kind: "text" },
    ],
    rows: rows.map((row) => ({ ...row, valueLowerKind: row.valueKind ?? null, valueUpperKind: row.valueKind ?? null })),
  };
}


export function comparisonTable(model: ModelOutcomes, threshold: number): TableSpec {
  const { comparison } = model;
  const measures = [
    ["sensitivity", "Sensitivity"],
    ["specificity", "Specificity"],
    ["ppv", "Positive predictive value"],
    ["npv", "Negative predictive value"],
  ] as const;
  return {
    id: "model-vs-clinician",
    title: "Model against clinician",
    caption: `${cases(comparison.n, "biopsied lesion")} scored by the model and assessed by a clinician (${comparison.withoutAssessment} scored without an assessment left out). Model calls malignant at P(malignant) ≥ ${percent(threshold)}. ${comparison.rule}`,
    columns: [
      { key: "measure", label: "Measure", kind: "text" },
      { key: "model", label: "Model", kind: "proportion" },
      { key: "modelFraction", label: "Model cases", kind: "text" },
      { key: "clinician", label: "Clinician", kind: "proportion" },
      { key: "clinicianFraction", label: "Clinician cases", kind: "text" },
    ],
    rows: measures.map(([key, label]) => {
      const ofModel = comparison.model.metrics[key];
      const ofClinician = comparison.clinician.metrics[key];
      return {
        measure: label,
        ...proportionFields("model", ofModel),
        modelFraction: `${ofModel.successes} / ${ofModel.trials}`,
        ...proportionFields("clinician", ofClinician),
        clinicianFraction: `${ofClinician.successes} / ${ofClinician.trials}`,
      };
    }),
  };
}

export function confusionTable(model: ModelOutcomes): TableSpec {
  const { comparison } = model;
  return {
    id: "model-vs-clinician-counts",
    title: "Calls against histopathology",
    caption: `The 2×2 tables behind the comparison, on the same ${cases(comparison.n)}.`,
    columns: [
      { key: "caller", label: "Called by", kind: "text" },
      { key: "tp", label: "Malignant, called malignant", kind: "count" },
      { key: "fn", label: "Malignant, called benign", kind: "count" },
      { key: "fp", label: "Benign, called malignant", kind: "count" },
      { key: "tn", label: "Benign, called benign", kind: "count" },
      { key: "total", label: "Cases", kind: "count" },
    ],
    rows: [
      { caller: "Model", ...comparison.model.counts },
      { caller: "Clinician", ...comparison.clinician.counts },
    ],
  };
}

export function rocTable(model: ModelOutcomes): TableSpec {
  const { roc } = model;
  return {
    id: "roc-points",
    title: "ROC curve points",
    caption: `${cases(roc.n, "scored biopsied lesion")} (${roc.positives} malignant, ${roc.negatives} benign)${roc.points && roc.points.length >= 200 ? ", curve thinned to 200 points" : ""}.`,
    columns: [
      { key: "threshold", label: "Threshold", kind: "percent" },
      { key: "fpr", label: "False-positive rate (1 − specificity)", kind: "percent" },
      { key: "tpr", label: "Sensitivity", kind: "percent" },
    ],
    rows: (roc.points ?? []).map((point) => ({ threshold: point.threshold, fpr: point.fpr, tpr: point.tpr })),
  };
}

export function calibrationTable(model: ModelOutcomes): TableSpec {
  return {
    id: "calibration-bins",
    title: "Reliability bins",
    caption: `${cases(model.calibration.n, "scored biopsied lesion")} in 10 equal-width bins of P(malignant).`,
    columns: [
      { key: "bin", label: "P(malignant) bin", kind: "text", nowrap: true },
      { key: "count", label: "Cases", kind: "count" },
      { key: "meanPredicted", label: "Mean P(malignant)", kind: "percent" },
      { key: "observedFraction", label: "Observed malignant", kind: "percent" },
    ],
    rows: model.calibration.bins.map((bin) => ({
      bin: `${percent(bin.lower)}–${percent(bin.upper)}`,
      count: bin.count,
      meanPredicted: bin.meanPredicted,
      observedFraction: bin.observedFraction,
    })),
  };
}

export function trendsTable(dashboard: OutcomesDashboard): TableSpec {
  const hasModel = dashboard.modelOutcomes !== null;
  return {
    id: "monthly-trends",
    title: "Trends by month",
    caption: "Outcomes by the month of their report; flags and decisions by the month they were made (UTC).",
    columns: [
      { key: "month", label: "Month", kind: "text", nowrap: true },
      { key: "biopsies", label: "Biopsies", kind: "count" },
      { key: "benignBiopsies", label: "Benign", kind: "count" },
      { key: "malignantBiopsies", label: "Malignant", kind: "count" },
      { key: "numberNeededToBiopsy", label: "NNB", kind: "decimal" },
      ...(hasModel
        ? ([
            { key: "scoredBiopsies", label: "Scored biopsies", kind: "count" },
            { key: "benignAvoidable", label: "Benign avoidable", kind: "count" },
            { key: "avoidableRate", label: "Avoidable rate", kind: "proportion" },
            { key: "malignantMissed", label: "Missed malignancies", kind: "count" },
            ...FLAG_KINDS.map((kind) => ({ key: `flag_${kind}`, label: `Flags: ${FLAG_KIND_LABELS[kind]}`, kind: "count" as const })),
            { key: "deferrals", label: "Deferrals", kind: "count" },
          ] as const)
        : []),
    ],
    rows: dashboard.trends.map((month) => ({
      month: month.month,
      biopsies: month.biopsies,
      benignBiopsies: month.benignBiopsies,
      malignantBiopsies: month.malignantBiopsies,
      numberNeededToBiopsy: month.numberNeededToBiopsy,
      scoredBiopsies: month.scoredBiopsies,
      benignAvoidable: month.benignAvoidable,
      ...proportionFields("avoidableRate", month.avoidableRate),
      malignantMissed: month.malignantMissed,
      ...Object.fromEntries(FLAG_KINDS.map((kind) => [`flag_${kind}`, month.flags[kind]])),
      deferrals: month.decisions.DEFER_MONITOR,
    })),
  };
}

export function activityTable(activity: NonNullable<OutcomesDashboard["activity"]>): TableSpec {
  return {
    id: "flags-and-decisions",
    title: "Flags and decisions",
    caption: "Flags the model version raised in these months (superseded ones left out), and reviewers' decisions on them.",
    columns: [
      { key: "item", label: "Flag or decision", kind: "text" },
      { key: "count", label: "Count", kind: "count" },
      { key: "lesions", label: "Lesions", kind: "count" },
    ],
    rows: [
      ...FLAG_KINDS.map((kind) => ({ item: `Flag: ${FLAG_KIND_LABELS[kind]}`, count: activity.flags[kind], lesions: null })),
      ...(Object.keys(DECISION_LABELS) as (keyof typeof DECISION_LABELS)[]).map((decision) => {
        const row = activity.decisions.find((entry) => entry.decision === decision);
        return { item: `Decision: ${DECISION_LABELS[decision]}`, count: row?.count ?? 0, lesions: row?.lesions ?? 0 };
      }),
    ],
  };
}

export function whatIfTable(model: ModelOutcomes, costPerBiopsy: number): TableSpec {
  const { whatIf } = model;
  return {
    id: "what-if",
    title: "What if: every threshold",
    caption: `${cases(whatIf.cases, "scored biopsied lesion")} (${whatIf.benign} benign, ${whatIf.malignant} malignant); lesions below the threshold deferred${whatIf.points.length < whatIf.distinctThresholds ? `; ${whatIf.points.length} of ${whatIf.distinctThresholds} thresholds, evenly by rank` : ""}.`,
    columns: [
      { key: "threshold", label: "Threshold", kind: "decimal" },
      { key: "benignAvoided", label: "Benign biopsies avoided", kind: "count" },
      { key: "avoidableRate", label: "Avoidable rate", kind: "proportion" },
      { key: "malignantMissed", label: "Malignancies missed", kind: "count" },
      { key: "missedRate", label: "Missed rate", kind: "proportion" },
      { key: "nnb", label: "NNB after deferral", kind: "decimal" },
      { key: "saving", label: "Estimated saving", kind: "money" },
    ],
    rows: whatIf.points.map((point) => ({
      threshold: point.threshold,
      benignAvoided: point.benignAvoided,
      ...proportionFields("avoidableRate", point.avoidableRate),
      malignantMissed: point.malignantMissed,
      ...proportionFields("missedRate", point.missedRate),
      nnb: point.numberNeededToBiopsyIfDeferred,
      saving: point.benignAvoided * costPerBiopsy,
    })),
  };
}

export const SUBGROUP_TITLES = {
  fitzpatrick: "Fitzpatrick skin type",
  sex: "Sex",
  ageBand: "Age band (at the report)",
  bodySite: "Body site",
} as const;

const SUBGROUP_HEADINGS: Record<keyof typeof SUBGROUP_TITLES, string> = {
  fitzpatrick: "By Fitzpatrick skin type",
  sex: "By sex",
  ageBand: "By age band at the report",
  bodySite: "By body site",
};

export function subgroupTable(key: keyof typeof SUBGROUP_TITLES, groups: readonly SubgroupRow[], threshold: number): TableSpec {
  const total = groups.reduce((sum, group) => sum + group.n, 0);
  return {
    id: `subgroups-${key}`,
    title: SUBGROUP_HEADINGS[key],
    caption: `${cases(total, "scored biopsied lesion")}; sensitivity and specificity at the threshold ${percent(threshold)}. Small groups have wide intervals.`,
    columns: [
      { key: "group", label: SUBGROUP_TITLES[key], kind: "text" },
      { key: "n", label: "Cases", kind: "count" },
      { key: "positives", label: "Malignant", kind: "count" },
      { key: "auc", label: "AUC", kind: "decimal3" },
      { key: "sensitivity", label: "Sensitivity", kind: "proportion" },
      { key: "specificity", label: "Specificity", kind: "proportion" },
    ],
    rows: groups.map((group) => ({
      group: group.group,
      n: group.n,
      positives: group.positives,
      auc: group.auc,
      ...proportionFields("sensitivity", group.sensitivity),
      ...proportionFields("specificity", group.specificity),
    })),
  };
}
