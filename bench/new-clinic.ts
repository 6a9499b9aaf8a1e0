/**
 * The "new clinic" replay (issue 13): would DermFlag's shadow mode, local validation and safety monitor have done the
 * right thing at a clinic whose images are unlike the model's training data, and does retraining on that clinic's
 * confirmed cases help it? Writes bench/results/new-clinic.json.
 *
 *   nice npm run bench:new-clinic                      # full run: all 767 cases, both arms, retraining (8 epochs)
 *   npm run bench:new-clinic -- --quick                # smoke run: 150 cases, 1 epoch; writes .data/bench/new-clinic-quick.json
 *   npm run bench:new-clinic -- --cases 300 --epochs 2 --order id --out /tmp/x.json
 *
 * The clinic: the 767 images of ../shared/data/isic2019-180 with an empty `ham10000_lesion_id` (other ISIC 2019
 * contributors than HAM10000, which the demo model was trained on). One image per lesion (the rows carry no lesion
 * id). A replay of archive images, not a clinical study.
 *
 * Everything runs through the platform's own services against a real embedded PostgreSQL (fresh, migrated):
 * 1. the model in ml/pretrained (newest version) is installed and promoted exactly as the demo seed does
 *    (installModel, promoteModelVersion); it starts in shadow mode;
 * 2. the images are imported with the platform's folder-layout importer from a scratch copy laid out as
 *    `train/unknown/` (lesions with no confirmed diagnosis yet), then scored by scoreImages (the worker's scoring path:
 *    image-quality gate, model, Prediction, flag policy), in the replay order;
 * 3. the biopsy results arrive one by one in that order through recordBiopsyOutcome (the safety monitor runs inside
 *    it); after each, computeLocalValidation reads the local evidence against the default, pre-specified criteria.
 *    The replay's admin switches deferral suggestions on (enableDeferral) the first time the criteria hold, and
 *    never switches them back on after the safety monitor suspends them (a suspension calls for an investigation);
 * 4. retraining: launchTrainingRun (pg-boss job) + executeTrainingRun (what the training process runs) on the
 *    clinic's confirmed cases with the deployment's locked, lesion-safe split; the run itself scores the active model
 *    and the candidate on the same locked test cases.
 *
 * Clinician assessments: the source records no clinician call. Two arms, each on its own database:
 * - "biopsy-planned" (headline): every lesion carries an assessment with plan BIOPSY, a fact (every lesion here was
 *   biopsied), and impression UNCERTAIN as a stand-in because the form requires one. With a biopsy planned the flag
 *   policy's decision does not depend on the impression (LIKELY_BENIGN iff the score is below the threshold;
 *   POSSIBLE_MISSED_MALIGNANCY needs no biopsy planned): checked here for every lesion by calling applyFlagPolicy
 *   with each of the three impressions. So the stand-in moves no flag, safety event or suspension.
 * - "no-assessment": nothing recorded, as the data say. No flag is raised, so the "called likely benign" rule has
 *   nothing to fire on; local validation (which needs only scores and results) is the same.
 *
 * The deployment's split salt is fixed (SPLIT_SALT below) so the locked test part is the same on every run; a real
 * deployment draws it at random once. Report dates are synthetic (2024-01-01 plus one day per result); only the
 * order of arrival matters to local validation (scores made before the result was recorded).
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createHash, randomBytes } from "node:crypto";
import pg from "pg";
import { positiveInteger } from "@/ml/cli/cli-support";
import { lesionKey } from "@/ml/data";
import { ISIC2019_180_DIR, SHARED_DATA_DIR } from "@/ml/data/shared-data";
import { bootstrapAucInterval, rocAuc, wilsonInterval, type ProportionEstimate } from "@/ml/evaluation";
import { listModelVersions, readModelDirectory } from "@/ml/store";
import { createPrismaClient, type Db } from "@/server/db/client";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "@/server/db/embedded-postgres";
import { startBoss } from "@/server/jobs/boss";
import type { AssessmentForm } from "@/server/services/clinical/schemas";
import { recordAssessment, recordBiopsyOutcome } from "@/server/services/clinical/lesions";
import { applyFlagPolicy, type Impression } from "@/server/services/flags/flag-policy";
import { DEFAULT_IMAGE_LIMITS, LocalImageStore } from "@/server/services/images";
import { importFolderLayout } from "@/server/services/imports/import-folder-layout";
import { sourceIdOf } from "@/server/services/imports/research-subject";
import { disposePredictors } from "@/server/services/inference/predictors";
import { scoreImages } from "@/server/services/inference/score-images";
import { installModel } from "@/server/services/models/install-model";
import { promoteModelVersion } from "@/server/services/models/registry";
import { enableDeferral } from "@/server/services/safety/deferral";
import { computeLocalValidation, type LocalValidation } from "@/server/services/safety/local-validation";
import { DEFAULT_LOCAL_VALIDATION_CRITERIA } from "@/server/services/safety/local-validation-criteria";
import { executeTrainingRun, type TrainingRunResult } from "@/server/services/training/execute-training-run";
import { clinicSplitOf, deploymentSplitSalt } from "@/server/services/training/locked-split";
import type { TrainingParams } from "@/server/services/training/training-params";
import { launchTrainingRun } from "@/server/services/training/training-runs";
import { createUser, createUserInput } from "@/server/services/users/users";
import { migrationSql, REPO_ROOT } from "./load-support";
import { machineInfo, writeResults } from "./ml-bench-support";
import {
  criteriaTimeline,
  crossSourceCases,
  describeOrder,
  histopathologyCodeFor,
  orderCases,
  type ClinicCase,
  type CriteriaPoint,
  type ReplayOrder,
} from "./new-clinic-support";

const PRETRAINED_DIR = path.join(REPO_ROOT, "ml", "pretrained");
const DEFAULT_OUT = path.join(REPO_ROOT, "bench", "results", "new-clinic.json");
const QUICK_OUT = path.join(REPO_ROOT, ".data", "bench", "new-clinic-quick.json");
/** The importer's namespace for the clinic's ids: lesion keys are "CLINIC:ISIC_xxxxxxx". */
const DATASET_CODE = "CLINIC";
/** Fixed for reproducibility (a deployment draws its own once): decides which clinic lesions are the locked test part. */
const SPLIT_SALT = "dermflag-bench-new-clinic-v1";
/** locked-split.ts's Setting key (not exported there); checked below by reading the salt back through the service. */
const SPLIT_SALT_KEY = "training.splitSalt";
/** Biopsy reports are dated from here, one day per result (synthetic: the archive has no dates). */
const FIRST_REPORT_DATE = Date.UTC(2024, 0, 1);
const SCORE_BATCH = 50;
const TIMELINE_EVERY = 25;

