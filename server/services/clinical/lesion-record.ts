/**
 * The lesion's record: every prediction of each image (model version, P(malignant), the threshold in force then,
 * backend), and one timeline of its assessments, flags with their decisions, and outcomes, amended and retracted
 * ones included and marked as such (current-records.ts). What a user reads after an upload to see what the model
 * said, and what a regulator reads to see who decided what on which evidence.
 */
import { z } from "zod";
import type { Db } from "../../db/client";
import { FlagKind, FlagStatus, Impression, Plan } from "../../db/generated/enums";
import { DomainError } from "../domain-error";
import { recordedDecisionFields } from "../review/outputs";
import { recordStanding } from "./current-records";

const id = z.string().min(1);
const standing = z.enum(["CURRENT", "AMENDED", "RETRACTED"]);
const retraction = z.object({ at: z.date(), by: z.string(), reason: z.string() }).nullable();

const timelineEvent = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("ASSESSMENT"),
    at: z.date(),
    id,
    impression: z.enum(Impression),
    plan: z.enum(Plan),
    suspectedDiagnosis: z.string().nullable(),
    note: z.string().nullable(),
    by: z.string(),
  }),
  z.object({
    type: z.literal("FLAG"),
    at: z.date(),
    id,
    kind: z.enum(FlagKind),
    status: z.enum(FlagStatus),
    reason: z.string(),
    pMalignant: z.number().nullable(),
    threshold: z.number().nullable(),
    modelVersion: z.string().nullable(),
    secondReadRequestedBy: z.string().nullable(),
  }),
  z.object({
    type: z.literal("DECISION"),
    at: z.date(),
    ...recordedDecisionFields,
    by: z.string(),
    standing,
    retraction,
  }),
  z.object({
    type: z.literal("OUTCOME"),
    at: z.date(),
    id,
    histopathologyDiagnosis: z.string(),
    malignant: z.boolean(),
    reportDate: z.date(),
    confirmation: z.string(),
    by: z.string().nullable(),
    standing,
    retraction,
  }),
]);
export type LesionTimelineEvent = z.infer<typeof timelineEvent>;

export const lesionRecordOutput = z.object({
  images: z.array(
    z.object({
      id,
      capturedAt: z.date().nullable(),
      createdAt: z.date(),
      predictions: z.array(
        z.object({
          id,
          modelVersion: z.string(),
          modelStatus: z.string(),
          pMalignant: z.number(),
          threshold: z.number(),
          aboveThreshold: z.boolean(),
          backend: z.string(),
          outOfDistribution: z.boolean().nullable(),
          createdAt: z.date(),
        }),
      ),
    }),
  ),
  timeline: z.array(timelineEvent),
});
export type LesionRecord = z.infer<typeof lesionRecordOutput>;

const EVENT_ORDER: Record<LesionTimelineEvent["type"], number> = { ASSESSMENT: 0, FLAG: 1, DECISION: 2, OUTCOME: 3 };

/** Oldest first; at the same instant, in the order things happen (assessment, flag, decision, outcome). */
export function sortTimeline(events: LesionTimelineEvent[]): LesionTimelineEvent[] {
  return [...events].sort((a, b) => a.at.getTime() - b.at.getTime() || EVENT_ORDER[a.type] - EVENT_ORDER[b.type] || a.id.localeCompare(b.id));
}

function retractionOf(record: { retractedAt: Date | null; retractionReason: string | null; retractedBy: { name: string } | null }) {
  return record.retractedAt === null ? null : { at: record.retractedAt, by: record.retractedBy?.name ?? "", reason: record.retractionReason ?? "" };
}

