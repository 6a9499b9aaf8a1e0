import type { Metadata } from "next";
import Link from "next/link";
import { DIAGNOSIS_LABELS, isDiagnosis } from "@/ml/diagnoses";
import { requirePermission } from "@/server/auth/guards";
import { can } from "@/server/auth/roles";
import { getDb } from "@/server/db/client";
import { recordPatientAccess } from "@/server/services/audit/access-log";
import { serverApi } from "@/server/trpc/server";
import { fitzpatrickLabel, formatDate, formatDateTime, IMPRESSION_LABELS, PLAN_LABELS, SEX_LABELS } from "../../_clinical/format";
import { orNotFound } from "../../_clinical/or-not-found";
import { FlagKindBadge } from "../../_review/flag-kind";
import { CorrectDecision } from "./correct-decision";
import { DecisionPanel } from "./decision-panel";
import { ImageViewer } from "./image-viewer";
import { KeyboardHelp } from "./keyboard-help";
import { KeyboardNavigation } from "./keyboard-navigation";
import { ModelOutput } from "./model-output";
import type { ReviewImageView } from "./review-types";

export const metadata: Metadata = { title: "Review" };

const STATUS_LABELS = { OPEN: "Open", DECIDED: "Decided", CLOSED: "Closed", SUPERSEDED: "Superseded" } as const;

function imageCaption(image: { capturedAt: Date | null; createdAt: Date }): string {
  return image.capturedAt ? `Captured ${formatDateTime(image.capturedAt)}` : `Capture date unknown, uploaded ${formatDate(image.createdAt)}`;
}

