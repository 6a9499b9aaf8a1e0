import type { Metadata } from "next";
import Link from "next/link";
import { DIAGNOSIS_LABELS, isDiagnosis } from "@/ml/diagnoses";
import { requirePermission } from "@/server/auth/guards";
import { can } from "@/server/auth/roles";
import { getDb } from "@/server/db/client";
import { recordPatientAccess } from "@/server/services/audit/access-log";
import { diagnosisLabel } from "@/server/services/clinical/vocabulary";
import { serverApi } from "@/server/trpc/server";
import { MalignancyBadge } from "../../_clinical/badges";
import { confirmationLabel, fitzpatrickLabel, formatDate, formatDateTime, IMPRESSION_LABELS, PLAN_LABELS } from "../../_clinical/format";
import { LesionForm } from "../../_clinical/lesion-form";
import { orNotFound } from "../../_clinical/or-not-found";
import { AssessmentForm } from "./assessment-form";
import { BiopsyOutcomeForm } from "./biopsy-outcome-form";
import { CorrectOutcome } from "./correct-outcome";
import { LesionRecordView } from "./lesion-record";
import { ImageTimeline } from "./image-timeline";
import { ImageUpload } from "./image-upload";

export const metadata: Metadata = { title: "Lesion" };

export default async function LesionPage(props: { params: Promise<{ lesionId: string }> }) {
  const user = await requirePermission("clinical:read");
  const { lesionId } = await props.params;
  const api = await serverApi();
  const [lesion, record] = await Promise.all([orNotFound(api.lesions.get({ lesionId })), orNotFound(api.lesions.record({ lesionId }))]);
  const canWrite = can(user.role, "clinical:write");
  const { patient } = lesion;
  await recordPatientAccess(getDb(), { actorId: user.id, patientId: patient.id, via: "lesion page", recordId: lesion.id });

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <ol className="flex gap-2">
          <li>
            <Link href="/patients" className="text-sky-700 underline">
              Patients
            </Link>
            <span aria-hidden="true"> /</span>
          </li>
          <li>
            <Link href={`/patients/${patient.id}`} className="text-sky-700 underline">
              {patient.name} ({patient.mrn})
            </Link>
          </li>
        </ol>
      </nav>
      <header className="mb-6">
        <h1 className="text-2xl font-semibold">{lesion.label}</h1>
        <p className="mt-1 text-slate-600">
          {lesion.bodySite} · Fitzpatrick: {patient.fitzpatrickType === null ? "not recorded" : fitzpatrickLabel(patient.fitzpatrickType)} ·
          recorded {formatDate(lesion.createdAt)}
        </p>
      </header>

      <section aria-labelledby="images-heading" className="mb-8">
        <h2 id="images-heading" className="mb-3 text-lg font-semibold">
          Images <span className="text-sm font-normal text-slate-500">({lesion.images.length}, oldest capture first)</span>
        </h2>
        {lesion.images.length === 0 ? (
          <p className="mb-4 rounded-xl border border-dashed border-slate-300 bg-white p-6 text-slate-600" data-testid="empty-state">
            No images yet.{canWrite ? " Upload dermoscopic images of this lesion below." : ""}
          </p>
        ) : (
          <ImageTimeline
            images={lesion.images.map((image) => ({
              id: image.id,
              width: image.width,
              height: image.height,
              capturedAt: image.capturedAt?.toISOString() ?? null,
              uploadedAt: image.createdAt.toISOString(),
            }))}
          />
        )}
        {canWrite ? (
          <div className="mt-4">
            <h3 className="mb-2 font-semibold">Upload images</h3>
            <ImageUpload lesionId={lesion.id} />
          </div>
        ) : null}
      </section>

      <LesionRecordView record={record} />

      <div className="grid gap-8 lg:grid-cols-2">
        <section aria-labelledby="assessments-heading">
          <h2 id="assessments-heading" className="mb-3 text-lg font-semibold">
            Clinical assessments
          </h2>
          {lesion.assessments.length === 0 ? (
            <p className="mb-4 text-slate-600">No assessment recorded yet.</p>
          ) : (
            <ul className="mb-4 space-y-2" data-testid="assessment-list">
              {lesion.assessments.map((assessment) => (
                <li key={assessment.id} className="rounded-lg border border-slate-200 bg-white p-3 text-sm">
                  <p>
                    <span className="font-semibold">{IMPRESSION_LABELS[assessment.impression]}</span>, plan:{" "}
                    {PLAN_LABELS[assessment.plan].toLowerCase()}
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
                </li>
              ))}
            </ul>
          )}
          {canWrite ? <AssessmentForm lesionId={lesion.id} /> : null}
        </section>

        <section aria-labelledby="outcomes-heading">
          <h2 id="outcomes-heading" className="mb-1 text-lg font-semibold">
            Outcomes
          </h2>
          <p className="mb-3 text-sm text-slate-600">
            Histopathology results, and diagnoses an imported data set confirmed another way (marked as such: those
            lesions were not biopsied).
          </p>
          {lesion.biopsyOutcomes.length === 0 ? (
            <p className="mb-4 text-slate-600">No outcome recorded yet.</p>
          ) : (
            <ul className="mb-4 space-y-2" data-testid="outcome-list">
              {lesion.biopsyOutcomes.map((outcome) => (
                <li
                  key={outcome.id}
                  className={`rounded-lg border p-3 text-sm ${outcome.retractedAt ? "border-slate-200 bg-slate-50 text-slate-500" : "border-slate-200 bg-white"}`}
                  data-testid={outcome.retractedAt ? "outcome-corrected" : "outcome-current"}
                >
                  <p className="flex flex-wrap items-center gap-2">
                    <MalignancyBadge malignant={outcome.malignant} />
                    <span className={`font-semibold ${outcome.retractedAt ? "line-through" : ""}`}>{diagnosisLabel(outcome.histopathologyDiagnosis)}</span>
                    {outcome.retractedAt ? (
                      <span className="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-900">
                        {outcome.supersededById ? "Amended" : "Retracted"}
                      </span>
                    ) : null}
                  </p>
                  <p className="mt-1 text-slate-700">{confirmationLabel(outcome.confirmation)}</p>
                  <p className="mt-1 text-xs text-slate-500">
                    Report date {formatDate(outcome.reportDate)}
                    {outcome.recordedBy ? `, entered by ${outcome.recordedBy.name}` : ", imported"}
                  </p>
                  {outcome.retractedAt ? (
                    <p className="mt-1 text-xs text-amber-900">
                      {outcome.supersededById ? "Amended" : "Retracted"} by {outcome.retractedBy?.name ?? "—"} on {formatDateTime(outcome.retractedAt)}:{" "}
                      {outcome.retractionReason}. It no longer counts; a safety event it raised stays until acknowledged.
                    </p>
                  ) : canWrite && (user.role === "ADMIN" || outcome.recordedById === user.id) ? (
                    <CorrectOutcome outcomeId={outcome.id} />
                  ) : null}
                </li>
              ))}
            </ul>
          )}
          {canWrite ? <BiopsyOutcomeForm lesionId={lesion.id} /> : null}
        </section>
      </div>

      {canWrite ? (
        <div className="mt-8 max-w-xl">
          <LesionForm lesionId={lesion.id} initial={{ bodySite: lesion.bodySite, label: lesion.label }} />
        </div>
      ) : null}
    </>
  );
}
