/** What the imports API returns, validated on the way out. */
import { z } from "zod";
import { ImportKind, JobStatus } from "../../db/generated/enums";
import { importRejectionsSchema } from "./import-runs";

export const availableDatasetsOutput = z.array(z.object({ kind: z.enum(ImportKind), source: z.string(), description: z.string() }));

/** One import of the admin page's list (import-runs.ts listImportRuns). */
export const importRunView = z.object({
  id: z.string(),
  source: z.string(),
  status: z.enum(JobStatus),
  total: z.number().int(),
  done: z.number().int(),
  imported: z.number().int(),
  skippedDuplicate: z.number().int(),
  rejectedCount: z.number().int(),
  rejections: importRejectionsSchema,
  error: z.string().nullable(),
  createdAt: z.date(),
});
export type ImportRunView = z.infer<typeof importRunView>;
export const importRunsOutput = z.array(importRunView);

export const startedImportRunOutput = z.object({ id: z.string(), status: z.enum(JobStatus) });
