/**
 * The lesions a model version was trained or validated on, recorded per version (ModelTrainingSet,
 * ModelTrainingLesion) so that the outcomes dashboard never evaluates a model on cases it has seen.
 *
 * Lesion keys (one namespace for data-set lesions and clinic lesions):
 * - `lesion:<id>`          a DermFlag lesion (a clinic case used by a training run);
 * - `source-lesion:<id>`   a data set's lesion id, e.g. HAM10000's `HAM_0000118`. A DermFlag lesion imported from a
 *                          data set keeps it in its external id (`HAM:HAM_0000118`, `ISIC2019-180:HAM_0000118`:
 *                          research-subject.ts), so every imported copy of a training lesion is recognised;
 * - `source-image:<id>`    a data set image with no lesion id (it is its own lesion), e.g. `ISIC_0000123`; matched
 *                          against the external ids of a DermFlag lesion's images.
 *
 * Where the set comes from, in order:
 * 1. a training run records its own train and validation records (execute-training-run.ts), in the transaction that
 *    registers the model;
 * 2. a model directory that lists `training-lesions.json` in its manifest (ml/data lesion keys per split);
 * 3. a data set under the import folder whose train and validation records hash exactly to the model's recorded
 *    `trainingHash` / `validationHash` (the committed demo model: HAM10000's official train + val split of
 *    ham10000-200 or dermamnist-28, whose labels.csv files carry the same split and lesion ids).
 * Otherwise the model's training cases are unknown, and the dashboard says so.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { lesionKey, type ImageRecord } from "@/ml/data";
import { detectDatasetFormat, loadDataset, type DatasetFormat } from "@/ml/pipeline";
import { labelledRecordsHash, TRAINING_LESIONS_JSON, type VerifiedModel } from "@/ml/store";
import type { Db } from "../../db/client";
import { Prisma } from "../../db/generated/client";
import { sourceIdOf } from "../imports/research-subject";
import { CLINIC_LESION_PREFIX } from "../training/clinic-cases";

export type TrainingSplit = "train" | "val";

export interface TrainingLesionSet {
  /** How the set was established (shown on the dashboard). */
  source: string;
  /** Lesion key -> the split it was used in. */
  lesions: ReadonlyMap<string, TrainingSplit>;
}

/** "train/benign/ISIC_0000123.jpg" -> "ISIC_0000123". */
function imageIdOfRecordId(recordId: string): string {
  return path.parse(recordId.replaceAll("\\", "/").split("/").at(-1)!).name;
}

/**
 * The DermFlag key of an ml/data lesion key. Clinic records (clinic-cases.ts) carry `clinic-<lesion id>` or the
 * lesion's namespaced external id; base data sets carry their own lesion id, or none (the image is its own lesion).
 */
export function keyOfMlLesionKey(mlKey: string): string {
  if (mlKey.startsWith("image:")) return `source-image:${imageIdOfRecordId(mlKey.slice("image:".length))}`;
  if (!mlKey.startsWith("lesion:")) throw new RangeError(`not an ml/data lesion key: ${mlKey}`);
  const id = mlKey.slice("lesion:".length);
  if (id.startsWith(CLINIC_LESION_PREFIX)) return `lesion:${id.slice(CLINIC_LESION_PREFIX.length)}`;
  return `source-lesion:${sourceIdOf(id)}`;
}

export function keyOfRecord(record: Pick<ImageRecord, "id" | "lesionId">): string {
  return keyOfMlLesionKey(lesionKey(record));
}

/** The labelled train and validation records' lesions (the records the pipeline trains on and hashes). */
export function trainingLesionsOfRecords(records: readonly ImageRecord[]): Map<string, TrainingSplit> {
  const lesions = new Map<string, TrainingSplit>();
  for (const record of records) {
    if (record.malignant === null || (record.split !== "train" && record.split !== "val")) continue;
    const key = keyOfRecord(record);
    // A lesion in both (never, with a lesion-safe split) counts as train.
    if (lesions.get(key) !== "train") lesions.set(key, record.split);
  }
  return lesions;
}

function fromModelFile(model: VerifiedModel): TrainingLesionSet | null {
  // Read and hash-checked with the rest of the model directory (ml/store read-model).
  const parsed = model.trainingLesions;
  if (parsed === null) return null;
  const lesions = new Map<string, TrainingSplit>();
  for (const key of parsed.val) lesions.set(keyOfMlLesionKey(key), "val");
  for (const key of parsed.train) lesions.set(keyOfMlLesionKey(key), "train");
  return { source: `${TRAINING_LESIONS_JSON} in the model directory`, lesions };
}

const labelled = (records: readonly ImageRecord[], split: TrainingSplit) => records.filter((record) => record.split === split && record.malignant !== null);

