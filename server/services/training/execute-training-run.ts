/**
 * Runs one queued TrainingRun, inside the training process (never the web process): claims it, assembles the data
 * with the deployment's locked split, trains and evaluates (ml/pipeline), scores the active model on the same locked
 * test cases, computes the promotion gates, and registers the candidate and finishes the run in one transaction.
 *
 * Every second it writes its progress and a heartbeat, and reads whether an admin asked to cancel. A run whose
 * heartbeat stops (its process was killed) is failed by the worker's reaper (training-runs.ts). The model is saved
 * atomically and verified before it is registered; a run that does not finish leaves no registered model, and the
 * active model is never touched.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { initBackend } from "@/ml/backend";
import { trainAndEvaluate, type TrainAndEvaluateResult } from "@/ml/pipeline";
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { recordAudit } from "../audit/record-audit";
import type { ImageStore } from "../images/image-store";
import { DEFAULT_AUC_TOLERANCE, evaluatePromotionGates } from "../models/promotion-gates";
import { registerModelVersion } from "../models/registry";
import { recordTrainingLesions, trainingLesionsOfRecords } from "../models/training-lesions";
import { assembleTrainingData } from "./assemble-training-data";
import { evaluateActiveModel, summariseOnTestSet, type ModelComparison } from "./compare-models";
import { overallFraction, progressFromPipeline, type RunPhase, type TrainingRunProgress } from "./training-progress";
import { trainingParamsSchema } from "./training-params";
import type { TrainingRunResult } from "./training-run-result";

export type { TrainingRunResult } from "./training-run-result";

export interface ExecuteTrainingRunOptions {
  db: Db;
  runId: string;
  store: ImageStore;
  modelStoreDir: string;
  /** Folder holding the base data sets (SHARED_DATA_DIR). */
  importRoot: string;
  /** The run's scratch folder goes under it (deleted at the end). */
  workRoot: string;
  /** Aborted when this process must stop (its worker went away, SIGTERM): the run is marked failed. */
  stopSignal?: AbortSignal;
  /** Heartbeat, progress write and cancel check interval (default 1 s). */
  reportIntervalMs?: number;
  log?: (line: string) => void;
}

export type ExecuteOutcome = "SUCCEEDED" | "FAILED" | "CANCELLED" | "NOT_CLAIMED";

const json = (value: unknown) => JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;

