/**
 * Loads DermaMNIST's official splits as normalised training tensors' raw material: images decoded by ml/data,
 * standardised with channel statistics from the TRAINING split only, labels as DIAGNOSES indices. Optional per-split
 * limits take a seeded random subset (for tests and quick experiments), never the first rows of a sorted file.
 */
import { DIAGNOSES } from "../diagnoses";
import {
  computeTrainingChannelStats,
  createRng,
  DERMAMNIST_28_DIR,
  loadImages,
  normalizeToFloat32,
  readDermamnist,
  shuffleInPlace,
  type ChannelStats,
  type ImageRecord,
  type Split,
} from "../data";
import type { LabeledImages } from "./training-types";

export interface LoadDermamnistOptions {
  root?: string;
  size?: number;
  limits?: Partial<Record<Split, number>>;
  /** Seed of the subset draw when limits are given (default 0). */
  seed?: number;
  concurrency?: number;
}

export interface DermamnistSplit extends LabeledImages {
  y: Int32Array;
  records: ImageRecord[];
  /** The decoded bytes (HWC RGB), for re-normalising or previews. */
  pixels: Uint8Array;
}

export interface DermamnistSplits {
  train: DermamnistSplit;
  val: DermamnistSplit;
  test: DermamnistSplit;
  stats: ChannelStats;
  size: number;
}

export async function loadDermamnistSplits(options: LoadDermamnistOptions = {}): Promise<DermamnistSplits> {
  const { root = DERMAMNIST_28_DIR, size = 28, limits = {}, seed = 0, concurrency = 8 } = options;
  const all = readDermamnist(root);
  const pick = (split: Split): ImageRecord[] => {
    const records = all.filter((r) => r.split === split);
    const unlabeled = records.find((r) => r.diagnosis === null);
    if (unlabeled !== undefined) throw new Error(`${unlabeled.file} has no diagnosis; DermaMNIST rows always have one`);
    const limit = limits[split];
    if (limit === undefined || limit >= records.length) return records;
    return shuffleInPlace([...records], createRng(seed + split.length)).slice(0, limit);
  };
  const decoded = async (split: Split) => {
    const records = pick(split);
    return { records, pixels: await loadImages(records, size, { concurrency }) };
  };
  const train = await decoded("train");
  const val = await decoded("val");
  const test = await decoded("test");
  const stats = computeTrainingChannelStats(train.pixels, train.records.length, size);
  const finish = (part: { records: ImageRecord[]; pixels: Uint8Array }): DermamnistSplit => ({
    ...part,
    x: normalizeToFloat32(part.pixels, stats),
    y: Int32Array.from(part.records, (r) => (r.diagnosis === null ? -1 : DIAGNOSES.indexOf(r.diagnosis))),
  });
  return { train: finish(train), val: finish(val), test: finish(test), stats, size };
}
