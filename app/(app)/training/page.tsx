import type { Metadata } from "next";
import { requirePermission } from "@/server/auth/guards";
import { PageHeader } from "../../_components/empty-state";
import { TrainingConsole } from "./training-console";

export const metadata: Metadata = { title: "Retraining" };

export default async function TrainingPage() {
  await requirePermission("models:manage");
  return (
    <>
      <PageHeader title="Retraining">
        Train a candidate model on a base data set and the clinic&apos;s confirmed cases. Every candidate is compared with
        the active model on the same locked test cases (lesions never trained on) and registered on the Models page,
        where it can be promoted if it passes the gates.
      </PageHeader>
      <TrainingConsole />
    </>
  );
}
