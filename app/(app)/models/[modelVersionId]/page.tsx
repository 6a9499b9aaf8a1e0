import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePermission } from "@/server/auth/guards";
import { serverApi } from "@/server/trpc/server";
import { PageHeader } from "../../../_components/empty-state";

export const metadata: Metadata = { title: "Model card" };

/** A model version's card (generated with the model from its metadata and evaluation: ml/pipeline/model-card.ts). */
export default async function ModelCardPage(props: { params: Promise<{ modelVersionId: string }> }) {
  await requirePermission("models:read");
  const { modelVersionId } = await props.params;
  const card = await (await serverApi()).models.card({ modelVersionId }).catch(() => null);
  if (!card) notFound();
  return (
    <>
      <PageHeader title={`Model card: ${card.version}`}>
        Intended use, data, the operating threshold, performance with 95% intervals (cross-source included where it was
        measured), calibration, subgroups and limits. <Link href="/models" className="text-sky-800 underline underline-offset-2">All models</Link>
      </PageHeader>
      {card.modelCardMarkdown ? (
        <pre className="overflow-x-auto whitespace-pre-wrap rounded-xl border border-slate-200 bg-white p-4 text-sm leading-relaxed" data-testid="model-card">
          {card.modelCardMarkdown}
        </pre>
      ) : (
        <p className="text-sm text-slate-600">This version was registered without a model card.</p>
      )}
    </>
  );
}