type ArmName = "biopsy-planned" | "no-assessment";
const STAND_IN_ASSESSMENT: AssessmentForm = {
  impression: "UNCERTAIN",
  plan: "BIOPSY",
  suspectedDiagnosis: null,
  note: "Replay stand-in: the source records no clinician call. The lesion was biopsied, so a biopsy was planned; the impression is required by the form and is not a clinician's call.",
};

interface Options {
  cases: number | null;
  epochs: number;
  timeBudgetMinutes: number | null;
  order: ReplayOrder;
  arms: ArmName[];
  out: string;
  quick: boolean;
  args: string[];
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      cases: { type: "string" },
      epochs: { type: "string" },
      "time-budget-minutes": { type: "string" },
      order: { type: "string", default: "shuffle" },
      seed: { type: "string", default: "13" },
      arms: { type: "string", default: "both" },
      out: { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(readFileSync(new URL(import.meta.url), "utf8").split("*/")[0]);
    process.exit(0);
  }
  const order: ReplayOrder =
    values.order === "id" ? { kind: "id" } : values.order === "shuffle" ? { kind: "shuffle", seed: Number(values.seed) } : (() => { throw new Error("--order must be id or shuffle"); })();
  if (order.kind === "shuffle" && !Number.isInteger(order.seed)) throw new Error("--seed must be an integer");
  const arms: ArmName[] =
    values.arms === "both" ? ["biopsy-planned", "no-assessment"] : values.arms === "biopsy-planned" || values.arms === "no-assessment" ? [values.arms] : (() => { throw new Error("--arms must be both, biopsy-planned or no-assessment"); })();
  const quick = values.quick ?? false;
  return {
    cases: values.cases !== undefined ? positiveInteger("cases", values.cases)! : quick ? 150 : null,
    epochs: values.epochs !== undefined ? positiveInteger("epochs", values.epochs)! : quick ? 1 : 8,
    timeBudgetMinutes: values["time-budget-minutes"] !== undefined ? positiveInteger("time-budget-minutes", values["time-budget-minutes"])! : 15,
    order,
    arms,
    out: values.out ?? (quick ? QUICK_OUT : DEFAULT_OUT),
    quick,
    args: argv,
  };
}

const round = (value: number | null | undefined, digits = 4) => (value === null || value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits)));
const proportion = (p: ProportionEstimate) => ({ successes: p.successes, trials: p.trials, estimate: round(p.estimate), lower: round(p.lower), upper: round(p.upper) });
const seconds = (since: number) => round((performance.now() - since) / 1000, 1);
const reportDate = (index: number) => new Date(FIRST_REPORT_DATE + index * 86_400_000).toISOString().slice(0, 10);

async function createMigratedDatabase(handle: EmbeddedPostgresHandle, name: string): Promise<string> {
  await handle.createDatabase(name);
  const url = handle.urlFor(name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const sql of migrationSql()) await client.query(sql);
  } finally {
    await client.end();
  }
  return url;
}

