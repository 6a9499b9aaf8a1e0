/**
 * The model card, generated from the model's metadata and its evaluation report so that it can never disagree with
 * them: intended use, data, the operating threshold and how it was chosen, performance with 95% intervals on each
 * test subset, calibration, subgroups, the avoidable-biopsy analysis and the limits. buildModelCard gives the JSON
 * (model-card.json); renderModelCardMarkdown the document a reviewer reads (model-card.md).
 */
import type { BootstrapInterval, ProportionEstimate, SubgroupMetrics } from "../evaluation";
import type { ModelMetadata, Preprocessing } from "../store/model-files";
import type { BiopsyReport, EvaluationReport, SubsetReport } from "./evaluation-report";

export const MODEL_CARD_SCHEMA_VERSION = 1;

export interface Interval {
  estimate: number | null;
  lower: number | null;
  upper: number | null;
}

export interface CardSubset {
  name: string;
  description: string;
  images: number;
  malignant: number;
  lesions: number;
  binaryAuc: Interval;
  sensitivity: Interval & { successes: number; trials: number };
  specificity: Interval & { successes: number; trials: number };
  ppv: Interval;
  npv: Interval;
  accuracy7Class: number | null;
  macroAuc7Class: number | null;
  ece: number | null;
}

export interface ModelCard {
  schemaVersion: typeof MODEL_CARD_SCHEMA_VERSION;
  title: string;
  model: {
    version: string;
    createdAt: string;
    labelMode: ModelMetadata["labelMode"];
    classes: string[];
    malignantClasses: string[];
    input: string;
    architecture: Record<string, unknown>;
    /** The resolved TrainingConfig (ml/pipeline/training-config.ts) the model was trained with, or null for older models. */
    trainingConfig: Record<string, unknown> | null;
    code: ModelMetadata["code"];
    trainingBackend: ModelMetadata["backend"];
    evaluatedWith: string;
  };
  intendedUse: { purpose: string; users: string; humanOversight: string; notIntendedFor: string[] };
  data: {
    source: string;
    counts: ModelMetadata["data"]["counts"];
    trainingHash: string;
    validationHash: string;
    notes: string[];
  };
  operatingPoint: {
    threshold: number;
    targetSensitivity: number;
    howChosen: string;
    validationSensitivity: number | null;
    validationSpecificity: number | null;
  };
  performance: CardSubset[];
  calibration: { note: string; eceBySubset: Record<string, number | null>; reliabilityTest: EvaluationReport["test"]["binary"]["reliability"] };
  subgroups: { subset: string; sex: SubgroupMetrics[]; ageBand: SubgroupMetrics[]; site: SubgroupMetrics[]; fitzpatrick: string };
  avoidableBiopsy: (BiopsyReport & { subset: string; note: string }) | null;
  limitations: string[];
  references: string[];
}

/** What the out-of-distribution check does and how often it fired, in the card's words. */
function oodLimitations(ood: NonNullable<EvaluationReport["ood"]> | null): string[] {
  if (ood === null) return ["This version has no out-of-distribution check: an image unlike its training data (not dermoscopy, another device) is scored like any other; only the image-quality gate and Fitzpatrick V-VI send cases to review."];
  const rates = ood.subsets.map((s) => `${s.name} ${s.rate === null ? "n/a" : pct(s.rate)} (${s.flagged} of ${s.n})`).join(", ");
  return [
    `Out-of-distribution check: Mahalanobis distance of the pooled backbone features to the nearest training class; its threshold flags ${pct(ood.validationFalseAlarmRate)} of validation images. Flagged images go to human review whatever their score. Share flagged: ${rates}. It catches images unlike the training data, not every image the model gets wrong.`,
  ];
}

const interval = (p: ProportionEstimate): Interval & { successes: number; trials: number } => ({
  estimate: p.estimate,
  lower: p.lower,
  upper: p.upper,
  successes: p.successes,
  trials: p.trials,
});

/** The proportion with its lesion-level bootstrap interval when there is one (else the per-image Wilson interval). */
const lesionLevel = (p: ProportionEstimate, bootstrap: BootstrapInterval | null | undefined): Interval & { successes: number; trials: number } =>
  bootstrap == null || bootstrap.lower === null ? interval(p) : { ...interval(p), lower: bootstrap.lower, upper: bootstrap.upper };

