import type { Metadata } from "next";
import { requirePermission } from "@/server/auth/guards";
import { serverApi } from "@/server/trpc/server";
import { EmptyState, PageHeader } from "../../_components/empty-state";

export const metadata: Metadata = { title: "Outcomes" };

export default async function OutcomesPage() {
  await requirePermission("outcomes:read");
  const counts = await (await serverApi()).overview.counts();
  return (
    <>
      <PageHeader title="Outcomes">Biopsies avoided, malignancies missed, model against clinician.</PageHeader>
      {counts.biopsyOutcomes === 0 ? (
        <EmptyState title="No biopsy outcomes yet">
          Outcomes appear once histopathology results are recorded on lesions or imported with a data set.
        </EmptyState>
      ) : (
        <p data-testid="outcome-count">{counts.biopsyOutcomes} biopsy outcomes recorded.</p>
      )}
    </>
  );
}
