/**
 * Drift of a deployed model against its own validation set, month by month: the distribution of P(malignant) (the
 * population stability index over the validation split's ten equally full bins) and the share of images the
 * out-of-distribution check sends to review (against the share it was set to flag on validation). Neither needs a
 * biopsy result, so both move long before local validation can: a new dermatoscope, another referral pattern or a
 * wave of non-dermoscopy uploads shows here first.
 */
import { z } from "zod";
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";

type Reader = Db | Prisma.TransactionClient;

/** PSI conventions (credit scoring, adopted for model monitoring): below 0.1 stable, 0.1-0.25 moderate, above major. */
export const PSI_MODERATE = 0.1;
export const PSI_MAJOR = 0.25;
/** The OOD rate is called raised when it exceeds this multiple of the validation rate (and 5 images). */
export const OOD_RATE_RAISED_FACTOR = 3;

const referenceSchema = z.object({
  report: z.object({
    validationScoreDeciles: z.array(z.number()).length(9).nullable().optional(),
    ood: z.object({ validationFalseAlarmRate: z.number(), threshold: z.number() }).nullable().optional(),
  }),
});

export type DriftLevel = "stable" | "moderate" | "major";

export interface DriftMonth {
  /** First day of the month, UTC, yyyy-mm. */
  month: string;
  images: number;
  meanPMalignant: number;
  /** Share of this month's images in each validation decile bin (10 values). */
  binShares: number[];
  psi: number;
  psiLevel: DriftLevel;
  /** Images the OOD check scored and flagged (null when the model has no detector). */
  oodChecked: number;
  oodFlagged: number;
  oodRate: number | null;
  oodRaised: boolean;
}

export interface ModelDrift {
  modelVersionId: string;
  version: string;
  /** Null for a model whose report has no validation deciles (older models): no score drift can be computed. */
  validationDeciles: number[] | null;
  validationOodRate: number | null;
  months: DriftMonth[];
}

/** Population stability index of observed bin shares against equal expected shares (1 / bins each). */
export function populationStabilityIndex(observed: readonly number[]): number {
  const expected = 1 / observed.length;
  // A bin nobody fell in would make the logarithm infinite: floor shares at a small epsilon, as is customary.
  const floor = 1e-4;
  return observed.reduce((sum, share) => {
    const a = Math.max(share, floor);
    return sum + (a - expected) * Math.log(a / expected);
  }, 0);
}

export function psiLevel(psi: number): DriftLevel {
  return psi > PSI_MAJOR ? "major" : psi > PSI_MODERATE ? "moderate" : "stable";
}

export async function computeModelDrift(db: Reader, modelVersionId: string): Promise<ModelDrift | null> {
  // Only the two reference figures are read from the stored evaluation report (about 140 KB), by JSON path.
  const [model] = await db.$queryRaw<{ id: string; version: string; reference: unknown }[]>`
    SELECT id, version,
           jsonb_build_object('report', jsonb_build_object('validationScoreDeciles', metrics -> 'report' -> 'validationScoreDeciles',
                                                           'ood', metrics -> 'report' -> 'ood')) AS reference
    FROM "ModelVersion" WHERE id = ${modelVersionId}`;
  if (!model) return null;
  const parsed = referenceSchema.safeParse(model.reference);
  const deciles = parsed.success ? (parsed.data.report.validationScoreDeciles ?? null) : null;
  const validationOodRate = parsed.success ? (parsed.data.report.ood?.validationFalseAlarmRate ?? null) : null;
  // width_bucket over the 9 cut points gives 0..9: the validation bin each score falls in (ignored without deciles).
  // createdAt is a timestamp without time zone holding UTC (Prisma), so its month is the UTC month whatever the
  // session's time zone (AT TIME ZONE would make it a timestamptz, truncated in the session's zone).
  const cuts = deciles ?? [0.5];
  const rows = await db.$queryRaw<{ month: string; bin: number; images: bigint; sumP: number; oodChecked: bigint; oodFlagged: bigint }[]>`
    SELECT to_char(date_trunc('month', p."createdAt"), 'YYYY-MM') AS month,
           width_bucket(p."pMalignant", ${cuts}::float8[]) AS bin,
           count(*) AS images,
           sum(p."pMalignant") AS "sumP",
           count(p."oodScore") AS "oodChecked",
           count(*) FILTER (WHERE p."oodScore" > p."oodThreshold") AS "oodFlagged"
    FROM "Prediction" p
    WHERE p."modelVersionId" = ${modelVersionId}
    GROUP BY 1, 2
    ORDER BY 1`;
  const byMonth = new Map<string, { images: number; sumP: number; bins: number[]; oodChecked: number; oodFlagged: number }>();
  for (const row of rows) {
    const month = byMonth.get(row.month) ?? { images: 0, sumP: 0, bins: new Array<number>(10).fill(0), oodChecked: 0, oodFlagged: 0 };
    const images = Number(row.images);
    month.images += images;
    month.sumP += row.sumP;
    month.bins[row.bin] = month.bins[row.bin]! + images;
    month.oodChecked += Number(row.oodChecked);
    month.oodFlagged += Number(row.oodFlagged);
    byMonth.set(row.month, month);
  }
  const months = [...byMonth.entries()].map(([month, m]): DriftMonth => {
    const binShares = m.bins.map((n) => n / m.images);
    const psi = deciles === null ? 0 : populationStabilityIndex(binShares);
    const oodRate = m.oodChecked === 0 ? null : m.oodFlagged / m.oodChecked;
    return {
      month,
      images: m.images,
      meanPMalignant: m.sumP / m.images,
      binShares,
      psi,
      psiLevel: deciles === null ? "stable" : psiLevel(psi),
      oodChecked: m.oodChecked,
      oodFlagged: m.oodFlagged,
      oodRate,
      oodRaised: oodRate !== null && validationOodRate !== null && m.oodFlagged >= 5 && oodRate > OOD_RATE_RAISED_FACTOR * validationOodRate,
    };
  });
  return { modelVersionId: model.id, version: model.version, validationDeciles: deciles, validationOodRate, months };
}
