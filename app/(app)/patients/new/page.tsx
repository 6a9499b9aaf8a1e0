import type { Metadata } from "next";
import Link from "next/link";
import { requirePermission } from "@/server/auth/guards";
import { PageHeader } from "../../../_components/empty-state";
import { PatientForm } from "../patient-form";

export const metadata: Metadata = { title: "Register patient" };

export default async function NewPatientPage() {
  await requirePermission("clinical:write");
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/patients" className="text-sky-700 underline">
          Patients
        </Link>
      </nav>
      <PageHeader title="Register patient">The MRN must be unique. Lesions and images are added on the patient&apos;s page.</PageHeader>
      <div className="max-w-3xl">
        <PatientForm />
      </div>
    </>
  );
}
