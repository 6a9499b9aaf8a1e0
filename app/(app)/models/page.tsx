import type { Metadata } from "next";
import { requirePermission } from "@/server/auth/guards";
import { serverApi } from "@/server/trpc/server";
import { EmptyState, PageHeader } from "../../_components/empty-state";

export const metadata: Metadata = { title: "Models" };

export default async function ModelsPage() {
  await requirePermission("models:read");
  const counts = await (await serverApi()).overview.counts();
  return (
    <>
      <PageHeader title="Models">Model versions, their evaluation on the locked test set, and the active model.</PageHeader>
      {counts.activeModel === null ? (
        <EmptyState title="No active model">
          Images are not scored until a model is trained and promoted. An admin can launch training from here.
        </EmptyState>
      ) : (
        <p data-testid="active-model">Active model: {counts.activeModel}</p>
      )}
    </>
  );
}
