/**
 * Puts a verified model directory into the deployment's model store (MODEL_STORE_DIR/<version>) and registers it,
 * with its promotion gates computed against the active model. The copy is written atomically and verified again
 * after the copy, so the registry only ever points at a complete, hash-checked directory.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { EvaluationReport } from "@/ml/pipeline";
import { readModelDirectory, writeDirectoryAtomically } from "@/ml/store";
import type { Db } from "../../db/client";
import { DEFAULT_AUC_TOLERANCE, evaluatePromotionGates, type GateResults } from "./promotion-gates";
import { SHARED_DATA_DIR } from "@/ml/data/shared-data";
import { registerModelVersion } from "./registry";
import { recordTrainingLesions, trainingLesionsOfModelDirectory } from "./training-lesions";

function copyIntoStore(sourceDir: string, storeDir: string, version: string): string {
  const target = path.resolve(storeDir, version);
  if (path.resolve(sourceDir) === target) return target;
  if (!existsSync(target)) {
    const files = readdirSync(sourceDir, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => ({ name: entry.name, data: readFileSync(path.join(sourceDir, entry.name)) }));
    writeDirectoryAtomically(target, files);
  }
  return target;
}

interface TestIdentity {
  source: string;
  n: number;
  malignant: number;
}

function testIdentity(report: EvaluationReport, source: string): TestIdentity {
  return { source, n: report.test.n, malignant: report.test.malignant };
}

/**
 * Gates from the models' stored reports. AUCs are compared only when both models were evaluated on the same test
 * set (same data source and case counts); otherwise the AUC gate fails and says so, and promotion needs an
 * evaluation on the locked test set or an admin override with a reason.
 */
export async function gatesAgainstActive(db: Db, candidateDir: string, targetSensitivity: number): Promise<GateResults> {
  const candidate = readModelDirectory(candidateDir);
  const report = candidate.metrics as EvaluationReport;
  const activeRow = await db.modelVersion.findFirst({ where: { status: "ACTIVE" }, select: { version: true, storagePath: true } });
  let active: { version: string; auc: number | null; ece: number | null; avoidableBiopsyRate: number | null } | null = null;
  if (activeRow) {
    const activeModel = readModelDirectory(activeRow.storagePath);
    const activeReport = activeModel.metrics as EvaluationReport;
    const same =
      JSON.stringify(testIdentity(activeReport, activeModel.metadata.data.source)) ===
      JSON.stringify(testIdentity(report, candidate.metadata.data.source));
    // Figures from a different test set are not comparable: null, so the comparing gates fail rather than mislead.
    active = {
      version: activeRow.version,
      auc: same ? activeReport.test.binary.auc : null,
      ece: same ? activeReport.test.binary.ece : null,
      avoidableBiopsyRate: same ? (activeReport.test.biopsy?.perLesion.avoidableRate?.estimate ?? null) : null,
    };
  }
  return evaluatePromotionGates({
    targetSensitivity,
    aucTolerance: DEFAULT_AUC_TOLERANCE,
    candidate: {
      sensitivity: report.test.binary.metrics.sensitivity.estimate,
      auc: report.test.binary.auc,
      ece: report.test.binary.ece,
      avoidableBiopsyRate: report.test.biopsy?.perLesion.avoidableRate?.estimate ?? null,
      trainingImages: candidate.metadata.data.counts.train,
    },
    active,
  });
}

/**
 * Installs and registers a model directory, and records the lesions it was trained and validated on in the same
 * transaction (training-lesions.ts): from the directory's own list, or from a data set under `dataRoots` whose
 * records hash to the model's training and validation hashes. When neither establishes them, the version is
 * registered with its training cases unknown (`trainingLesions: null`), which the outcomes dashboard states.
 */
export async function installModel(options: {
  db: Db;
  sourceDir: string;
  storeDir: string;
  trainingRunId?: string | null;
  /** Folders holding data sets (SHARED_DATA_DIR); default: the repository's ../shared/data. */
  dataRoots?: readonly string[];
}) {
  const verified = readModelDirectory(options.sourceDir);
  const dir = copyIntoStore(verified.dir, options.storeDir, verified.version);
  const gates = await gatesAgainstActive(options.db, dir, verified.metadata.operatingPoint.targetSensitivity);
  const trainingLesions = trainingLesionsOfModelDirectory(verified, options.dataRoots ?? [SHARED_DATA_DIR]);
  const registered = await options.db.$transaction(
    async (tx) => {
      const model = await registerModelVersion({ db: tx, modelDir: dir, gateResults: gates, trainingRunId: options.trainingRunId });
      if (trainingLesions) await recordTrainingLesions(tx, model.id, trainingLesions);
      return model;
    },
    { timeout: 60_000 },
  );
  return { ...registered, trainingLesions: trainingLesions ? { source: trainingLesions.source, lesions: trainingLesions.lesions.size } : null };
}