export async function getLesionRecord(options: { db: Db; lesionId: string }): Promise<LesionRecord> {
  const lesion = await options.db.lesion.findUnique({
    where: { id: options.lesionId },
    select: {
      images: {
        orderBy: [{ capturedAt: { sort: "asc", nulls: "last" } }, { createdAt: "asc" }],
        select: {
          id: true,
          capturedAt: true,
          createdAt: true,
          predictions: {
            orderBy: { createdAt: "asc" },
            select: {
              id: true,
              pMalignant: true,
              threshold: true,
              aboveThreshold: true,
              backend: true,
              oodScore: true,
              oodThreshold: true,
              createdAt: true,
              modelVersion: { select: { version: true, status: true } },
            },
          },
        },
      },
      assessments: {
        select: { id: true, impression: true, plan: true, suspectedDiagnosis: true, note: true, assessedAt: true, clinician: { select: { name: true } } },
      },
      flags: {
        select: {
          id: true,
          kind: true,
          status: true,
          reason: true,
          pMalignant: true,
          threshold: true,
          createdAt: true,
          modelVersion: { select: { version: true } },
          secondReadRequestedBy: { select: { name: true } },
          review: {
            select: {
              id: true,
              decision: true,
              reason: true,
              note: true,
              followUpDate: true,
              createdAt: true,
              reviewer: { select: { name: true } },
              retractedAt: true,
              retractionReason: true,
              retractedBy: { select: { name: true } },
              supersededById: true,
            },
          },
        },
      },
      biopsyOutcomes: {
        select: {
          id: true,
          histopathologyDiagnosis: true,
          malignant: true,
          reportDate: true,
          confirmation: true,
          createdAt: true,
          recordedBy: { select: { name: true } },
          retractedAt: true,
          retractionReason: true,
          retractedBy: { select: { name: true } },
          supersededById: true,
        },
      },
    },
  });
  if (!lesion) throw new DomainError("NOT_FOUND", "No such lesion.");
  const events: LesionTimelineEvent[] = [
    ...lesion.assessments.map((a) => ({
      type: "ASSESSMENT" as const,
      at: a.assessedAt,
      id: a.id,
      impression: a.impression,
      plan: a.plan,
      suspectedDiagnosis: a.suspectedDiagnosis,
      note: a.note,
      by: a.clinician.name,
    })),
    ...lesion.flags.flatMap((flag) => [
      {
        type: "FLAG" as const,
        at: flag.createdAt,
        id: flag.id,
        kind: flag.kind,
        status: flag.status,
        reason: flag.reason,
        pMalignant: flag.pMalignant,
        threshold: flag.threshold,
        modelVersion: flag.modelVersion?.version ?? null,
        secondReadRequestedBy: flag.secondReadRequestedBy?.name ?? null,
      },
      ...(flag.review
        ? [
            {
              type: "DECISION" as const,
              at: flag.review.createdAt,
              id: flag.review.id,
              flagId: flag.id,
              decision: flag.review.decision,
              reason: flag.review.reason,
              note: flag.review.note,
              followUpDate: flag.review.followUpDate,
              by: flag.review.reviewer.name,
              standing: recordStanding(flag.review),
              retraction: retractionOf(flag.review),
            },
          ]
        : []),
    ]),
    ...lesion.biopsyOutcomes.map((o) => ({
      type: "OUTCOME" as const,
      at: o.createdAt,
      id: o.id,
      histopathologyDiagnosis: o.histopathologyDiagnosis,
      malignant: o.malignant,
      reportDate: o.reportDate,
      confirmation: o.confirmation,
      by: o.recordedBy?.name ?? null,
      standing: recordStanding(o),
      retraction: retractionOf(o),
    })),
  ];
  return {
    images: lesion.images.map((image) => ({
      id: image.id,
      capturedAt: image.capturedAt,
      createdAt: image.createdAt,
      predictions: image.predictions.map((p) => ({
        id: p.id,
        modelVersion: p.modelVersion.version,
        modelStatus: p.modelVersion.status,
        pMalignant: p.pMalignant,
        threshold: p.threshold,
        aboveThreshold: p.aboveThreshold,
        backend: p.backend,
        outOfDistribution: p.oodScore === null || p.oodThreshold === null ? null : p.oodScore > p.oodThreshold,
        createdAt: p.createdAt,
      })),
    })),
    timeline: sortTimeline(events),
  };
}
