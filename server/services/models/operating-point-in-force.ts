/**
 * The one place that reads which threshold a model version uses at this deployment: its latest operating point
 * (operating-points.ts adds versions; none is ever edited). Scoring records it in every Prediction, the flag policy
 * compares scores with it, and local validation and the safety rule evaluate the model at it.
 */
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";

type Reader = Db | Prisma.TransactionClient;

export type OperatingPointSource = "VALIDATION" | "LOCAL";

export interface OperatingPointInForce {
  /** Null only for a registry row written without operating points (tests' bare rows): version 1, its validation threshold. */
  id: string | null;
  version: number;
  threshold: number;
  source: OperatingPointSource;
}

/** Select this on a ModelVersion query and pass the row to `inForce`: one query for the model and its threshold. */
export const operatingPointInForceSelect = {
  threshold: true,
  operatingPoints: { orderBy: { version: "desc" }, take: 1, select: { id: true, version: true, threshold: true, source: true } },
} as const satisfies Prisma.ModelVersionSelect;

export function inForce(model: {
  threshold: number;
  operatingPoints: readonly { id: string; version: number; threshold: number; source: OperatingPointSource }[];
}): OperatingPointInForce {
  return model.operatingPoints[0] ?? { id: null, version: 1, threshold: model.threshold, source: "VALIDATION" };
}

export async function operatingPointInForce(db: Reader, modelVersionId: string): Promise<OperatingPointInForce> {
  const model = await db.modelVersion.findUniqueOrThrow({ where: { id: modelVersionId }, select: operatingPointInForceSelect });
  return inForce(model);
}
