"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { errorText } from "../../_trpc/error-text";
import { useTRPC } from "../../_trpc/provider";

export interface SafetyEventItem {
  id: string;
  kind: "CALLED_LIKELY_BENIGN" | "DEFERRED";
  createdAt: Date | string;
  pMalignant: number | null;
  threshold: number | null;
  modelVersion: { version: string } | null;
  outcome: { histopathologyDiagnosis: string; reportDate: Date | string; retractedAt: Date | string | null; retractionReason: string | null };
  lesion: { id: string; label: string; bodySite: string; patient: { mrn: string } };
}

const KIND_TEXT: Record<SafetyEventItem["kind"], string> = {
  CALLED_LIKELY_BENIGN: "flagged likely benign by the model",
  DEFERRED: "biopsy deferred by a reviewer",
};

const pct = (v: number | null) => (v === null ? "n/a" : `${(100 * v).toFixed(1)}%`);

/**
 * Unacknowledged safety events: malignant results on lesions the model called likely benign or a reviewer deferred.
 * Shown at the top of the queue and on the dashboard until a clinician acknowledges each one with a note.
 */
export function SafetyEventsPanel({ events, canAcknowledge }: { events: SafetyEventItem[]; canAcknowledge: boolean }) {
  if (events.length === 0) return null;
  return (
    <section aria-labelledby="safety-events-heading" className="mb-6 rounded-xl border-2 border-red-600 bg-red-50 p-4" data-testid="safety-events">
      <h2 id="safety-events-heading" className="text-lg font-semibold text-red-900">
        Safety events: {events.length} malignant result{events.length === 1 ? "" : "s"} the model or a deferral would have missed
      </h2>
      <ul className="mt-3 space-y-3">
        {events.map((event) => (
          <li key={event.id} className="rounded-lg border border-red-200 bg-white p-3 text-sm" data-testid="safety-event">
            <p>
              <span className="font-mono">{event.lesion.patient.mrn}</span>{" "}
              <Link href={`/lesions/${event.lesion.id}`} className="text-sky-800 underline underline-offset-2">
                {event.lesion.label}, {event.lesion.bodySite}
              </Link>
              : histopathology <strong>{event.outcome.histopathologyDiagnosis}</strong> (malignant), {KIND_TEXT[event.kind]}
              {event.modelVersion ? ` (model ${event.modelVersion.version}, P(malignant) ${pct(event.pMalignant)} vs threshold ${pct(event.threshold)})` : ""}.
            </p>
            {event.outcome.retractedAt ? (
              <p className="mt-1 text-amber-900" data-testid="safety-event-result-corrected">
                This result was amended or retracted since ({event.outcome.retractionReason}): the event stays until a clinician acknowledges it.
              </p>
            ) : null}
            {canAcknowledge ? <AcknowledgeForm safetyEventId={event.id} /> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function AcknowledgeForm({ safetyEventId }: { safetyEventId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [note, setNote] = useState("");
  const acknowledge = useMutation(trpc.safety.acknowledge.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <form
      className="mt-2 flex flex-wrap items-end gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        acknowledge.mutate({ safetyEventId, note });
      }}
    >
      <label className="flex-1 text-xs">
        What was done (patient recalled, case reviewed...)
        <input value={note} onChange={(e) => setNote(e.target.value)} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1" />
      </label>
      <button type="submit" disabled={acknowledge.isPending || note.trim() === ""} className="rounded-md bg-red-700 px-3 py-1 text-xs font-medium text-white disabled:opacity-50">
        Acknowledge
      </button>
      {acknowledge.error ? <p className="w-full text-xs text-red-700">{errorText(acknowledge.error)}</p> : null}
    </form>
  );
}