/** Folder-layout models record their validation carve in the data description. */
function folderOptions(description: string): { valFraction: number; splitSeed: number } | null {
  const match = /validation = ([0-9.]+) of train by lesion, seed (\d+)/.exec(description);
  return match ? { valFraction: Number(match[1]), splitSeed: Number(match[2]) } : null;
}

function fromDataSets(model: VerifiedModel, dataRoots: readonly string[]): TrainingLesionSet | null {
  const { trainingHash, validationHash, source } = model.metadata.data;
  const format: DatasetFormat | null = source.startsWith("DermaMNIST") ? "dermamnist" : source.startsWith("Folder layout") ? "folder" : null;
  if (format === null) return null;
  const folder = format === "folder" ? folderOptions(source) : null;
  if (format === "folder" && folder === null) return null;
  const named = /\bfrom (\S+)/.exec(source)?.[1];
  const candidates: string[] = [];
  for (const root of dataRoots) {
    if (!existsSync(root) || !statSync(root).isDirectory()) continue;
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      if (entry.isDirectory() || entry.isSymbolicLink()) candidates.push(path.join(root, entry.name));
    }
  }
  // The data set the description names first; another copy of the same split (dermamnist-28 for ham10000-200) also counts.
  candidates.sort((a, b) => Number(path.basename(b) === named) - Number(path.basename(a) === named));
  for (const dir of candidates) {
    let records: ImageRecord[];
    try {
      if (detectDatasetFormat(dir) !== format) continue;
      records = loadDataset({ root: dir, format, ...(folder ?? {}) }).records;
    } catch {
      continue; // not a data set, or one that does not read: not this model's
    }
    if (labelledRecordsHash(labelled(records, "train")) !== trainingHash) continue;
    if (labelledRecordsHash(labelled(records, "val")) !== validationHash) continue;
    return {
      source: `${path.basename(dir)}: its train and validation records match the model's recorded data hashes`,
      lesions: trainingLesionsOfRecords(records),
    };
  }
  return null;
}

/**
 * A model directory's training lesions, from its own file or from a data set under `dataRoots` whose records hash
 * to the model's training and validation hashes; null when neither establishes them.
 */
export function trainingLesionsOfModelDirectory(model: VerifiedModel, dataRoots: readonly string[]): TrainingLesionSet | null {
  return fromModelFile(model) ?? fromDataSets(model, dataRoots);
}

const INSERT_CHUNK = 5000;

/**
 * Records a model version's training lesions, once (a model version is immutable: a second call changes nothing).
 * Call it inside the transaction that registers the version.
 */
export async function recordTrainingLesions(
  tx: Pick<Db, "modelTrainingSet" | "modelTrainingLesion">,
  modelVersionId: string,
  set: TrainingLesionSet,
): Promise<{ recorded: boolean }> {
  if (await tx.modelTrainingSet.findUnique({ where: { modelVersionId }, select: { modelVersionId: true } })) return { recorded: false };
  const rows = [...set.lesions].map(([lesionKey, split]) => ({ modelVersionId, lesionKey, split }));
  await tx.modelTrainingSet.create({
    data: {
      modelVersionId,
      source: set.source.slice(0, 1000),
      trainLesions: rows.filter((row) => row.split === "train").length,
      valLesions: rows.filter((row) => row.split === "val").length,
    },
  });
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    await tx.modelTrainingLesion.createMany({ data: rows.slice(start, start + INSERT_CHUNK) });
  }
  return { recorded: true };
}

/**
 * SQL: true when the lesion (a "Lesion" row aliased `lesion`) is among the model version's training or validation
 * lesions, by any of its keys. One definition for every query that must leave a model's training cases out.
 */
export function seenInTrainingSql(modelVersionId: string | null, lesion: string): Prisma.Sql {
  const l = Prisma.raw(`"${lesion.replaceAll('"', "")}"`);
  return Prisma.sql`(
    EXISTS (
      SELECT 1 FROM "ModelTrainingLesion" t
      WHERE t."modelVersionId" = ${modelVersionId}::text
        AND t."lesionKey" IN ('lesion:' || ${l}.id, 'source-lesion:' || substr(${l}."externalId", strpos(${l}."externalId", ':') + 1))
    )
    OR EXISTS (
      SELECT 1 FROM "LesionImage" ti JOIN "ModelTrainingLesion" t
        ON t."modelVersionId" = ${modelVersionId}::text
       AND t."lesionKey" = 'source-image:' || substr(ti."externalId", strpos(ti."externalId", ':') + 1)
      WHERE ti."lesionId" = ${l}.id AND ti."externalId" IS NOT NULL
    )
  )`;
}