async function benchUser(db: Db, role: "ADMIN" | "DERMATOLOGIST", email: string, name: string): Promise<string> {
  const password = randomBytes(18).toString("base64url");
  const user = await createUser({ db, actorId: null, input: createUserInput.parse({ email, password, name, role }) });
  return user.id;
}

/** The clinic's images as an import folder: `train/unknown/<ISIC id>.jpg`, i.e. lesions without a confirmed diagnosis yet. */
function writeImportFolder(cases: readonly ClinicCase[], folder: string): void {
  const target = path.join(folder, "train", "unknown");
  mkdirSync(target, { recursive: true });
  for (const item of cases) copyFileSync(path.join(ISIC2019_180_DIR, item.file), path.join(target, `${item.imageId}${path.extname(item.file)}`));
}

function criteriaSummary(evidence: LocalValidation) {
  return {
    threshold: round(evidence.threshold),
    criteria_version: evidence.criteria.version,
    malignant_lesions: evidence.malignantLesions,
    benign_lesions: evidence.benignLesions,
    scored_after_outcome: evidence.scoredAfterOutcome,
    seen_in_training: evidence.seenInTraining,
    sensitivity: proportion(evidence.sensitivity),
    specificity: proportion(evidence.specificity),
    proposed_local_threshold: evidence.proposedThreshold && {
      value: round(evidence.proposedThreshold.value),
      sensitivity: proportion(evidence.proposedThreshold.sensitivity),
      specificity: proportion(evidence.proposedThreshold.specificity),
    },
    unacknowledged_safety_events: evidence.unacknowledgedSafetyEvents,
    criteria_met: evidence.criteriaMet,
    checks: evidence.checks,
  };
}

interface ArmContext {
  handle: EmbeddedPostgresHandle;
  cases: ClinicCase[];
  importFolder: string;
  workRoot: string;
  modelDir: { version: string; dir: string };
  options: Options;
  retrain: boolean;
  log: (line: string) => void;
}