function cardSubset(s: SubsetReport): CardSubset {
  return {
    name: s.name,
    description: s.description,
    images: s.n,
    malignant: s.malignant,
    lesions: s.lesions,
    binaryAuc: { estimate: s.binary.auc, lower: s.binary.aucInterval?.lower ?? null, upper: s.binary.aucInterval?.upper ?? null },
    sensitivity: lesionLevel(s.binary.metrics.sensitivity, s.binary.sensitivityInterval),
    specificity: lesionLevel(s.binary.metrics.specificity, s.binary.specificityInterval),
    ppv: interval(s.binary.metrics.ppv),
    npv: interval(s.binary.metrics.npv),
    accuracy7Class: s.multiclass?.accuracy ?? null,
    macroAuc7Class: s.multiclass?.macroAuc ?? null,
    ece: s.binary.ece,
  };
}

export function buildModelCard(metadata: ModelMetadata, preprocessing: Preprocessing, report: EvaluationReport): ModelCard {
  const subsets = [report.test, report.lesionDisjointTest, report.histoTest, report.crossSource ?? null].filter((s): s is SubsetReport => s !== null);
  const cross = report.crossSource ?? null;
  const trainingConfig = (metadata.training.config as Record<string, unknown> | undefined) ?? null;
  const biopsySubset = report.test.biopsy === null ? null : report.test;
  const op = report.threshold;
  return {
    schemaVersion: MODEL_CARD_SCHEMA_VERSION,
    title: `DermFlag lesion classifier ${metadata.version}`,
    model: {
      version: metadata.version,
      createdAt: metadata.createdAt,
      labelMode: metadata.labelMode,
      classes: metadata.classes,
      malignantClasses: metadata.malignantClasses,
      input: describeInput(preprocessing),
      architecture: metadata.architecture,
      trainingConfig,
      code: metadata.code,
      trainingBackend: metadata.backend,
      evaluatedWith: report.backend,
    },
    intendedUse: {
      purpose:
        "A second look before biopsy: for a dermoscopic image of a skin lesion the clinician is already considering, the model estimates P(malignant) and flags lesions at or above the operating threshold for a closer look. It supports, and never replaces, the dermatologist's decision.",
      users: "Dermatologists and supervised dermatology trainees reviewing dermoscopic images in DermFlag.",
      humanOversight:
        "Every case is reviewed by a dermatologist whatever the model says. The model never decides autonomously, never removes a lesion from review, and its output is not a diagnosis. Fitzpatrick V-VI skin always goes to review regardless of the score.",
      notIntendedFor: [
        "Autonomous diagnosis or triage without a dermatologist.",
        "Screening by patients or non-specialists, or use on non-dermoscopic (clinical or phone) photographs.",
        "Deciding not to biopsy a lesion on the model's call alone.",
        "Lesion types outside the seven HAM10000 diagnoses (e.g. mucosal, nail, paediatric-specific lesions).",
        "Suggesting biopsy deferral at a clinic, dermatoscope or population whose own biopsy outcomes have not validated it: accuracy measured here does not transfer by itself (see the cross-source row).",
      ],
    },
    data: {
      source: metadata.data.source,
      counts: metadata.data.counts,
      trainingHash: metadata.data.trainingHash,
      validationHash: metadata.data.validationHash,
      notes: [
        "Channel statistics, weights, epochs and the threshold come from train/val only; the test split is used for this report alone.",
        "HAM10000 (via DermaMNIST) was collected in Austria and Australia and is dominated by light skin; skin type is not recorded.",
      ],
    },
    operatingPoint: {
      threshold: op.value,
      targetSensitivity: op.targetSensitivity,
      howChosen:
        op.chosenOn === "validation"
          ? `The highest P(malignant) threshold whose sensitivity on the validation split is at least ${op.targetSensitivity} (selectOperatingThreshold), then applied unchanged to test.`
          : "Given explicitly (e.g. the threshold stored with the model), not re-chosen for this report.",
      validationSensitivity: op.validation?.sensitivity ?? null,
      validationSpecificity: op.validation?.specificity ?? null,
    },
    performance: subsets.map(cardSubset),
    calibration: {
      note: "Expected calibration error of P(malignant), 10 equal-width bins (0 = perfectly calibrated). Probabilities are not recalibrated after training.",
      eceBySubset: Object.fromEntries(subsets.map((s) => [s.name, s.binary.ece])),
      reliabilityTest: report.test.binary.reliability,
    },
    subgroups: {
      subset: report.test.name,
      sex: report.test.subgroups.sex,
      ageBand: report.test.subgroups.ageBand,
      site: report.test.subgroups.site,
      fitzpatrick: "Not available: HAM10000 does not record Fitzpatrick skin type, so performance on darker skin (V-VI) is unknown; those patients always go to dermatologist review.",
    },
    avoidableBiopsy:
      biopsySubset?.biopsy == null
        ? null
        : {
            subset: biopsySubset.name,
            ...biopsySubset.biopsy,
            note: "Among biopsied (histopathology-confirmed) test lesions: the share of benign ones the model calls likely benign at the threshold (biopsies that might have been deferred), reported with the malignant ones it would have missed. Retrospective; not a recommendation to skip biopsies.",
          },
    limitations: [
      ...(preprocessing.inputSize < 64
        ? [`Input is ${preprocessing.inputSize}x${preprocessing.inputSize} pixels: fine dermoscopic structures (networks, dots, vessels) are mostly lost; the model sees a thumbnail.`]
        : [`Input is ${preprocessing.inputSize}x${preprocessing.inputSize} pixels: finer than a thumbnail, still far below a dermatoscope's resolution.`]),
      ...(cross === null
        ? ["No cross-source check was run for this version: its accuracy on images from other clinics is unknown."]
        : [
            `On images from other sources (${cross.n} images, ${cross.malignant} malignant) P(malignant) AUC is ${cross.binary.auc?.toFixed(3) ?? "n/a"} and, at the validation-chosen threshold, sensitivity ${pct(cross.binary.metrics.sensitivity.estimate)} and specificity ${pct(cross.binary.metrics.specificity.estimate)}: markedly below the same-source figures. A new clinic must validate on its own biopsy outcomes before any deferral suggestion is trusted.`,
          ]),
      ...oodLimitations(report.ood ?? null),
      "Training data is light-skin-dominated (HAM10000: Austria and Australia); Fitzpatrick V-VI patients always go to review.",
      "The official DermaMNIST split is per image, not per lesion: about a third of official test images share a lesion with a training image, which flatters the official-test numbers; the lesion-disjoint rows avoid this.",
      "The threshold was chosen on validation data from the same sources; at a new clinic, camera or population, sensitivity can differ. Re-check it on local biopsy outcomes before relying on it.",
      "Retrospective evaluation on a public dataset; no prospective or multi-site validation.",
      ...(metadata.labelMode === "malignancy" ? ["Trained on benign/malignant labels only: the per-diagnosis probabilities are not meaningful; use P(malignant) only."] : []),
    ],
    references: [
      "Yang et al., MedMNIST v2, Scientific Data 10:41 (2023); data CC BY-NC 4.0.",
      "Tschandl et al., The HAM10000 dataset, Scientific Data 5:180161 (2018); CC BY-NC 4.0.",
    ],
  };
}

