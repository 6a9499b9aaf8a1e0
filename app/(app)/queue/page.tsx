import type { Metadata } from "next";
import { requirePermission } from "@/server/auth/guards";
import { serverApi } from "@/server/trpc/server";
import { EmptyState, PageHeader } from "../../_components/empty-state";

export const metadata: Metadata = { title: "Queue" };

export default async function QueuePage() {
  await requirePermission("clinical:read");
  const counts = await (await serverApi()).overview.counts();
  return (
    <>
      <PageHeader title="Review queue">Lesions where the model and the clinician disagree, most urgent first.</PageHeader>
      {counts.openFlags === 0 ? (
        <EmptyState
          title="No open flags"
          action={counts.images === 0 ? { href: "/patients", label: "Go to patients" } : undefined}
        >
          {counts.images === 0
            ? "There are no images yet. Register a patient and upload dermoscopic images, or ask an admin to import a data set."
            : counts.activeModel === null
              ? `${counts.images} images are waiting for a model: an admin can train and promote one under Models.`
              : "Every flag has been decided. New flags appear when images are scored or assessments change."}
        </EmptyState>
      ) : (
        <p data-testid="open-flag-count">{counts.openFlags} open flags.</p>
      )}
    </>
  );
}
