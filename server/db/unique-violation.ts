/**
 * Invariants the database enforces with partial unique indexes (created in prisma/migrations, which Prisma's schema
 * cannot express), and the one test for "this write broke that invariant", so each service can turn the violation
 * into a clear message instead of an internal error.
 */
import { Prisma } from "./generated/client";

export const INVARIANT_INDEXES = {
  /** At most one OPEN flag per lesion. */
  oneOpenFlagPerLesion: "Flag_one_open_per_lesion",
  /** At most one ACTIVE model version. */
  oneActiveModel: "ModelVersion_one_active",
  /** At most one training run QUEUED or RUNNING per deployment. */
  oneTrainingRunInProgress: "TrainingRun_one_in_progress",
  /** At most one PENDING promotion request per model version. */
  onePendingPromotionPerModel: "PromotionRequest_one_pending_per_model",
  /** One reviewer decision per flag (Review.flagId @unique). */
  oneReviewPerFlag: "Review_flagId_key",
} as const;

interface DriverCause {
  originalCode?: unknown;
  constraint?: { index?: unknown; fields?: unknown } | null;
}

function violatedIndex(error: unknown): string | null | undefined {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return undefined;
  // P2002 from the query builder, P2010 from a raw query; both carry PostgreSQL's 23505 from the driver adapter.
  const cause = (error.meta?.driverAdapterError as { cause?: DriverCause } | undefined)?.cause;
  const unique = error.code === "P2002" || cause?.originalCode === "23505";
  if (!unique) return undefined;
  return typeof cause?.constraint?.index === "string" ? cause.constraint.index : null;
}

/** A unique violation; with `index`, only a violation of that index. */
export function isUniqueViolation(error: unknown, index?: string): boolean {
  const violated = violatedIndex(error);
  if (violated === undefined) return false;
  return index === undefined || violated === index;
}