export async function executeTrainingRun(options: ExecuteTrainingRunOptions): Promise<ExecuteOutcome> {
  const { db, runId } = options;
  const log = options.log ?? (() => {});
  const startedAt = new Date();
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  let progress: TrainingRunProgress = {
    phase: "prepare-data",
    message: "Starting",
    overall: 0,
    epoch: null,
    epochs: null,
    loss: null,
    valAuc: null,
    etaSeconds: null,
    imagesPerSecond: null,
    elapsedSeconds: 0,
  };
  const claimed = await db.trainingRun.updateMany({
    where: { id: runId, status: "QUEUED", cancelRequestedAt: null },
    data: { status: "RUNNING", startedAt, heartbeatAt: startedAt, progress: json(progress), error: null },
  });
  if (claimed.count === 0) return "NOT_CLAIMED";
  const run = await db.trainingRun.findUniqueOrThrow({ where: { id: runId }, select: { params: true, requestedById: true } });

  const cancel = new AbortController();
  const signal = options.stopSignal ? AbortSignal.any([cancel.signal, options.stopSignal]) : cancel.signal;
  const setPhase = (phase: RunPhase, message: string, fraction: number | null = null) => {
    progress = { ...progress, phase, message, overall: overallFraction(phase, fraction), etaSeconds: null, elapsedSeconds: elapsed() };
  };

  // One writer: progress + heartbeat, and the admin's cancel request, once per interval.
  let reporting = true;
  const reporter = (async () => {
    const interval = options.reportIntervalMs ?? 1000;
    while (reporting) {
      await new Promise((resolve) => setTimeout(resolve, interval));
      if (!reporting) break;
      try {
        await db.trainingRun.updateMany({
          where: { id: runId, status: "RUNNING" },
          data: { heartbeatAt: new Date(), progress: json({ ...progress, elapsedSeconds: elapsed() }) },
        });
        const row = await db.trainingRun.findUnique({ where: { id: runId }, select: { cancelRequestedAt: true, status: true } });
        if (!reporting) break;
        if (row?.cancelRequestedAt != null) cancel.abort(new Error("cancelled by an admin"));
        // The reaper gave up on this run (the process stalled too long): stop, do not register anything.
        else if (row?.status !== "RUNNING") cancel.abort(new Error(`the run was marked ${row?.status ?? "deleted"} while it ran`));
      } catch (error) {
        log(`progress write failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  })();

  const workDir = path.join(options.workRoot, runId);
  let trained: TrainAndEvaluateResult | null = null;
  let registered = false;
  try {
    const params = trainingParamsSchema.parse(run.params);
    const backend = await initBackend({ log });
    await db.trainingRun.update({ where: { id: runId }, data: { backend: `${backend.name} (${backend.isGpu ? "GPU" : "CPU"})` } });

    setPhase("prepare-data", "Collecting the training data and the locked test set");
    const { records, summary } = await assembleTrainingData({
      db,
      store: options.store,
      params,
      importRoot: options.importRoot,
      workDir,
      signal,
    });
    log(`data: ${summary.counts.train.images} train, ${summary.counts.val.images} val, ${summary.lockedTest.images} locked test images`);

    trained = await trainAndEvaluate({
      data: { records, description: summary.description },
      modelsDir: options.modelStoreDir,
      training: { recipe: params.recipe },
      epochs: params.epochs ?? undefined,
      timeBudgetSeconds: params.timeBudgetMinutes === null ? undefined : params.timeBudgetMinutes * 60,
      targetSensitivity: params.targetSensitivity,
      backend,
      signal,
      onProgress: (event) => {
        progress = progressFromPipeline(event, elapsed(), progress);
      },
    });
    const candidateVersion = trained.saved.version;

    setPhase("compare", "Scoring the active model on the same locked test cases");
    const active = await evaluateActiveModel({
      db,
      records,
      signal,
      onProgress: (done, total) => setPhase("compare", "Scoring the active model on the same locked test cases", done / total),
    });
    const candidate = summariseOnTestSet(candidateVersion, trained.report);
    const comparison: ModelComparison = {
      testImages: trained.report.test.binary.n,
      testMalignant: trained.report.test.binary.positives,
      candidate,
      active: active ? summariseOnTestSet(active.version, active.report) : null,
    };
    const gates = evaluatePromotionGates({
      targetSensitivity: params.targetSensitivity,
      aucTolerance: DEFAULT_AUC_TOLERANCE,
      candidate: {
        sensitivity: candidate.sensitivity,
        auc: candidate.auc,
        ece: candidate.ece,
        avoidableBiopsyRate: candidate.avoidableBiopsyRate,
        trainingImages: trained.metadata.data.counts.train,
      },
      active: comparison.active
        ? { version: comparison.active.version, auc: comparison.active.auc, ece: comparison.active.ece, avoidableBiopsyRate: comparison.active.avoidableBiopsyRate }
        : null,
    });
    signal.throwIfAborted();

    const result: TrainingRunResult = {
      data: summary,
      modelVersion: candidateVersion,
      comparison,
      training: {
        epochsRun: trained.training.epochsRun,
        bestEpoch: trained.training.bestEpoch,
        stoppedBy: trained.training.stoppedBy,
        imagesPerSecond: trained.training.imagesPerSecond,
        trainSeconds: trained.timings.trainSeconds,
        totalSeconds: elapsed(),
      },
    };
    const savedDir = trained.saved.dir;
    const finished = await db.$transaction(async (tx) => {
      // Still ours? (An admin may have cancelled at the last moment, or the reaper failed a stalled run.)
      const [row] = await tx.$queryRaw<{ status: string; cancelRequestedAt: Date | null }[]>`
        SELECT status, "cancelRequestedAt" FROM "TrainingRun" WHERE id = ${runId} FOR UPDATE`;
      if (row?.status !== "RUNNING" || row.cancelRequestedAt !== null) return false;
      const model = await registerModelVersion({ db: tx, modelDir: savedDir, gateResults: gates, trainingRunId: runId });
      // The lesions it learned from and chose its epochs and threshold on: never evaluated on them (outcomes dashboard).
      await recordTrainingLesions(tx, model.id, { source: `training run: ${summary.description}`, lesions: trainingLesionsOfRecords(records) });
      await tx.trainingRun.update({
        where: { id: runId },
        data: {
          status: "SUCCEEDED",
          finishedAt: new Date(),
          heartbeatAt: new Date(),
          progress: json({ ...progress, phase: "done", message: `Registered ${candidateVersion}`, overall: 1, etaSeconds: null, elapsedSeconds: elapsed() }),
          result: json(result),
          message: `Candidate ${candidateVersion} registered; promotion gates ${gates.passed ? "passed" : "not passed"}.`,
        },
      });
      await recordAudit(tx, {
        actorId: null,
        action: "TRAIN",
        entityType: "ModelVersion",
        entityId: model.id,
        after: { version: candidateVersion, trainingRunId: runId, gates: gates.passed, lockedTest: summary.lockedTest },
      });
      return true;
    }, { timeout: 60_000 });
    if (!finished) throw signal.aborted ? signal.reason : new Error("the run was stopped before its model could be registered");
    registered = true;
    log(`run finished: ${candidateVersion} registered as a candidate`);
    return "SUCCEEDED";
  } catch (error) {
    const cancelled = cancel.signal.aborted && (await isCancelRequested(db, runId));
    const reason = signal.aborted ? signal.reason : error;
    const message = reason instanceof Error ? reason.message : String(reason);
    await db.trainingRun.updateMany({
      where: { id: runId, status: "RUNNING" },
      data: cancelled
        ? { status: "CANCELLED", finishedAt: new Date(), message: "Cancelled by an admin; no model was registered." }
        : { status: "FAILED", finishedAt: new Date(), error: message.slice(0, 2000), message: "Training failed; the active model is unchanged." },
    });
    log(`run ${cancelled ? "cancelled" : `failed: ${message}`}`);
    return cancelled ? "CANCELLED" : "FAILED";
  } finally {
    reporting = false;
    await reporter;
    // A model saved but not registered is never used: remove it.
    if (trained && !registered) await rm(trained.saved.dir, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
  }
}

async function isCancelRequested(db: Db, runId: string): Promise<boolean> {
  const row = await db.trainingRun.findUnique({ where: { id: runId }, select: { cancelRequestedAt: true } });
  return row?.cancelRequestedAt != null;
}
