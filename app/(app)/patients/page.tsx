import type { Metadata } from "next";
import { requirePermission } from "@/server/auth/guards";
import { serverApi } from "@/server/trpc/server";
import { EmptyState, PageHeader } from "../../_components/empty-state";

export const metadata: Metadata = { title: "Patients" };

export default async function PatientsPage() {
  await requirePermission("clinical:read");
  const counts = await (await serverApi()).overview.counts();
  return (
    <>
      <PageHeader title="Patients">Patients, their lesions, images, assessments and biopsy outcomes.</PageHeader>
      {counts.patients === 0 ? (
        <EmptyState title="No patients yet">
          Register a patient to start, or ask an admin to import a data set (HAM10000, DermaMNIST or an image folder).
        </EmptyState>
      ) : (
        <p data-testid="patient-count">
          {counts.patients} patients, {counts.lesions} lesions, {counts.images} images, {counts.biopsyOutcomes} biopsy
          outcomes.
        </p>
      )}
    </>
  );
}
