"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { OperatingPointsView } from "@/server/services/models/schemas";
import { errorText } from "../../_trpc/error-text";
import { formatDateTime } from "../_clinical/format";
import { useTRPC } from "../../_trpc/provider";

const SOURCE_TEXT = {
  VALIDATION: "validation threshold (chosen on the model's validation data)",
  LOCAL: "local threshold (this clinic's biopsy-confirmed lesions)",
};

const pct = (v: number | null) => (v === null ? "n/a" : `${(100 * v).toFixed(1)}%`);

interface Props {
  model: { id: string; version: string };
  points: OperatingPointsView;
  /** The local threshold proposal of local validation, when there is one. */
  proposal: number | null;
  canManage: boolean;
}

/**
 * The active model's operating point at this deployment: the version in force, its history (never edited), and the
 * admin's choice to adopt the local threshold proposal or go back to the validation threshold (each a new version).
 */
export function OperatingPointPanel({ model, points, proposal, canManage }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const [reason, setReason] = useState("");
  const done = () => {
    setReason("");
    router.refresh();
  };
  const adopt = useMutation(trpc.models.adoptLocalThreshold.mutationOptions({ onSuccess: done }));
  const revert = useMutation(trpc.models.revertOperatingPoint.mutationOptions({ onSuccess: done }));
  const current = points[0];
  if (!current) return null;
  const error = errorText(adopt.error) ?? errorText(revert.error);
  const busy = adopt.isPending || revert.isPending;
  const canAdopt = proposal !== null && Math.abs(proposal - current.threshold) > 1e-9;
  return (
    <section aria-labelledby="operating-point-heading" className="mb-8 rounded-xl border border-slate-200 bg-white p-4" data-testid="operating-point">
      <h2 id="operating-point-heading" className="text-lg font-semibold">
        Operating point of {model.version}
      </h2>
      <p className="mt-1 text-sm" data-testid="operating-point-in-force">
        In force: threshold <strong className="tabular-nums">{current.threshold.toFixed(4)}</strong>, version {current.version}, the{" "}
        {SOURCE_TEXT[current.source]}. New predictions record it; open flags are recomputed at it.
      </p>
      <table className="mt-3 w-full text-left text-xs" data-testid="operating-point-history">
        <thead className="text-slate-500">
          <tr>
            <th className="py-1 pr-3">Version</th>
            <th className="py-1 pr-3">Threshold</th>
            <th className="py-1 pr-3">Source</th>
            <th className="py-1 pr-3">Adopted</th>
            <th className="py-1 pr-3">Reason</th>
            <th className="py-1 pr-3">Local evidence then</th>
          </tr>
        </thead>
        <tbody>
          {points.map((point) => (
            <tr key={point.version} className="border-t border-slate-100" data-testid="operating-point-row">
              <td className="py-1 pr-3">{point.version}</td>
              <td className="py-1 pr-3 tabular-nums">{point.threshold.toFixed(4)}</td>
              <td className="py-1 pr-3">{point.source}</td>
              <td className="py-1 pr-3">
                {formatDateTime(point.adoptedAt)}
                {point.adoptedBy ? `, ${point.adoptedBy.name}` : ""}
              </td>
              <td className="py-1 pr-3">{point.reason}</td>
              <td className="py-1 pr-3">
                {point.evidence
                  ? `${point.evidence.malignantLesions} malignant / ${point.evidence.benignLesions} benign lesions; sensitivity ${pct(point.evidence.sensitivity.estimate)} (${pct(point.evidence.sensitivity.lower)}–${pct(point.evidence.sensitivity.upper)}); criteria v${point.evidence.criteriaVersion}`
                  : "–"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {canManage ? (
        <div className="mt-4 flex flex-wrap items-end gap-3">
          <label className="flex-1 text-sm">
            Reason
            <input
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5"
              aria-label="Operating point change reason"
            />
          </label>
          {canAdopt ? (
            <button
              type="button"
              disabled={busy || reason.trim() === ""}
              onClick={() => adopt.mutate({ modelVersionId: model.id, expectedThreshold: proposal, reason })}
              className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50"
            >
              Adopt local threshold {proposal.toFixed(4)}
            </button>
          ) : null}
          {current.source === "LOCAL" ? (
            <button
              type="button"
              disabled={busy || reason.trim() === ""}
              onClick={() => revert.mutate({ modelVersionId: model.id, reason })}
              className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100 disabled:opacity-50"
            >
              Revert to the validation threshold
            </button>
          ) : null}
          {error ? <p className="w-full text-sm text-red-700">{error}</p> : null}
          {adopt.data?.deferralSuspended || revert.data?.deferralSuspended ? (
            <p className="w-full text-sm text-amber-800">Deferral suggestions were suspended: the local criteria do not hold at the new threshold.</p>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
