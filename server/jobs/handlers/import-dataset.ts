import type { Db } from "../../db/client";
import { executeImportRun } from "../../services/imports/import-runs";
import { importDatasetPayload } from "../queues";

export async function handleImportDataset(db: Db, data: unknown): Promise<void> {
  const { importRunId } = importDatasetPayload.parse(data);
  await executeImportRun({ db, importRunId });
}