async function runArm(arm: ArmName, context: ArmContext) {
  const { handle, cases, options, log } = context;
  const started = performance.now();
  const timings: Record<string, number | null> = {};
  const url = await createMigratedDatabase(handle, `bench_new_clinic_${arm.replace(/-/g, "_")}`);
  const db = createPrismaClient(url, { max: 5 });
  const armRoot = path.join(context.workRoot, arm);
  const store = new LocalImageStore(path.join(armRoot, "images"));
  const modelStoreDir = path.join(armRoot, "models");
  try {
    const admin = await benchUser(db, "ADMIN", "admin@new-clinic.example", "Replay Admin");
    const clinician = await benchUser(db, "DERMATOLOGIST", "derm@new-clinic.example", "Replay Dermatologist");
    await db.setting.create({ data: { key: SPLIT_SALT_KEY, value: SPLIT_SALT } });
    if ((await deploymentSplitSalt(db)) !== SPLIT_SALT) throw new Error("the fixed split salt was not the one the training service reads");

    // 1. The model, installed and promoted as the demo seed does: it starts in shadow mode.
    let phase = performance.now();
    const installed = await installModel({ db, sourceDir: context.modelDir.dir, storeDir: modelStoreDir, dataRoots: [SHARED_DATA_DIR] });
    if (installed.status !== "ACTIVE") {
      await promoteModelVersion({ db, actorId: null, modelVersionId: installed.id, overrideReason: "new-clinic replay: the committed demo model, installed as the demo seed installs it" });
    }
    const model = await db.modelVersion.findUniqueOrThrow({ where: { id: installed.id }, select: { id: true, version: true, threshold: true, status: true, deferralStatus: true } });
    timings.install_model_seconds = seconds(phase);
    log(`[${arm}] model ${model.version} active (threshold ${model.threshold.toFixed(4)}, deferral ${model.deferralStatus})`);

    // 2. The clinic's cases: imported (no outcome yet), assessed (arm), scored in the replay order.
    phase = performance.now();
    const imported = await importFolderLayout({ db, store, actorId: admin, folder: context.importFolder, limits: DEFAULT_IMAGE_LIMITS, datasetCode: DATASET_CODE });
    timings.import_seconds = seconds(phase);
    if (imported.imported + imported.skippedDuplicate !== cases.length || imported.rejected.length > 0 || imported.outcomesCreated !== 0) {
      throw new Error(`import: ${imported.imported} of ${cases.length} images imported, ${imported.outcomesCreated} outcomes, rejected: ${JSON.stringify(imported.rejected.slice(0, 5))}`);
    }
    const lesions = await db.lesion.findMany({ select: { id: true, externalId: true, images: { select: { id: true } } } });
    const byImageId = new Map(lesions.map((lesion) => [lesion.externalId!.slice(DATASET_CODE.length + 1), { lesionId: lesion.id, imageIds: lesion.images.map((i) => i.id) }]));
    // The importer stores a picture once (content hash): a byte-identical copy under another ISIC id is the same lesion
    // photographed once, so it has no lesion of its own here and its (identical) result is not entered twice.
    const duplicates = cases.filter((item) => !byImageId.has(item.imageId)).map((item) => item.imageId);
    const replay = cases.flatMap((item) => {
      const found = byImageId.get(item.imageId);
      return found ? [{ ...item, ...found }] : [];
    });
    if (replay.some((item) => item.imageIds.length !== 1) || duplicates.length !== imported.skippedDuplicate) throw new Error("every case must be one imported lesion with one image");

    if (arm === "biopsy-planned") {
      phase = performance.now();
      for (const item of replay) await recordAssessment({ db, actorId: clinician, lesionId: item.lesionId, input: STAND_IN_ASSESSMENT });
      timings.assessments_seconds = seconds(phase);
    }

    phase = performance.now();
    const scoring = { scored: 0, alreadyScored: 0, failed: [] as { imageId: string; reason: string }[] };
    const allImages = replay.flatMap((item) => item.imageIds);
    for (let start = 0; start < allImages.length; start += SCORE_BATCH) {
      const summary = await scoreImages({ db, store, imageIds: allImages.slice(start, start + SCORE_BATCH) });
      if (summary.stoppedBecauseModelChanged) throw new Error("the active model changed during scoring");
      scoring.scored += summary.scored;
      scoring.alreadyScored += summary.alreadyScored;
      scoring.failed.push(...summary.failed);
      if ((start / SCORE_BATCH) % 4 === 3) log(`[${arm}] scored ${scoring.scored} of ${allImages.length}`);
    }
    timings.scoring_seconds = seconds(phase);
    timings.scoring_ms_per_image = round((1000 * (timings.scoring_seconds ?? 0)) / Math.max(1, scoring.scored), 1);
    if (scoring.failed.length > 0) log(`[${arm}] ${scoring.failed.length} images failed to score: ${scoring.failed[0]!.reason}`);

    const predictions = await db.prediction.findMany({
      where: { modelVersionId: model.id },
      select: { pMalignant: true, threshold: true, oodScore: true, oodThreshold: true, image: { select: { lesionId: true, quality: true } } },
    });
    const predictionOf = new Map(predictions.map((p) => [p.image.lesionId, p]));
    const flagsBefore = await db.flag.groupBy({ by: ["kind", "status", "deferralSuggested"], _count: { _all: true } });
    const qualityFailed = predictions.filter((p) => (p.image.quality as { passed?: boolean } | null)?.passed === false).length;
    const outOfDistribution = predictions.filter((p) => p.oodScore !== null && p.oodThreshold !== null && p.oodScore > p.oodThreshold).length;
    const hasOodDetector = predictions.some((p) => p.oodThreshold !== null);

    // The stand-in impression moves nothing: the flag policy's decision with a biopsy planned, for each impression.
    let impressionDependent = 0;
    if (arm === "biopsy-planned") {
      for (const item of replay) {
        const p = predictionOf.get(item.lesionId);
        if (!p) continue;
        const quality = p.image.quality as { passed?: boolean; reasons?: string[] } | null;
        const decisions = (["BENIGN", "MALIGNANT", "UNCERTAIN"] as Impression[]).map((impression) =>
          applyFlagPolicy({
            assessment: { impression, plan: "BIOPSY" },
            fitzpatrickType: null,
            score: { pMalignant: p.pMalignant, threshold: p.threshold },
            quality: { passed: quality?.passed !== false, reasons: quality?.reasons ?? [] },
            outOfDistributionImages: p.oodScore !== null && p.oodThreshold !== null && p.oodScore > p.oodThreshold ? 1 : 0,
            hasOutcome: false,
            deferral: "SHADOW",
          }),
        );
        const keys = new Set(decisions.map((d) => `${d?.kind ?? "none"}/${d?.deferralSuggested ?? false}`));
        if (keys.size !== 1) impressionDependent++;
      }
    }

    // 3. The biopsy results arrive in order; local validation and the safety monitor after each.
    phase = performance.now();
    const points: (CriteriaPoint & { status: string })[] = [];
    const timeline: unknown[] = [];
    const transitions: { after_outcome: number; status: string; actor: "admin" | "safety monitor"; reason: string | null }[] = [];
    const events: { after_outcome: number; kind: string; image_id: string; diagnosis: string; p_malignant: number | null; threshold: number | null; deferral_status_at_result: string }[] = [];
    let status = model.deferralStatus as string;
    let everEnabled = false;
    let eventCount = 0;
    for (const [index, item] of replay.entries()) {
      const before = status;
      await recordBiopsyOutcome({ db, actorId: clinician, lesionId: item.lesionId, input: { histopathologyDiagnosis: histopathologyCodeFor(item.diagnosis, item.malignant), reportDate: reportDate(index) } });
      const outcome = index + 1;
      const newEvents = await db.safetyEvent.findMany({ where: { lesionId: item.lesionId }, select: { kind: true, pMalignant: true, threshold: true } });
      for (const event of newEvents) {
        events.push({ after_outcome: outcome, kind: event.kind, image_id: item.imageId, diagnosis: item.diagnosis, p_malignant: round(event.pMalignant), threshold: round(event.threshold), deferral_status_at_result: before });
      }
      eventCount += newEvents.length;
      const row = await db.modelVersion.findUniqueOrThrow({ where: { id: model.id }, select: { deferralStatus: true, deferralReason: true } });
      if (row.deferralStatus !== status) {
        transitions.push({ after_outcome: outcome, status: row.deferralStatus, actor: "safety monitor", reason: row.deferralReason });
        status = row.deferralStatus;
      }
      let evidence = await computeLocalValidation(db, model.id);
      // The replay's admin: switches suggestions on the first time the criteria hold (never again after a suspension).
      if (evidence.criteriaMet && status === "SHADOW" && !everEnabled) {
        await enableDeferral({ db, actorId: admin, modelVersionId: model.id, reason: `new-clinic replay: local criteria met after ${outcome} results` });
        everEnabled = true;
        status = "ENABLED";
        transitions.push({ after_outcome: outcome, status, actor: "admin", reason: "local acceptance criteria met" });
        evidence = await computeLocalValidation(db, model.id);
      }
      const metIgnoringSafetyEvents = evidence.checks.filter((c) => c.name !== "Unacknowledged safety events").every((c) => c.passed);
      points.push({ outcome, criteriaMet: evidence.criteriaMet, metIgnoringSafetyEvents, status });
      if (outcome % TIMELINE_EVERY === 0 || outcome === replay.length || transitions.at(-1)?.after_outcome === outcome) {
        timeline.push({
          after_outcome: outcome,
          malignant: evidence.malignantLesions,
          benign: evidence.benignLesions,
          sensitivity: round(evidence.sensitivity.estimate),
          sensitivity_lower: round(evidence.sensitivity.lower),
          specificity: round(evidence.specificity.estimate),
          safety_events: eventCount,
          unacknowledged_safety_events: evidence.unacknowledgedSafetyEvents,
          criteria_met: evidence.criteriaMet,
          met_ignoring_safety_events: metIgnoringSafetyEvents,
          deferral: status,
        });
      }
      if (outcome % 100 === 0) log(`[${arm}] ${outcome} results recorded; sensitivity lower bound ${round(evidence.sensitivity.lower, 3)}; ${eventCount} safety events; deferral ${status}`);
    }
    timings.outcomes_seconds = seconds(phase);
    const final = await computeLocalValidation(db, model.id);
    const localCases = replay.map((item) => ({ malignant: item.malignant, p: predictionOf.get(item.lesionId)?.pMalignant ?? null }));
    const scored = localCases.filter((c): c is { malignant: boolean; p: number } => c.p !== null);
    const auc = rocAuc(scored.map((c) => c.p), scored.map((c) => c.malignant));
    const aucInterval = bootstrapAucInterval(scored.map((c) => c.p), scored.map((c) => c.malignant));
    const strict = criteriaTimeline(points, "criteriaMet");
    const lenient = criteriaTimeline(points, "metIgnoringSafetyEvents");
    const suspension = transitions.find((t) => t.status === "SUSPENDED") ?? null;
    // Malignant lesions the model scored below its threshold: each is a CALLED_LIKELY_BENIGN event only where the flag
    // policy flagged it LIKELY_BENIGN (an out-of-distribution image sends it to REVIEW_REQUIRED instead).
    const missed = replay.filter((item) => item.malignant && (predictionOf.get(item.lesionId)?.pMalignant ?? Infinity) < (predictionOf.get(item.lesionId)?.threshold ?? 0));
    const missedOod = missed.filter((item) => {
      const p = predictionOf.get(item.lesionId)!;
      return p.oodScore !== null && p.oodThreshold !== null && p.oodScore > p.oodThreshold;
    }).length;

    const result = {
      arm,
      database_seconds_total: null as number | null,
      model: { version: model.version, threshold: round(model.threshold), out_of_distribution_detector: hasOodDetector },
      import: {
        imported: imported.imported,
        lesions: imported.lesionsCreated,
        patients: imported.patientsCreated,
        rejected: imported.rejected.length,
        skipped_as_duplicate_pictures: duplicates,
      },
      clinic_lesions: replay.length,
      scoring: {
        scored: scoring.scored,
        failed: scoring.failed.length,
        image_quality_failed: qualityFailed,
        out_of_distribution: hasOodDetector ? outOfDistribution : null,
        below_threshold: predictions.filter((p) => p.pMalignant < p.threshold).length,
        flags_after_scoring: flagsBefore.map((g) => ({ kind: g.kind, status: g.status, deferral_suggested: g.deferralSuggested, count: g._count._all })),
        impression_changes_flag_for_lesions: arm === "biopsy-planned" ? impressionDependent : null,
      },
      shadow_scores_on_all_clinic_cases: {
        lesions: scored.length,
        malignant: scored.filter((c) => c.malignant).length,
        auc: round(auc),
        auc_95ci: aucInterval && [round(aucInterval.lower), round(aucInterval.upper)],
      },
      local_validation: {
        criteria: DEFAULT_LOCAL_VALIDATION_CRITERIA,
        criteria_first_met_after_outcome: strict.firstMetAfter,
        criteria_held_from_outcome_to_end: strict.heldFromThenOn,
        criteria_first_lost_after_outcome: strict.firstLostAfter,
        outcomes_with_criteria_met: strict.outcomesMet,
        criteria_met_stretches: strict.stretches,
        ignoring_unacknowledged_safety_events: {
          first_met_after_outcome: lenient.firstMetAfter,
          held_from_outcome_to_end: lenient.heldFromThenOn,
          outcomes_met: lenient.outcomesMet,
          stretches: lenient.stretches,
        },
        at_end: criteriaSummary(final),
      },
      safety_monitor: {
        safety_events: eventCount,
        malignant_scored_below_threshold: missed.length,
        of_which_out_of_distribution: hasOodDetector ? missedOod : null,
        events_by_kind: Object.fromEntries([...new Set(events.map((e) => e.kind))].map((kind) => [kind, events.filter((e) => e.kind === kind).length])),
        first_event_after_outcome: events[0]?.after_outcome ?? null,
        deferral_ever_enabled: everEnabled,
        suspended: suspension !== null,
        suspended_after_outcome: suspension?.after_outcome ?? null,
        deferral_transitions: transitions,
        deferral_status_at_end: status,
        events,
      },
      timeline,
      retraining: null as unknown,
      timings,
    };

    // 4. Retraining through the platform's own run, on the clinic's confirmed cases.
    if (context.retrain) {
      phase = performance.now();
      const deferralAtLaunch = (await db.modelVersion.findUniqueOrThrow({ where: { id: model.id }, select: { deferralStatus: true } })).deferralStatus;
      const params: TrainingParams = {
        baseDataset: null,
        recipe: "mobilenetv2-finetune",
        includeClinicCases: true,
        epochs: options.epochs,
        timeBudgetMinutes: options.timeBudgetMinutes,
        targetSensitivity: 0.95,
      };
      const boss = await startBoss(url, "sender");
      let runId: string;
      try {
        runId = (await launchTrainingRun({ db, boss, actorId: admin, params, trigger: "MANUAL" })).id;
      } finally {
        await boss.stop({ graceful: false, wait: true }).catch(() => {});
      }
      log(`[${arm}] retraining ${runId}: clinic cases only, ${params.epochs} epochs, budget ${params.timeBudgetMinutes} min`);
      const outcome = await executeTrainingRun({ db, runId, store, modelStoreDir, importRoot: SHARED_DATA_DIR, workRoot: path.join(armRoot, "training-runs"), log: (line) => log(`[${arm}] [training] ${line}`) });
      timings.retraining_seconds = seconds(phase);
      const run = await db.trainingRun.findUniqueOrThrow({
        where: { id: runId },
        select: { status: true, error: true, message: true, backend: true, result: true, modelVersion: { select: { version: true, threshold: true, gateResults: true, status: true, storagePath: true } } },
      });
      result.retraining = retrainingFigures({ outcome, run, params, deferralAtLaunch, replay, predictionOf });
    }
    timings.arm_seconds = seconds(started);
    return result;
  } finally {
    await db.$disconnect();
  }
}

