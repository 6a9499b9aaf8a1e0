/**
 * Promotion gates, decided once here: a candidate may replace the active model only if, on the locked test set,
 * (1) its sensitivity at its own operating threshold reaches the target, and (2) its AUC is not below the active
 * model's by more than the tolerance. An admin may override a failed gate, with a reason (audited).
 */
export interface GateInputs {
  targetSensitivity: number;
  aucTolerance: number;
  candidate: { sensitivity: number | null; auc: number | null };
  /** The active model on the same cases; null when no model is active yet. */
  active: { version: string; auc: number | null } | null;
}

export interface GateCheck {
  name: "sensitivity" | "auc";
  passed: boolean;
  detail: string;
}

export interface GateResults {
  passed: boolean;
  checks: GateCheck[];
  /** The model that was active when the gates were computed (null: none); stale once another one is active. */
  comparedWith?: string | null;
}

export const DEFAULT_AUC_TOLERANCE = 0.01;

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
  return { passed: checks.every((check) => check.passed), checks, comparedWith: active?.version ?? null };
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
