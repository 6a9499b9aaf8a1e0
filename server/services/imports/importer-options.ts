/** Options every importer takes. */
import type { ImageLimits } from "@/server/services/images/image-limits";
import type { RunImportOptions } from "./run-import-plan";

export interface ImporterOptions extends Omit<RunImportOptions, "limits"> {
  /** The data set's folder. */
  folder: string;
  /** Import only the first N images (CSV rows, or files in folder order). */
  limit?: number;
  /** Default: from configuration (server/env.ts). */
  limits?: ImageLimits;
  /** Namespace of external ids and MRNs (each importer has a default). */
  datasetCode?: string;
}
