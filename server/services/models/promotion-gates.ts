/**
 * Promotion gates, decided once here: a candidate may replace the active model only if, on the locked test set,
 * (1) its sensitivity at its own operating threshold reaches the target, (2) its AUC is not below the active
 * model's by more than the tolerance, (3) its calibration (ECE) is not worse by more than a tolerance, (4) at the
 * target sensitivity it avoids at least about as many benign biopsies as the active model, and (5) it was trained on
 * at least a minimum of confirmed images. Every comparison is on the same cases. A figure that cannot be measured
 * fails its gate. An admin may override a failed gate, with a reason (audited).
 */
import { z } from "zod";

export interface GateInputs {
  targetSensitivity: number;
  aucTolerance: number;
  candidate: {
    sensitivity: number | null;
    auc: number | null;
    /** Expected calibration error of P(malignant); undefined = gate not applied (older callers). */
    ece?: number | null;
    /** Share of biopsied benign lesions called likely benign at the threshold. */
    avoidableBiopsyRate?: number | null;
    trainingImages?: number | null;
  };
  /** The active model on the same cases; null when no model is active yet. */
  active: { version: string; auc: number | null; ece?: number | null; avoidableBiopsyRate?: number | null } | null;
}

export const GATE_NAMES = ["sensitivity", "auc", "calibration", "avoidable-biopsy", "training-data"] as const;

export const gateCheckSchema = z.object({ name: z.enum(GATE_NAMES), passed: z.boolean(), detail: z.string() });
export type GateCheck = z.infer<typeof gateCheckSchema>;

/** ModelVersion.gateResults as evaluatePromotionGates writes it; every read of the column goes through readGateResults. */
export const gateResultsSchema = z.object({
  passed: z.boolean(),
  checks: z.array(gateCheckSchema),
  /** The model that was active when the gates were computed (null: none); stale once another one is active. */
  comparedWith: z.string().nullable().optional(),
});
export type GateResults = z.infer<typeof gateResultsSchema>;

/** The stored column (JSON, null before gates were computed), parsed: a malformed row fails loudly, not as "passed". */
export function readGateResults(column: unknown): GateResults | null {
  return gateResultsSchema.nullable().parse(column);
}

export const DEFAULT_AUC_TOLERANCE = 0.01;
/** ECE may be at most this much higher than the active model's (or this above 0.05 when none is active). */
export const ECE_TOLERANCE = 0.02;
/** The avoidable-biopsy rate may be at most this much lower than the active model's. */
export const AVOIDABLE_BIOPSY_TOLERANCE = 0.02;
/** A model trained on fewer confirmed images is not a candidate for clinical use, whatever its test figures. */
export const MIN_TRAINING_IMAGES = 500;

const pct = (value: number) => `${(100 * value).toFixed(1)}%`;

export function evaluatePromotionGates(inputs: GateInputs): GateResults {
  const { candidate, active, targetSensitivity, aucTolerance } = inputs;
  const sensitivityPassed = candidate.sensitivity !== null && candidate.sensitivity >= targetSensitivity;
  const checks: GateCheck[] = [
    {
      name: "sensitivity",
      passed: sensitivityPassed,
      detail:
        candidate.sensitivity === null
          ? "Sensitivity could not be measured (no malignant cases in the test set)."
          : `Sensitivity at the threshold ${pct(candidate.sensitivity)} (target ${pct(targetSensitivity)}).`,
    },
  ];
  if (active === null) {
    checks.push({ name: "auc", passed: candidate.auc !== null, detail: candidate.auc === null ? "AUC could not be measured." : `AUC ${candidate.auc.toFixed(3)}; no active model to compare with.` });
  } else if (active.auc === null || candidate.auc === null) {
    checks.push({ name: "auc", passed: false, detail: "AUC could not be measured for both models on the same cases." });
  } else {
    const floor = active.auc - aucTolerance;
    checks.push({
      name: "auc",
      passed: candidate.auc >= floor,
      detail: `AUC ${candidate.auc.toFixed(3)} vs active ${active.version} ${active.auc.toFixed(3)} (may be at most ${aucTolerance.toFixed(3)} lower).`,
    });
  }
  checks.push(...extendedChecks(inputs));
  return { passed: checks.every((check) => check.passed), checks, comparedWith: active?.version ?? null };
}

function extendedChecks({ candidate, active }: GateInputs): GateCheck[] {
  const checks: GateCheck[] = [];
  if (candidate.ece !== undefined) {
    const ceiling = active?.ece == null ? 0.05 + ECE_TOLERANCE : active.ece + ECE_TOLERANCE;
    checks.push({
      name: "calibration",
      passed: candidate.ece !== null && (active === null || active.ece !== null) && candidate.ece <= ceiling,
      detail:
        candidate.ece === null || (active !== null && active.ece === null)
          ? "Calibration (ECE) could not be measured for both models on the same cases."
          : `ECE ${candidate.ece.toFixed(3)} (at most ${ceiling.toFixed(3)}${active ? `: active ${active.version} ${active.ece!.toFixed(3)} + ${ECE_TOLERANCE}` : ""}).`,
    });
  }
  if (candidate.avoidableBiopsyRate !== undefined && active !== null && active.avoidableBiopsyRate !== undefined) {
    const measured = candidate.avoidableBiopsyRate !== null && active.avoidableBiopsyRate !== null;
    checks.push({
      name: "avoidable-biopsy",
      passed: measured && candidate.avoidableBiopsyRate! >= active.avoidableBiopsyRate! - AVOIDABLE_BIOPSY_TOLERANCE,
      detail: measured
        ? `Avoidable benign biopsies ${pct(candidate.avoidableBiopsyRate!)} vs active ${active.version} ${pct(active.avoidableBiopsyRate!)} (may be at most ${pct(AVOIDABLE_BIOPSY_TOLERANCE)} lower).`
        : "The avoidable-biopsy rate could not be measured for both models (no biopsied test lesions).",
    });
  }
  if (candidate.trainingImages !== undefined) {
    checks.push({
      name: "training-data",
      passed: candidate.trainingImages !== null && candidate.trainingImages >= MIN_TRAINING_IMAGES,
      detail: `Trained on ${candidate.trainingImages ?? "an unknown number of"} confirmed images (at least ${MIN_TRAINING_IMAGES}).`,
    });
  }
  return checks;
}

/**
 * Gates computed against a model that is no longer the active one say nothing about the comparison that matters
 * now: they count as failed (a new evaluation, or an override with a reason, is needed).
 */
export function gatesStillHold(gates: GateResults | null, activeVersion: string | null): { passed: boolean; reason: string | null } {
  if (!gates) return { passed: false, reason: "no promotion gates were computed" };
  if (gates.comparedWith !== undefined && gates.comparedWith !== activeVersion) {
    return { passed: false, reason: `its gates compared it with ${gates.comparedWith ?? "no active model"}, but ${activeVersion ?? "no model"} is active now` };
  }
  return { passed: gates.passed, reason: gates.passed ? null : "it did not pass the promotion gates" };
}
