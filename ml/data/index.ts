/** Public API of ml/data: dataset readers, split hygiene, decoding, normalisation, augmentation, seeded randomness. */
export { DxTypeSchema, lesionKey, type ImageRecord, type Split } from "./records";
export { DatasetError } from "./dataset-error";
export { readDermamnist } from "./read-dermamnist";
export { readHam10000 } from "./read-ham10000";
export { readFolderLayout } from "./read-folder-layout";
export { lesionDisjointTestRecords, lesionsInSeveralSplits } from "./splits";
export { DEFAULT_DECODE_OPTIONS, decodeToRgb, loadImages, type DecodeOptions } from "./decode";
export { ChannelStatsSchema, computeTrainingChannelStats, normalizeToFloat32, type ChannelStats } from "./normalize";
export { DERMAMNIST_28_DIR, HAM10000_200_DIR, HAM10000_SAMPLE_DIR, ISIC2019_180_DIR } from "./shared-data";
export { createRng, shuffleInPlace } from "../random";
