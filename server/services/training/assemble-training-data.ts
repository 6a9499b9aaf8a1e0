/**
 * A run's data: the chosen base data set and/or the clinic's confirmed cases, with the deployment's lesion-disjoint
 * splits applied (locked-split.ts). The summary says what went in, and which locked test set it was compared on.
 */
import path from "node:path";
import type { ImageRecord } from "@/ml/data";
import { loadDataset } from "@/ml/pipeline";
import type { Db } from "../../db/client";
import type { ImageStore } from "../images/image-store";
import { listAvailableDatasets } from "../imports/import-runs";
import { loadClinicCases } from "./clinic-cases";
import { applyDeploymentSplits, deploymentSplitSalt, testSetIdentity } from "./locked-split";
import type { TrainingParams } from "./training-params";
import type { TrainingDataSummary } from "./training-run-result";

/** Data sets the training pipeline can read (a HAM10000-style CSV folder is imported first, then used as clinic cases). */
export const TRAINABLE_DATASET_KINDS = ["DERMAMNIST", "FOLDER_LAYOUT"] as const;

export function trainableDatasets(importRoot: string) {
  return listAvailableDatasets(importRoot).filter((dataset) => (TRAINABLE_DATASET_KINDS as readonly string[]).includes(dataset.kind));
}

/** One training batch (ml/training's default batch size). */
export const MIN_TRAINING_IMAGES = 64;

export class TrainingDataError extends Error {
  override readonly name = "TrainingDataError";
}

export async function assembleTrainingData(options: {
  db: Db;
  store: ImageStore;
  params: TrainingParams;
  importRoot: string;
  workDir: string;
  signal?: AbortSignal;
}): Promise<{ records: ImageRecord[]; summary: TrainingDataSummary }> {
  const { params } = options;
  let base: ImageRecord[] = [];
  let baseDescription: string | null = null;
  if (params.baseDataset !== null) {
    const dataset = trainableDatasets(options.importRoot).find((candidate) => candidate.source === params.baseDataset);
    if (!dataset) throw new TrainingDataError(`No trainable data set named "${params.baseDataset}" under the import folder.`);
    const loaded = loadDataset({ root: path.join(options.importRoot, dataset.source) });
    base = loaded.records;
    baseDescription = loaded.description;
  }
  const clinic = params.includeClinicCases
    ? await loadClinicCases({
        db: options.db,
        store: options.store,
        dir: path.join(options.workDir, "clinic-images"),
        baseImageIds: new Set(base.map((record) => record.id)),
        signal: options.signal,
      })
    : null;
  const records = applyDeploymentSplits({ base, clinic: clinic?.records ?? [], salt: await deploymentSplitSalt(options.db) });
  const counts = { train: { images: 0, malignant: 0 }, val: { images: 0, malignant: 0 }, test: { images: 0, malignant: 0 } };
  for (const record of records) {
    if (record.malignant === null) continue;
    counts[record.split].images += 1;
    if (record.malignant) counts[record.split].malignant += 1;
  }
  if (counts.train.images < MIN_TRAINING_IMAGES) {
    throw new TrainingDataError(
      `Not enough confirmed cases to train: the train split has ${counts.train.images} labelled images; at least ${MIN_TRAINING_IMAGES} are needed. Add a base data set.`,
    );
  }
  for (const split of ["train", "val", "test"] as const) {
    const { images, malignant } = counts[split];
    if (malignant === 0 || malignant === images) {
      throw new TrainingDataError(
        `Not enough confirmed cases to train: the ${split} split has ${images} labelled images, ${malignant} malignant; it needs both benign and malignant cases.`,
      );
    }
  }
  const description = [baseDescription, clinic ? `${clinic.records.length} confirmed clinic images (${clinic.lesions} lesions)` : null]
    .filter(Boolean)
    .join(" + ");
  return {
    records,
    summary: {
      description,
      baseDataset: params.baseDataset,
      clinic: clinic
        ? { images: clinic.records.length, lesions: clinic.lesions, alreadyInBase: clinic.alreadyInBase, missingFromStore: clinic.missingFromStore }
        : null,
      counts,
      lockedTest: testSetIdentity(records),
    },
  };
}