export default async function ReviewPage(props: { params: Promise<{ flagId: string }> }) {
  const user = await requirePermission("clinical:read");
  const { flagId } = await props.params;
  const api = await serverApi();
  const [flag, neighbours] = await Promise.all([orNotFound(api.review.flag({ flagId })), orNotFound(api.review.neighbours({ flagId }))]);
  const { lesion, assessment, review } = flag;
  const { patient } = lesion;
  await recordPatientAccess(getDb(), { actorId: user.id, patientId: patient.id, via: "review page", recordId: flag.id });
  // Second reads go to a different reviewer (refused by the server too: server/services/review/second-read.ts).
  const refusal = !flag.secondRead
    ? null
    : flag.secondRead.requestedBy.id === user.id
      ? "You asked for this second read: another reviewer must decide it."
      : assessment?.clinician.id === user.id
        ? "You recorded the clinical assessment of this lesion: another reviewer must give the second read."
        : null;
  const canCorrect =
    review !== null && review.retractedAt === null && flag.status === "DECIDED" && (review.reviewer.id === user.id || user.role === "ADMIN");

  const images: ReviewImageView[] = lesion.images.map((image, i) => ({
    id: image.id,
    width: image.width,
    height: image.height,
    position: i + 1,
    caption: imageCaption(image),
    pMalignant: image.prediction?.pMalignant ?? null,
    // The reasons of a failed image-quality gate; none when it passed or never ran.
    qualityProblems: image.quality?.passed === false ? image.quality.reasons : [],
  }));
  const initialImageId = flag.prediction?.imageId ?? images.at(-1)?.id ?? null;

  return (
    <>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <nav aria-label="Breadcrumb" className="text-sm">
          <ol className="flex gap-2">
            <li>
              <Link href="/queue" className="text-sky-700 underline">
                Review queue
              </Link>
              <span aria-hidden="true"> /</span>
            </li>
            <li>
              <Link href={`/lesions/${lesion.id}`} className="text-sky-700 underline">
                Lesion {lesion.label}
              </Link>
              <span aria-hidden="true"> · </span>
              <Link href={`/lesions/${lesion.id}#record`} className="text-sky-700 underline">
                Record and history
              </Link>
            </li>
          </ol>
        </nav>
        <KeyboardNavigation previous={neighbours.previous} next={neighbours.next} />
      </div>

      <header className="mb-6">
        <div className="flex flex-wrap items-center gap-2">
          <FlagKindBadge kind={flag.kind} deferralSuggested={flag.deferralSuggested} />
          <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-semibold text-slate-700" data-testid="flag-status">
            {STATUS_LABELS[flag.status]}
          </span>
          {flag.biopsyPlanned ? <span className="text-xs font-medium text-slate-700">Biopsy planned</span> : null}
          {flag.secondRead ? (
            <span className="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-900" data-testid="second-read">
              Second read asked for by {flag.secondRead.requestedBy.name}
            </span>
          ) : null}
        </div>
        <h1 className="mt-2 text-2xl font-semibold">
          {patient.name} <span className="font-mono text-lg text-slate-600">{patient.mrn}</span>
        </h1>
        <p className="mt-1 text-slate-600" data-testid="patient-summary">
          {lesion.label} on the {lesion.bodySite} · {SEX_LABELS[patient.sex]} · born {formatDate(patient.birthDate)} · Fitzpatrick{" "}
          {patient.fitzpatrickType === null ? "not recorded" : fitzpatrickLabel(patient.fitzpatrickType)}
        </p>
      </header>

      <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="space-y-6">
          <section aria-labelledby="images-heading">
            <h2 id="images-heading" className="mb-3 text-lg font-semibold">
              Images
            </h2>
            {initialImageId ? (
              <ImageViewer flagId={flag.id} images={images} initialImageId={initialImageId} />
            ) : (
              <p className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-slate-600">
                This lesion has no images. Upload them on the{" "}
                <Link href={`/lesions/${lesion.id}`} className="text-sky-700 underline">
                  lesion&apos;s page
                </Link>
                .
              </p>
            )}
          </section>
        </div>

        <div className="space-y-4">
          <section aria-labelledby="reason-heading" className="rounded-xl border border-slate-200 bg-white p-4">
            <h2 id="reason-heading" className="mb-1 text-lg font-semibold">
              Why this was flagged
            </h2>
            <p className="text-sm text-slate-800" data-testid="flag-reason">
              {flag.reason}
            </p>
            <p className="mt-1 text-xs text-slate-500">Raised {formatDateTime(flag.createdAt)}</p>
          </section>

          <ModelOutput
            pMalignant={flag.pMalignant}
            threshold={flag.threshold}
            targetSensitivity={flag.modelVersion?.targetSensitivity ?? null}
            modelVersion={flag.modelVersion?.version ?? null}
            backend={flag.prediction?.backend ?? null}
            latencyMs={flag.prediction?.latencyMs ?? null}
            probabilities={flag.prediction?.probabilities ?? null}
            outOfDistribution={flag.outOfDistribution}
          />

          <section aria-labelledby="assessment-heading" className="rounded-xl border border-slate-200 bg-white p-4 text-sm" data-testid="clinical-assessment">
            <h2 id="assessment-heading" className="mb-2 text-lg font-semibold">
              Clinical assessment
            </h2>
            {assessment ? (
              <>
                <p>
                  <span className="font-semibold">{IMPRESSION_LABELS[assessment.impression]}</span>, plan:{" "}
                  <span className="font-semibold">{PLAN_LABELS[assessment.plan].toLowerCase()}</span>
                  {assessment.suspectedDiagnosis ? (
                    <>
                      {" "}
                      · suspected{" "}
                      {isDiagnosis(assessment.suspectedDiagnosis) ? DIAGNOSIS_LABELS[assessment.suspectedDiagnosis] : assessment.suspectedDiagnosis}
                    </>
                  ) : null}
                </p>
                {assessment.note ? <p className="mt-1 whitespace-pre-line text-slate-700">{assessment.note}</p> : null}
                <p className="mt-1 text-xs text-slate-500">
                  {assessment.clinician.name}, {formatDateTime(assessment.assessedAt)}
                </p>
              </>
            ) : (
              <p className="text-slate-600" data-testid="assessment-not-recorded">
                Clinical assessment: not recorded. The model&apos;s output cannot be compared with a clinician&apos;s call here.
              </p>
            )}
          </section>

          <DecisionPanel
            flagId={flag.id}
            status={flag.status}
            canDecide={can(user.role, "review:decide")}
            refusal={refusal}
            nextFlagId={neighbours.next}
            review={
              review
                ? {
                    decision: review.decision,
                    reason: review.reason,
                    note: review.note,
                    followUpDate: review.followUpDate ? review.followUpDate.toISOString().slice(0, 10) : null,
                    decidedAt: review.createdAt.toISOString(),
                    reviewerName: review.reviewer.name,
                    correction:
                      review.retractedAt === null
                        ? null
                        : {
                            at: review.retractedAt.toISOString(),
                            by: review.retractedBy?.name ?? "",
                            reason: review.retractionReason ?? "",
                            amendedFlagId: review.amendedFlagId,
                          },
                  }
                : null
            }
          />
          {canCorrect && review ? <CorrectDecision reviewId={review.id} flagId={flag.id} /> : null}
          <KeyboardHelp />
        </div>
      </div>
    </>
  );
}
