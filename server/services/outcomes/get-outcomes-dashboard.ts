/**
 * The outcomes dashboard for one model version (default: the active one) and a range of months: the database does
 * the per-lesion and per-month aggregation, ml/evaluation computes the metrics in Node, and the browser only draws.
 */
import { DomainError } from "../domain-error";
import type { Db } from "../../db/client";
import { inForce, operatingPointInForceSelect } from "../models/operating-point-in-force";
import { summariseBiopsies } from "./biopsy-summary";
import { loadDeferredMalignancies } from "./deferred-malignancies";
import { loadLesionOutcomeRows } from "./lesion-outcome-rows";
import { summariseModelOutcomes } from "./model-outcomes";
import { monthlyTrends } from "./monthly-trends";
import { FLAG_KINDS, loadReviewActivity, type ReviewActivity } from "./review-activity";
import type { OutcomesDashboard } from "./schemas";
import { COST_PER_BIOPSY_SETTING, DEFAULT_COST_PER_BIOPSY, monthBounds, type OutcomesQuery } from "./scope";
import { CURRENT_OUTCOME } from "../clinical/current-records";

/** Most missed malignancies listed by name (lowest score first); the count is always complete. */
export const MISSED_MALIGNANCY_LIST_LIMIT = 50;

const isoDate = (value: Date) => value.toISOString().slice(0, 10);

export async function getOutcomesDashboard(options: { db: Db; query: OutcomesQuery; now?: Date }): Promise<OutcomesDashboard> {
  const { db, query } = options;
  const bounds = monthBounds(query.from, query.to);
  // Each version at the operating point in force here (its validation threshold, or a local one an admin adopted):
  // the dashboard judges the model by the calls it actually makes.
  const modelVersions = (
    await db.modelVersion.findMany({
      select: { id: true, version: true, status: true, targetSensitivity: true, ...operatingPointInForceSelect },
      orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    })
  ).map(({ operatingPoints, ...version }) => ({ ...version, threshold: inForce({ threshold: version.threshold, operatingPoints }).threshold }));
  const model = query.modelVersionId
    ? modelVersions.find((version) => version.id === query.modelVersionId)
    : (modelVersions.find((version) => version.status === "ACTIVE") ?? null);
  if (model === undefined) throw new DomainError("NOT_FOUND", "No such model version.");

  const [costPerBiopsy, rows, activity, safety, trainingSet] = await Promise.all([
    query.costPerBiopsy ?? configuredCostPerBiopsy(db),
    loadLesionOutcomeRows({ db, modelVersionId: model?.id ?? null, bounds }),
    model ? loadReviewActivity({ db, modelVersionId: model.id, bounds }) : Promise.resolve(null),
    loadDeferredMalignancies(db),
    model
      ? db.modelTrainingSet.findUnique({ where: { modelVersionId: model.id }, select: { source: true, trainLesions: true, valLesions: true } })
      : Promise.resolve(null),
  ]);

  const summary = model ? summariseModelOutcomes(rows, { threshold: model.threshold, costPerBiopsy }) : null;
  const figures = summary
    ? {
        ...summary,
        trainingCases: {
          recorded: trainingSet !== null,
          source: trainingSet?.source ?? null,
          trainLesions: trainingSet?.trainLesions ?? null,
          valLesions: trainingSet?.valLesions ?? null,
          leftOutBiopsied: summary.trainingLeftOut,
        },
      }
    : null;
  const missedMalignancies = figures ? await describeMissed(db, figures.missedLesions) : null;

  return {
    generatedAt: (options.now ?? new Date()).toISOString(),
    scope: { from: query.from ?? null, to: query.to ?? null, costPerBiopsy },
    model,
    modelVersions: modelVersions.map(({ id, version, status, threshold }) => ({ id, version, status, threshold })),
    safety: {
      deferredLesions: safety.deferredLesions,
      deferredWithOutcome: safety.deferredWithOutcome,
      malignant: safety.malignant,
      lesions: safety.lesions.map((lesion) => ({
        ...lesion,
        deferredAt: lesion.deferredAt.toISOString(),
        followUpDate: lesion.followUpDate ? isoDate(lesion.followUpDate) : null,
        reportDate: isoDate(lesion.reportDate),
      })),
    },
    outcomes: summariseBiopsies(rows),
    modelOutcomes: figures && missedMalignancies ? { ...withoutMissedIds(figures), missedMalignancies } : null,
    activity: activity ? activityTotals(activity) : null,
    trends: monthlyTrends(rows, activity, model?.threshold ?? null),
  };
}

function withoutMissedIds<T extends { missedLesions: unknown; trainingLeftOut: unknown }>(figures: T): Omit<T, "missedLesions" | "trainingLeftOut"> {
  const { missedLesions: _missed, trainingLeftOut: _leftOut, ...rest } = figures;
  return rest;
}

function activityTotals(activity: ReviewActivity): NonNullable<OutcomesDashboard["activity"]> {
  const flags = Object.fromEntries(FLAG_KINDS.map((kind) => [kind, 0])) as Record<(typeof FLAG_KINDS)[number], number>;
  for (const row of activity.flags) flags[row.kind] += row.count;
  return { flags, decisions: activity.decisionTotals.map(({ decision, count, lesions }) => ({ decision, count, lesions })) };
}

/** An admin may set the cost per biopsy as a deployment setting; a request may still ask for another figure. */
async function configuredCostPerBiopsy(db: Db): Promise<number> {
  const setting = await db.setting.findUnique({ where: { key: COST_PER_BIOPSY_SETTING }, select: { value: true } });
  const value = setting?.value;
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : DEFAULT_COST_PER_BIOPSY;
}

async function describeMissed(db: Db, missed: readonly { lesionId: string; score: number }[]) {
  const listed = missed.slice(0, MISSED_MALIGNANCY_LIST_LIMIT);
  const lesions = await db.lesion.findMany({
    where: { id: { in: listed.map((lesion) => lesion.lesionId) } },
    select: {
      id: true,
      bodySite: true,
      patient: { select: { mrn: true } },
      biopsyOutcomes: {
        where: { ...CURRENT_OUTCOME, confirmation: "histo", malignant: true },
        orderBy: [{ reportDate: "desc" }, { createdAt: "desc" }],
        take: 1,
        select: { histopathologyDiagnosis: true, reportDate: true },
      },
    },
  });
  const byId = new Map(lesions.map((lesion) => [lesion.id, lesion]));
  return {
    total: missed.length,
    lesions: listed.flatMap(({ lesionId, score }) => {
      const lesion = byId.get(lesionId);
      const outcome = lesion?.biopsyOutcomes[0];
      if (!lesion || !outcome) return [];
      return [
        {
          lesionId,
          mrn: lesion.patient.mrn,
          bodySite: lesion.bodySite,
          score,
          histopathologyDiagnosis: outcome.histopathologyDiagnosis,
          reportDate: isoDate(outcome.reportDate),
        },
      ];
    }),
  };
}