function describeInput(preprocessing: Preprocessing): string {
  const { mean, std } = preprocessing.channelStats;
  const fixedScaling = [...mean, ...std].every((v) => v === 0.5);
  const normalisation = fixedScaling ? "scaled to [-1, 1] as the ImageNet backbone expects" : "standardised with training-split channel statistics";
  const cc = preprocessing.colourConstancy ?? { method: "none" as const };
  const colour = cc.method === "none" ? "no colour constancy" : `shades-of-grey colour constancy (p = ${cc.power})`;
  return `${preprocessing.inputSize}x${preprocessing.inputSize} RGB dermoscopy image (centre ${preprocessing.decode.fit} crop, ${preprocessing.decode.kernel} resize), ${colour}, ${normalisation}; test-time augmentation: ${preprocessing.testTimeAugmentation ?? "none"}`;
}

const pct = (v: number | null): string => (v === null ? "n/a" : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null, digits = 3): string => (v === null ? "n/a" : v.toFixed(digits));
const withCi = (i: Interval, format: (v: number | null) => string): string =>
  i.estimate === null ? "n/a" : i.lower === null || i.upper === null ? format(i.estimate) : `${format(i.estimate)} (${format(i.lower)}–${format(i.upper)})`;
const counted = (i: Interval & { successes: number; trials: number }): string => `${withCi(i, pct)} [${i.successes}/${i.trials}]`;

function subgroupTable(title: string, groups: readonly SubgroupMetrics[]): string[] {
  return [
    `| ${title} | images | malignant | AUC | sensitivity (95% CI) | specificity (95% CI) |`,
    "|---|---:|---:|---:|---|---|",
    ...groups.map((g) => `| ${g.group} | ${g.n} | ${g.positives} | ${num(g.auc)} | ${withCi(g.sensitivity, pct)} | ${withCi(g.specificity, pct)} |`),
    "",
  ];
}

