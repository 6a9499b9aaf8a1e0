"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "../../_trpc/provider";

interface Props {
  modelVersionId: string;
  version: string;
  status: string;
  gatesPassed: boolean;
  rollBackOnly?: boolean;
}

export function ModelActions({ modelVersionId, version, status, gatesPassed, rollBackOnly }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const [reason, setReason] = useState("");
  const promote = useMutation(trpc.models.promote.mutationOptions({ onSuccess: () => router.refresh() }));
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
        <button type="submit" disabled={rollBack.isPending} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">
          Roll back
        </button>
        {rollBack.error ? <p className="text-sm text-red-700">{rollBack.error.message}</p> : null}
      </form>
    );
  }
  if (status === "ACTIVE") return <span className="text-xs text-slate-500">In use</span>;
  return (
    <form
      className="space-y-1"
      aria-label={`Promote ${version}`}
      onSubmit={(event) => {
        event.preventDefault();
        promote.mutate({ modelVersionId, overrideReason: gatesPassed ? null : reason });
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
        disabled={promote.isPending || (!gatesPassed && reason.trim().length === 0)}
        className="rounded-md bg-sky-700 px-3 py-1 text-xs font-medium text-white hover:bg-sky-800 disabled:opacity-50"
      >
        {gatesPassed ? "Promote" : "Promote with override"}
      </button>
      {promote.error ? <p className="text-xs text-red-700">{promote.error.message}</p> : null}
    </form>
  );
}
