"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { errorText } from "../../_trpc/error-text";
import { useTRPC } from "../../_trpc/provider";

interface Proportion {
  estimate: number | null;
  lower: number | null;
  upper: number | null;
  successes: number;
  trials: number;
}

export interface LocalValidationView {
  model: { id: string; version: string; deferralStatus: "SHADOW" | "ENABLED" | "SUSPENDED"; deferralReason: string | null };
  validation: {
    threshold: number;
    criteria: { version: number };
    malignantLesions: number;
    benignLesions: number;
    scoredAfterOutcome: number;
    seenInTraining: number;
    sensitivity: Proportion;
    specificity: Proportion;
    proposedThreshold: { value: number; sensitivity: Proportion; specificity: Proportion } | null;
    criteriaMet: boolean;
    checks: { name: string; passed: boolean; detail: string }[];
  };
}

const STATUS_TEXT = {
  SHADOW: "Shadow mode (model in local validation): flags show, no deferral is suggested.",
  ENABLED: "Deferral suggestions on: the model met the local acceptance criteria and an admin switched them on.",
  SUSPENDED: "Deferral suggestions suspended: no deferral is suggested until an admin switches them on again.",
};

const pct = (v: number | null) => (v === null ? "n/a" : `${(100 * v).toFixed(1)}%`);
const withCi = (p: Proportion) => `${pct(p.estimate)} (${pct(p.lower)}–${pct(p.upper)}) [${p.successes}/${p.trials}]`;

/** The active model at this clinic: deferral status, the local evidence against the pre-specified criteria, the switch. */
export function LocalValidationPanel({ data, canManage }: { data: LocalValidationView; canManage: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [reason, setReason] = useState("");
  const enable = useMutation(trpc.safety.enableDeferral.mutationOptions({ onSuccess: () => router.refresh() }));
  const suspend = useMutation(trpc.safety.suspendDeferral.mutationOptions({ onSuccess: () => router.refresh() }));
  const { model, validation: v } = data;
  return (
    <section aria-labelledby="local-validation-heading" className="mb-8 rounded-xl border border-slate-200 bg-white p-4" data-testid="local-validation">
      <h2 id="local-validation-heading" className="text-lg font-semibold">
        Local validation of {model.version}
      </h2>
      <p className="mt-1 text-sm" data-testid="deferral-status">
        <strong>{model.deferralStatus}</strong>: {STATUS_TEXT[model.deferralStatus]}
        {model.deferralReason ? ` (${model.deferralReason})` : ""}
      </p>
      <p className="mt-2 text-sm text-slate-600">
        This clinic&apos;s biopsy-confirmed lesions, one case per lesion (its most suspicious image), counting only scores made before the result
        was recorded{v.scoredAfterOutcome > 0 ? `; ${v.scoredAfterOutcome} lesions scored only afterwards are left out` : ""}
        {v.seenInTraining > 0 ? `; ${v.seenInTraining} lesions the model was trained on are left out` : ""}. Acceptance criteria
        version {v.criteria.version}.
      </p>
      <table className="mt-3 text-sm">
        <tbody>
          {v.checks.map((check) => (
            <tr key={check.name} data-testid="local-check">
              <td className="pr-3">{check.passed ? "✓" : "✗"}</td>
              <td className="pr-3">{check.name}</td>
              <td className="tabular-nums">{check.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="mt-3 text-sm">
        At the threshold {v.threshold.toFixed(4)}: sensitivity {withCi(v.sensitivity)}, specificity {withCi(v.specificity)}.
      </p>
      {v.proposedThreshold ? (
        <p className="mt-1 text-sm text-slate-700">
          Local threshold proposal (target sensitivity on local lesions): {v.proposedThreshold.value.toFixed(4)}, sensitivity{" "}
          {withCi(v.proposedThreshold.sensitivity)}, specificity {withCi(v.proposedThreshold.specificity)}.
        </p>
      ) : null}
      {canManage ? (
        <form
          className="mt-4 flex flex-wrap items-end gap-3"
          onSubmit={(event) => {
            event.preventDefault();
            const input = { modelVersionId: model.id, reason };
            if (model.deferralStatus === "ENABLED") suspend.mutate(input);
            else enable.mutate(input);
          }}
        >
          <label className="flex-1 text-sm">
            Reason
            <input value={reason} onChange={(e) => setReason(e.target.value)} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5" aria-label="Deferral change reason" />
          </label>
          <button
            type="submit"
            disabled={reason.trim() === "" || enable.isPending || suspend.isPending || (model.deferralStatus !== "ENABLED" && !v.criteriaMet)}
            className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50"
          >
            {model.deferralStatus === "ENABLED" ? "Suspend deferral suggestions" : "Switch deferral suggestions on"}
          </button>
          {enable.error ? <p className="w-full text-sm text-red-700">{errorText(enable.error)}</p> : null}
          {suspend.error ? <p className="w-full text-sm text-red-700">{errorText(suspend.error)}</p> : null}
        </form>
      ) : null}
    </section>
  );
}
