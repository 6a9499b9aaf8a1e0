import type { Metadata } from "next";
import Link from "next/link";
import { requirePermission } from "@/server/auth/guards";
import { can } from "@/server/auth/roles";
import { getDb } from "@/server/db/client";
import { recordPatientAccess } from "@/server/services/audit/access-log";
import { diagnosisLabel } from "@/server/services/clinical/vocabulary";
import { serverApi } from "@/server/trpc/server";
import { MalignancyBadge } from "../../_clinical/badges";
import { fitzpatrickLabel, formatDate, IMPRESSION_LABELS, PLAN_LABELS, SEX_LABELS, confirmationLabel, dateInputValue } from "../../_clinical/format";
import { LesionForm } from "../../_clinical/lesion-form";
import { orNotFound } from "../../_clinical/or-not-found";
import { PatientForm } from "../patient-form";

// The title stays generic: browser history and tab titles must not collect patients' names.
export const metadata: Metadata = { title: "Patient" };

export default async function PatientPage(props: { params: Promise<{ patientId: string }> }) {
  const user = await requirePermission("clinical:read");
  const { patientId } = await props.params;
  const patient = await orNotFound((await serverApi()).patients.get({ patientId }));
  await recordPatientAccess(getDb(), { actorId: user.id, patientId: patient.id, via: "patient page" });
  const canWrite = can(user.role, "clinical:write");

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/patients" className="text-sky-700 underline">
          Patients
        </Link>
      </nav>
      <header className="mb-6">
        <h1 className="text-2xl font-semibold">{patient.name}</h1>
        <dl className="mt-2 flex flex-wrap gap-x-6 gap-y-1 text-sm text-slate-700" data-testid="demographics">
          <div>
            <dt className="inline text-slate-500">MRN </dt>
            <dd className="inline font-mono">{patient.mrn}</dd>
          </div>
          <div>
            <dt className="inline text-slate-500">Born </dt>
            <dd className="inline">{formatDate(patient.birthDate)}</dd>
          </div>
          <div>
            <dt className="inline text-slate-500">Sex </dt>
            <dd className="inline">{SEX_LABELS[patient.sex]}</dd>
          </div>
          <div>
            <dt className="inline text-slate-500">Fitzpatrick </dt>
            <dd className="inline">{patient.fitzpatrickType === null ? "not recorded" : fitzpatrickLabel(patient.fitzpatrickType)}</dd>
          </div>
        </dl>
        {patient.fitzpatrickType !== null && patient.fitzpatrickType >= 5 ? (
          <p className="mt-2 text-sm text-amber-800">
            Skin type V–VI: the model was trained mostly on light skin, so every lesion is sent for a dermatologist&apos;s review.
          </p>
        ) : null}
      </header>

      <section aria-labelledby="lesions-heading" className="mb-8">
        <h2 id="lesions-heading" className="mb-3 text-lg font-semibold">
          Lesions
        </h2>
        {patient.lesions.length === 0 ? (
          <p className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-slate-600" data-testid="empty-state">
            No lesions recorded yet.{canWrite ? " Add one below, then upload its dermoscopic images on the lesion's page." : ""}
          </p>
        ) : (
          <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
            <table className="w-full text-left text-sm" data-testid="lesion-table">
              <thead className="bg-slate-100 text-slate-600">
                <tr>
                  <th scope="col" className="px-4 py-2">Site</th>
                  <th scope="col" className="px-4 py-2">Label</th>
                  <th scope="col" className="px-4 py-2 text-right">Images</th>
                  <th scope="col" className="px-4 py-2">Latest assessment</th>
                  <th scope="col" className="px-4 py-2">Latest outcome</th>
                </tr>
              </thead>
              <tbody>
                {patient.lesions.map((lesion) => (
                  <tr key={lesion.id} className="border-t border-slate-100 align-top hover:bg-slate-50">
                    <td className="px-4 py-2">{lesion.bodySite}</td>
                    <td className="px-4 py-2">
                      <Link href={`/lesions/${lesion.id}`} prefetch={false} className="text-sky-800 underline">
                        {lesion.label}
                      </Link>
                    </td>
                    <td className="px-4 py-2 text-right tabular-nums">{lesion.imageCount}</td>
                    <td className="px-4 py-2">
                      {lesion.latestAssessment ? (
                        <>
                          {IMPRESSION_LABELS[lesion.latestAssessment.impression]}, plan: {PLAN_LABELS[lesion.latestAssessment.plan].toLowerCase()}
                          <span className="block text-xs text-slate-500">{formatDate(lesion.latestAssessment.assessedAt)}</span>
                        </>
                      ) : (
                        <span className="text-slate-500">None yet</span>
                      )}
                    </td>
                    <td className="px-4 py-2">
                      {lesion.latestOutcome ? (
                        <>
                          <MalignancyBadge malignant={lesion.latestOutcome.malignant} /> {diagnosisLabel(lesion.latestOutcome.histopathologyDiagnosis)}
                          <span className="block text-xs text-slate-500">
                            {formatDate(lesion.latestOutcome.reportDate)} · {confirmationLabel(lesion.latestOutcome.confirmation)}
                          </span>
                        </>
                      ) : (
                        <span className="text-slate-500">None yet</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {canWrite ? (
        <div className="grid items-start gap-6 lg:grid-cols-[1fr_2fr]">
          <LesionForm patientId={patient.id} />
          <PatientForm
            patientId={patient.id}
            initial={{
              mrn: patient.mrn,
              name: patient.name,
              birthDate: dateInputValue(patient.birthDate),
              sex: patient.sex,
              fitzpatrickType: patient.fitzpatrickType,
            }}
          />
        </div>
      ) : null}
    </>
  );
}
