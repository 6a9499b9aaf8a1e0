"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { errorText } from "../../_trpc/error-text";
import { useTRPC } from "../../_trpc/provider";

interface Props {
  modelVersionId: string;
  version: string;
  status: string;
  gatesPassed: boolean;
  /** Who asked to promote this version, when a request is pending (approved or rejected in the requests panel). */
  pendingRequestBy: string | null;
  rollBackOnly?: boolean;
}

/**
 * Per model: request its promotion (the first step of four-eyes: a different admin approves it in the requests
 * panel). Roll back: one admin, one action, the safety escape hatch.
 */
export function ModelActions({ modelVersionId, version, status, gatesPassed, pendingRequestBy, rollBackOnly }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const [reason, setReason] = useState("");
  const request = useMutation(trpc.models.requestPromotion.mutationOptions({ onSuccess: () => router.refresh() }));
  const rollBack = useMutation(trpc.models.rollBack.mutationOptions({ onSuccess: () => router.refresh() }));

  if (rollBackOnly) {
    return (
      <form
        className="mt-6 flex items-end gap-3 rounded-xl border border-slate-200 bg-white p-4"
        onSubmit={(event) => {
          event.preventDefault();
          rollBack.mutate({ reason });
        }}
      >
        <label className="flex-1 text-sm">
          Roll back to the previous model: reason
          <input value={reason} onChange={(e) => setReason(e.target.value)} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5" />
        </label>
        <button
          type="submit"
          disabled={rollBack.isPending || reason.trim() === ""}
          className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100 disabled:opacity-50"
        >
          Roll back
        </button>
        {rollBack.error ? <p className="text-sm text-red-700">{errorText(rollBack.error)}</p> : null}
      </form>
    );
  }
  if (status === "ACTIVE") return <span className="text-xs text-slate-500">In use</span>;
  if (pendingRequestBy) return <span className="text-xs text-amber-800">Promotion requested by {pendingRequestBy}: waiting for a second admin</span>;
  return (
    <form
      className="space-y-1"
      aria-label={`Request promotion of ${version}`}
      onSubmit={(event) => {
        event.preventDefault();
        request.mutate({ modelVersionId, overrideReason: gatesPassed ? null : reason });
      }}
    >
      {gatesPassed ? null : (
        <label className="block text-xs">
          Override reason (gates failed)
          <input value={reason} onChange={(e) => setReason(e.target.value)} className="mt-1 w-40 rounded-md border border-slate-300 px-2 py-1" />
        </label>
      )}
      <button
        type="submit"
        disabled={request.isPending || (!gatesPassed && reason.trim().length === 0)}
        className="rounded-md bg-sky-700 px-3 py-1 text-xs font-medium text-white hover:bg-sky-800 disabled:opacity-50"
      >
        {gatesPassed ? "Request promotion" : "Request promotion with override"}
      </button>
      <p className="text-xs text-slate-500">A second admin approves it.</p>
      {request.error ? <p className="text-xs text-red-700">{errorText(request.error)}</p> : null}
    </form>
  );
}
