import Link from "next/link";
import type { LesionRecord, LesionTimelineEvent } from "@/server/services/clinical/lesion-record";
import { diagnosisLabel } from "@/server/services/clinical/vocabulary";
import { DECISION_LABELS } from "@/server/services/review/schemas";
import { formatDate, formatDateTime, IMPRESSION_LABELS, PLAN_LABELS } from "../../_clinical/format";
import { FLAG_KIND_LABELS } from "../../_review/flag-kind";
import { formatPercent } from "../../_review/probability";

const STATUS_LABELS = { OPEN: "open", DECIDED: "decided", CLOSED: "closed by the result", SUPERSEDED: "superseded" } as const;

function Standing({ event }: { event: Extract<LesionTimelineEvent, { type: "DECISION" | "OUTCOME" }> }) {
  if (!event.retraction) return null;
  return (
    <p className="mt-1 rounded border border-amber-300 bg-amber-50 px-2 py-1 text-xs text-amber-900" data-testid="record-correction">
      {event.standing === "AMENDED" ? "Amended" : "Retracted"} by {event.retraction.by} on {formatDateTime(event.retraction.at)}: {event.retraction.reason}
    </p>
  );
}

function EventBody({ event }: { event: LesionTimelineEvent }) {
  switch (event.type) {
    case "ASSESSMENT":
      return (
        <p>
          <span className="font-semibold">Assessment</span> by {event.by}: {IMPRESSION_LABELS[event.impression]}, plan {PLAN_LABELS[event.plan].toLowerCase()}
          {event.note ? ` · ${event.note}` : ""}
        </p>
      );
    case "FLAG":
      return (
        <p>
          <span className="font-semibold">Flag</span>{" "}
          <Link href={`/review/${event.id}`} className="text-sky-700 underline">
            {FLAG_KIND_LABELS[event.kind]}
          </Link>{" "}
          ({STATUS_LABELS[event.status]}) · P(malignant) {formatPercent(event.pMalignant)} against {formatPercent(event.threshold)}
          {event.modelVersion ? ` · model ${event.modelVersion}` : ""}
          {event.secondReadRequestedBy ? ` · second read asked for by ${event.secondReadRequestedBy}` : ""}
        </p>
      );
    case "DECISION":
      return (
        <>
          <p className={event.standing === "CURRENT" ? "" : "text-slate-500 line-through"}>
            <span className="font-semibold">Decision</span> by {event.by}: {DECISION_LABELS[event.decision]}
            {event.followUpDate ? `, follow-up ${formatDate(event.followUpDate)}` : ""}
            {event.reason ? ` · ${event.reason}` : ""} ·{" "}
            <Link href={`/review/${event.flagId}`} className="text-sky-700 underline">
              review
            </Link>
          </p>
          <Standing event={event} />
        </>
      );
    case "OUTCOME":
      return (
        <>
          <p className={event.standing === "CURRENT" ? "" : "text-slate-500 line-through"}>
            <span className="font-semibold">Result</span>: {diagnosisLabel(event.histopathologyDiagnosis)} ({event.malignant ? "malignant" : "benign"}), report{" "}
            {formatDate(event.reportDate)}
            {event.by ? `, entered by ${event.by}` : ", imported"}
          </p>
          <Standing event={event} />
        </>
      );
  }
}

/**
 * The lesion's record: what the model said of each image (every prediction, under every model version), and one
 * timeline of assessments, flags, decisions and results, amended and retracted ones kept and marked.
 */
export function LesionRecordView({ record }: { record: LesionRecord }) {
  const scored = record.images.filter((image) => image.predictions.length > 0);
  return (
    <section aria-labelledby="record-heading" id="record" className="mb-8 space-y-6">
      <h2 id="record-heading" className="text-lg font-semibold">
        Record and history
      </h2>
      <div>
        <h3 className="mb-2 font-semibold">What the model said</h3>
        {scored.length === 0 ? (
          <p className="text-sm text-slate-600">No image of this lesion has been scored yet.</p>
        ) : (
          <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
            <table className="w-full text-left text-sm" data-testid="prediction-table">
              <caption className="sr-only">Predictions per image</caption>
              <thead className="bg-slate-100 text-slate-600">
                <tr>
                  <th scope="col" className="px-3 py-2">Image</th>
                  <th scope="col" className="px-3 py-2">Model version</th>
                  <th scope="col" className="px-3 py-2 text-right">P(malignant)</th>
                  <th scope="col" className="px-3 py-2 text-right">Threshold</th>
                  <th scope="col" className="px-3 py-2">Backend</th>
                  <th scope="col" className="px-3 py-2">Scored</th>
                </tr>
              </thead>
              <tbody>
                {record.images.flatMap((image, index) =>
                  image.predictions.map((prediction) => (
                    <tr key={prediction.id} className="border-t border-slate-100">
                      <td className="px-3 py-2">#{index + 1}</td>
                      <td className="px-3 py-2 font-mono text-xs">
                        {prediction.modelVersion} <span className="font-sans text-slate-500">({prediction.modelStatus.toLowerCase()})</span>
                      </td>
                      <td className="px-3 py-2 text-right tabular-nums">
                        {formatPercent(prediction.pMalignant)}
                        {prediction.outOfDistribution ? <span className="ml-1 text-amber-800">(out of distribution)</span> : null}
                      </td>
                      <td className="px-3 py-2 text-right tabular-nums">
                        {formatPercent(prediction.threshold)} {prediction.aboveThreshold ? "(above)" : "(below)"}
                      </td>
                      <td className="px-3 py-2">{prediction.backend}</td>
                      <td className="px-3 py-2">{formatDateTime(prediction.createdAt)}</td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </div>
        )}
      </div>
      <div>
        <h3 className="mb-2 font-semibold">Timeline</h3>
        {record.timeline.length === 0 ? (
          <p className="text-sm text-slate-600">Nothing recorded yet.</p>
        ) : (
          <ol className="space-y-2 border-l-2 border-slate-200 pl-4 text-sm" data-testid="lesion-timeline">
            {record.timeline.map((event) => (
              <li key={`${event.type}-${event.id}`} data-testid={`timeline-${event.type.toLowerCase()}`}>
                <p className="text-xs text-slate-500">{formatDateTime(event.at)}</p>
                <EventBody event={event} />
              </li>
            ))}
          </ol>
        )}
      </div>
    </section>
  );
}