export function renderModelCardMarkdown(card: ModelCard): string {
  const lines: string[] = [
    `# ${card.title}`,
    "",
    `Created ${card.model.createdAt}. Code ${card.model.code.gitCommit ?? "(no git)"}${card.model.code.gitDirty ? " (with uncommitted changes)" : ""}, package ${card.model.code.packageVersion}. Trained on ${card.model.trainingBackend.name}${card.model.trainingBackend.isGpu ? " (GPU)" : ""}; evaluated with ${card.model.evaluatedWith}.`,
    "",
    "## Intended use",
    "",
    card.intendedUse.purpose,
    "",
    `**Users:** ${card.intendedUse.users}`,
    "",
    `**Human oversight:** ${card.intendedUse.humanOversight}`,
    "",
    "**Not intended for:**",
    ...card.intendedUse.notIntendedFor.map((x) => `- ${x}`),
    "",
    "## Model",
    "",
    `- Output: probabilities for ${card.model.classes.join(", ")}; P(malignant) = sum over ${card.model.malignantClasses.join(", ")}.`,
    `- Labels trained on: ${card.model.labelMode === "diagnosis" ? "seven HAM10000 diagnoses" : "benign/malignant only"}.`,
    `- Input: ${card.model.input}.`,
    `- Architecture: \`${JSON.stringify(card.model.architecture)}\``,
    `- Training configuration: ${card.model.trainingConfig === null ? "not recorded (older model)" : `\`${JSON.stringify(card.model.trainingConfig)}\``}`,
    "",
    "## Data",
    "",
    `- Source: ${card.data.source}`,
    `- Images: train ${card.data.counts.train}, validation ${card.data.counts.val}, test ${card.data.counts.test}.`,
    `- Training data SHA-256: \`${card.data.trainingHash}\`; validation: \`${card.data.validationHash}\`.`,
    ...card.data.notes.map((n) => `- ${n}`),
    "",
    "## Operating threshold",
    "",
    `P(malignant) >= **${card.operatingPoint.threshold.toFixed(4)}** is flagged. Target sensitivity ${pct(card.operatingPoint.targetSensitivity)}. ${card.operatingPoint.howChosen} On validation: sensitivity ${pct(card.operatingPoint.validationSensitivity)}, specificity ${pct(card.operatingPoint.validationSpecificity)}.`,
    "",
    "## Performance (95% intervals: bootstrap over lesions for AUC, sensitivity and specificity; Wilson for PPV and NPV)",
    "",
    "| subset | images (malignant) | lesions | AUC P(malignant) | sensitivity | specificity | PPV | NPV | 7-class accuracy | 7-class macro AUC | ECE |",
    "|---|---:|---:|---|---|---|---|---|---:|---:|---:|",
    ...card.performance.map(
      (s) =>
        `| ${s.name} | ${s.images} (${s.malignant}) | ${s.lesions} | ${withCi(s.binaryAuc, (v) => num(v))} | ${counted(s.sensitivity)} | ${counted(s.specificity)} | ${withCi(s.ppv, pct)} | ${withCi(s.npv, pct)} | ${pct(s.accuracy7Class)} | ${num(s.macroAuc7Class)} | ${num(s.ece)} |`,
    ),
    "",
    ...card.performance.map((s) => `- **${s.name}**: ${s.description}`),
    "",
    "## Calibration",
    "",
    card.calibration.note,
    "",
    "| P(malignant) bin | images | mean predicted | observed malignant |",
    "|---|---:|---:|---:|",
    ...card.calibration.reliabilityTest.map((b) => `| ${b.lower.toFixed(1)}–${b.upper.toFixed(1)} | ${b.count} | ${num(b.meanPredicted)} | ${num(b.observedFraction)} |`),
    "",
    `## Subgroups (${card.subgroups.subset}, at the operating threshold)`,
    "",
    ...subgroupTable("sex", card.subgroups.sex),
    ...subgroupTable("age band", card.subgroups.ageBand),
    ...subgroupTable("body site", card.subgroups.site),
    `**Fitzpatrick skin type:** ${card.subgroups.fitzpatrick}`,
    "",
    "## Avoidable biopsies",
    "",
  ];
  const b = card.avoidableBiopsy;
  if (b === null) {
    lines.push("No biopsied (histopathology-confirmed) test images: not computed.", "");
  } else {
    lines.push(
      b.note,
      "",
      "| counted per | benign biopsied | called likely benign (avoidable rate, 95% CI) | malignant biopsied | missed (rate, 95% CI) |",
      "|---|---:|---|---:|---|",
      ...(["perImage", "perLesion"] as const).map((k) => {
        const s = b[k];
        return `| ${k === "perImage" ? "image" : "lesion"} | ${s.benignBiopsied} | ${s.benignCalledLikelyBenign} (${withCi(s.avoidableRate, pct)}) | ${s.malignantBiopsied} | ${s.malignantMissed} (${withCi(s.missedRate, pct)}) |`;
      }),
      "",
    );
  }
  lines.push("## Limitations", "", ...card.limitations.map((x) => `- ${x}`), "", "## References", "", ...card.references.map((x) => `- ${x}`), "");
  return lines.join("\n");
}
