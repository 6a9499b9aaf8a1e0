"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { PromotionRequestsView } from "@/server/services/models/schemas";
import { errorText } from "../../_trpc/error-text";
import { formatDateTime } from "../_clinical/format";
import { useTRPC } from "../../_trpc/provider";

type Request = PromotionRequestsView["pending"][number];

const when = (date: Date | null) => (date ? formatDateTime(date) : "");

function gateText(request: Request) {
  return request.gatesPassed ? "passed the promotion gates" : `gates failed (${request.gateVerdict}); override: ${request.overrideReason ?? ""}`;
}

/** One pending request: a different admin approves or rejects it; its requester may only withdraw it. */
function PendingRequest({ request, currentUserId, canManage }: { request: Request; currentUserId: string; canManage: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [reason, setReason] = useState("");
  const approve = useMutation(trpc.models.approvePromotion.mutationOptions({ onSuccess: () => router.refresh() }));
  const reject = useMutation(trpc.models.rejectPromotion.mutationOptions({ onSuccess: () => router.refresh() }));
  const own = request.requestedById === currentUserId;
  const error = errorText(approve.error) ?? errorText(reject.error);
  return (
    <li className="rounded-lg border border-amber-200 bg-amber-50 p-3 text-sm" data-testid={`promotion-request-${request.modelVersion.version}`}>
      <p>
        <strong className="font-mono">{request.modelVersion.version}</strong>: promotion requested by <strong>{request.requestedBy.name}</strong> on{" "}
        {when(request.requestedAt)}, {gateText(request)}; active then: {request.activeVersionAtRequest ?? "none"}.
      </p>
      {canManage ? (
        <div className="mt-2 flex flex-wrap items-end gap-2">
          {own ? (
            <span className="text-xs text-slate-600">You requested it: a different admin must approve it.</span>
          ) : (
            <button
              type="button"
              onClick={() => approve.mutate({ promotionRequestId: request.id })}
              disabled={approve.isPending || reject.isPending}
              className="rounded-md bg-emerald-700 px-3 py-1 text-xs font-medium text-white hover:bg-emerald-800 disabled:opacity-50"
            >
              Approve promotion
            </button>
          )}
          <label className="text-xs">
            {own ? "Withdraw: reason" : "Reject: reason"}
            <input
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              className="ml-1 w-56 rounded-md border border-slate-300 px-2 py-1"
              aria-label={`Reason to reject the promotion of ${request.modelVersion.version}`}
            />
          </label>
          <button
            type="button"
            onClick={() => reject.mutate({ promotionRequestId: request.id, reason })}
            disabled={reason.trim() === "" || approve.isPending || reject.isPending}
            className="rounded-md border border-slate-300 px-3 py-1 text-xs hover:bg-slate-100 disabled:opacity-50"
          >
            {own ? "Withdraw" : "Reject"}
          </button>
          {error ? <p className="w-full text-xs text-red-700">{error}</p> : null}
        </div>
      ) : null}
    </li>
  );
}

/** Four-eyes promotion: pending requests (approve / reject) and the latest decisions. */
export function PromotionRequestsPanel({ data, currentUserId, canManage }: { data: PromotionRequestsView; currentUserId: string; canManage: boolean }) {
  if (data.pending.length === 0 && data.decided.length === 0) return null;
  return (
    <section aria-labelledby="promotion-requests-heading" className="mb-8 rounded-xl border border-slate-200 bg-white p-4" data-testid="promotion-requests">
      <h2 id="promotion-requests-heading" className="text-lg font-semibold">
        Promotion requests
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        A promotion takes two admins: one requests it, a different one approves it. A request becomes void when another model becomes
        active meanwhile. Roll back needs one admin.
      </p>
      {data.pending.length > 0 ? (
        <ul className="mt-3 space-y-2">
          {data.pending.map((request) => (
            <PendingRequest key={request.id} request={request} currentUserId={currentUserId} canManage={canManage} />
          ))}
        </ul>
      ) : (
        <p className="mt-3 text-sm">No pending request.</p>
      )}
      {data.decided.length > 0 ? (
        <table className="mt-4 w-full text-left text-xs" data-testid="promotion-decisions">
          <thead className="text-slate-500">
            <tr>
              <th className="py-1 pr-3">Version</th>
              <th className="py-1 pr-3">Requested by</th>
              <th className="py-1 pr-3">Outcome</th>
              <th className="py-1 pr-3">Decided by</th>
              <th className="py-1 pr-3">Reason</th>
            </tr>
          </thead>
          <tbody>
            {data.decided.map((request) => (
              <tr key={request.id} className="border-t border-slate-100">
                <td className="py-1 pr-3 font-mono">{request.modelVersion.version}</td>
                <td className="py-1 pr-3">
                  {request.requestedBy.name}, {when(request.requestedAt)}
                </td>
                <td className="py-1 pr-3">{request.status}</td>
                <td className="py-1 pr-3">{request.decidedBy ? `${request.decidedBy.name}, ${when(request.decidedAt)}` : when(request.decidedAt)}</td>
                <td className="py-1 pr-3">{request.decisionReason ?? (request.overrideReason ? `override: ${request.overrideReason}` : "")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