function retrainingFigures(options: {
  outcome: string;
  run: { status: string; error: string | null; message: string | null; backend: string | null; result: unknown; modelVersion: { version: string; threshold: number; gateResults: unknown; status: string; storagePath: string } | null };
  params: TrainingParams;
  deferralAtLaunch: string;
  replay: { imageId: string; lesionId: string; malignant: boolean }[];
  predictionOf: Map<string, { pMalignant: number; threshold: number }>;
}) {
  const { run, params } = options;
  const base = { outcome: options.outcome, status: run.status, error: run.error, message: run.message, backend: run.backend, params, deferral_status_at_launch: options.deferralAtLaunch };
  if (run.status !== "SUCCEEDED" || !run.result || !run.modelVersion) return base;
  const result = run.result as TrainingRunResult;
  const { comparison } = result;
  const sensitivityInterval = (missed: number) => proportion(wilsonInterval(comparison.testMalignant - missed, comparison.testMalignant));
  const side = (m: TrainingRunResult["comparison"]["candidate"]) => ({
    version: m.version,
    threshold: round(m.threshold),
    auc: round(m.auc),
    auc_95ci: m.aucLower === null ? null : [round(m.aucLower), round(m.aucUpper)],
    sensitivity: round(m.sensitivity),
    sensitivity_95ci: sensitivityInterval(m.missedMalignant),
    specificity: round(m.specificity),
    missed_malignant: m.missedMalignant,
    ece: round(m.ece),
  });
  // Cross-check: the active model's shadow-mode scores (made by the platform before any result) on the same locked
  // test lesions. The clinic-only run's locked test set is exactly the clinic lesions the salted hash puts in test.
  // The key loadClinicCases gives an imported lesion (its externalId), as locked-split.ts hashes it.
  const testCases = options.replay.filter((item) => clinicSplitOf(lesionKey({ id: "", lesionId: sourceIdOf(`${DATASET_CODE}:${item.imageId}`) }), SPLIT_SALT) === "test");
  const shadow = testCases.map((item) => ({ malignant: item.malignant, p: options.predictionOf.get(item.lesionId)!.pMalignant }));
  const shadowAuc = rocAuc(shadow.map((c) => c.p), shadow.map((c) => c.malignant));
  const activeThreshold = options.predictionOf.get(options.replay[0]!.lesionId)!.threshold;
  const shadowMalignant = shadow.filter((c) => c.malignant);
  return {
    ...base,
    data: result.data,
    locked_test: {
      scope: "the clinic's lesions in the deployment's locked test part (no base data set in this run)",
      images: comparison.testImages,
      lesions: result.data.lockedTest.lesions,
      malignant: comparison.testMalignant,
      fingerprint_of_this_database: result.data.lockedTest.fingerprint,
      // The service's fingerprint hashes database image ids (new on every run); this one hashes the ISIC ids.
      isic_ids_sha256: createHash("sha256").update(testCases.map((item) => item.imageId).sort().join("\n")).digest("hex").slice(0, 16),
      split_salt: SPLIT_SALT,
    },
    before_active: comparison.active ? side(comparison.active) : null,
    after_candidate: side(comparison.candidate),
    active_from_shadow_scores_on_same_lesions: {
      lesions: shadow.length,
      auc: round(shadowAuc),
      sensitivity: round(shadowMalignant.filter((c) => c.p >= activeThreshold).length / Math.max(1, shadowMalignant.length)),
    },
    candidate: {
      version: run.modelVersion.version,
      status: run.modelVersion.status,
      threshold: round(run.modelVersion.threshold),
      // "malignancy" when a training or validation image has no 7-class diagnosis (scc): P(malignant) is then trained directly.
      label_mode: readModelDirectory(run.modelVersion.storagePath).metadata.labelMode,
      promotion_gates: run.modelVersion.gateResults,
    },
    training: result.training,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const log = (line: string) => console.log(`[new-clinic] ${line}`);
  const startedAt = new Date();
  const machine = machineInfo();
  const labelsFile = path.join(ISIC2019_180_DIR, "labels.csv");
  if (!existsSync(labelsFile)) throw new Error(`${labelsFile} not found: the benchmark needs ../shared/data/isic2019-180`);
  const all = crossSourceCases(readFileSync(labelsFile, "utf8"));
  const cases = orderCases(all, options.order).slice(0, options.cases ?? undefined);
  const newest = listModelVersions(PRETRAINED_DIR).at(-1);
  if (!newest) throw new Error(`no model in ${PRETRAINED_DIR}`);
  const hasOod = existsSync(path.join(newest.dir, "ood.json"));
  log(`${cases.length} of ${all.length} cross-source cases, ${describeOrder(options.order)}; model ${newest.version}${hasOod ? " (with ood.json)" : ""}; arms ${options.arms.join(", ")}`);

  const workRoot = mkdtempSync(path.join(os.tmpdir(), "dermflag-new-clinic-"));
  // Run as root, embedded PostgreSQL runs as a `postgres` user, which must be able to reach its data folder in here.
  chmodSync(workRoot, 0o755);
  let handle: EmbeddedPostgresHandle | undefined;
  try {
    const importFolder = path.join(workRoot, "clinic-folder");
    writeImportFolder(cases, importFolder);
    handle = await startEmbeddedPostgres({ dataDir: path.join(workRoot, "postgres"), persistent: false });
    const arms = [];
    for (const [index, arm] of options.arms.entries()) {
      arms.push(await runArm(arm, { handle, cases, importFolder, workRoot, modelDir: newest, options, retrain: index === 0, log }));
    }
    const headline = arms[0]!;
    type Side = { auc: number | null; sensitivity: number | null; threshold: number | null };
    const retraining = headline.retraining as
      | { deferral_status_at_launch: string; locked_test?: { images: number; malignant: number }; before_active?: Side | null; after_candidate?: Side }
      | null;
    const byDiagnosis = Object.fromEntries([...new Set(cases.map((c) => c.diagnosis))].sort().map((d) => [d, cases.filter((c) => c.diagnosis === d).length]));
    const report = {
      benchmark: "new-clinic replay (issue 13)",
      note: "A replay of public archive images through DermFlag's own services, not a clinical study: the 'clinic' is ISIC 2019 images from other contributors than HAM10000, one image per lesion, every lesion biopsied, results arriving in the order below. Every number here comes from this command.",
      date: startedAt.toISOString().slice(0, 10),
      started_at: startedAt.toISOString(),
      finished_at: new Date().toISOString(),
      command: `nice npm run bench:new-clinic${options.args.length ? ` -- ${options.args.join(" ")}` : ""}`,
      quick: options.quick,
      machine,
      model: { version: newest.version, dir: path.relative(REPO_ROOT, newest.dir), out_of_distribution_detector: hasOod },
      clinic_cases: headline.clinic_lesions,
      clinic_cases_note: "lesions replayed: one per distinct picture (the importer stores a byte-identical copy once); each scored in shadow mode before its biopsy result",
      clinic_rows: cases.length,
      clinic_malignant: headline.local_validation.at_end.malignant_lesions,
      clinic_benign: headline.local_validation.at_end.benign_lesions,
      clinic_diagnoses: byDiagnosis,
      order: { ...options.order, description: describeOrder(options.order), first_image_ids: cases.slice(0, 5).map((c) => c.imageId) },
      assessments: {
        headline_arm: headline.arm,
        policy:
          "The source records no clinician call. Headline arm 'biopsy-planned': each lesion carries an assessment with plan BIOPSY (a fact: every lesion was biopsied) and impression UNCERTAIN as a stand-in the form requires. With a biopsy planned the flag policy's decision does not depend on the impression (checked for every lesion: impression_changes_flag_for_lesions), so LIKELY_BENIGN = scored below the threshold, shown as 'model in local validation' while in shadow mode, and a malignant result on such a lesion is a CALLED_LIKELY_BENIGN safety event. Arm 'no-assessment': nothing recorded, so no flag and no 'called likely benign' event can arise; local validation is the same.",
      },
      threshold: headline.model.threshold,
      local_validation_criteria: DEFAULT_LOCAL_VALIDATION_CRITERIA,
      criteria_first_met_after_outcome: headline.local_validation.criteria_first_met_after_outcome,
      criteria_first_met_after_outcome_ignoring_safety_events: headline.local_validation.ignoring_unacknowledged_safety_events.first_met_after_outcome,
      deferral_enabled_before_retraining: (retraining?.deferral_status_at_launch ?? headline.safety_monitor.deferral_status_at_end) === "ENABLED",
      deferral_ever_enabled: headline.safety_monitor.deferral_ever_enabled,
      safety_events: headline.safety_monitor.safety_events,
      first_safety_event_after_outcome: headline.safety_monitor.first_event_after_outcome,
      suspended: headline.safety_monitor.suspended,
      suspended_after_outcome: headline.safety_monitor.suspended_after_outcome,
      shadow_auc_all_clinic_cases: headline.shadow_scores_on_all_clinic_cases.auc,
      local_sensitivity_at_end: headline.local_validation.at_end.sensitivity,
      proposed_local_threshold_at_end: headline.local_validation.at_end.proposed_local_threshold,
      retraining_choice:
        "The clinic's confirmed cases only (no base data set): the run's locked test part is then exactly this clinic's lesions, so the platform's own comparison and promotion gates judge the candidate where it will be used (with a base data set, HAM10000's locked test lesions would outnumber the clinic's about ten to one in both); it trains in minutes on the clinic's CPUs. The price: the candidate learns from ~500 local lesions only (ImageNet MobileNetV2 fine-tuned; it does not start from the active model) and knows this clinic's case mix (mostly melanoma and nevus) and little else.",
      locked_test_images: retraining?.locked_test?.images ?? null,
      locked_test_malignant: retraining?.locked_test?.malignant ?? null,
      auc_before: retraining?.before_active?.auc ?? null,
      auc_after: retraining?.after_candidate?.auc ?? null,
      sensitivity_before: retraining?.before_active?.sensitivity ?? null,
      sensitivity_after: retraining?.after_candidate?.sensitivity ?? null,
      threshold_before: retraining?.before_active?.threshold ?? null,
      threshold_after: retraining?.after_candidate?.threshold ?? null,
      arms,
    };
    const written = writeResults(options.out, report);
    log(`wrote ${written}`);
    log(
      `criteria first met after ${report.criteria_first_met_after_outcome ?? "never"}; safety events ${report.safety_events}; suspended ${report.suspended}; ` +
        `AUC ${report.auc_before} -> ${report.auc_after}; sensitivity ${report.sensitivity_before} -> ${report.sensitivity_after} (locked test ${report.locked_test_images} images)`,
    );
  } finally {
    await disposePredictors();
    await handle?.stop().catch(() => {});
    rmSync(workRoot, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
