/** Public API of ml/data: dataset readers, split hygiene, decoding, normalisation, augmentation, seeded randomness. */
export {
  DX_TYPES,
  DxTypeSchema,
  ImageRecordSchema,
  SPLITS,
  SplitSchema,
  hasMalignancyLabel,
  lesionKey,
  type DxType,
  type ImageRecord,
  type Split,
} from "./records";
export { DatasetError } from "./dataset-error";
export { DERMAMNIST_COLUMNS, readDermamnist } from "./read-dermamnist";
export { HAM10000_COLUMNS, readHam10000, type ReadHam10000Options } from "./read-ham10000";
export { readFolderLayout, type ReadFolderLayoutOptions } from "./read-folder-layout";
export { lesionAwareSplit, lesionDisjointTestRecords, lesionsInSeveralSplits, type SplitFractions } from "./splits";
export { DEFAULT_DECODE_OPTIONS, decodeToRgb, loadImages, type DecodeOptions, type LoadImagesOptions } from "./decode";
export { ChannelStatsSchema, computeTrainingChannelStats, normalizeToFloat32, type ChannelStats } from "./normalize";
export {
  IDENTITY_AUGMENTATION,
  applyAugmentation,
  augmentBatch,
  augmentImage,
  sampleAugmentParams,
  type AugmentOptions,
  type AugmentParams,
} from "./augment";
export { DERMAMNIST_28_DIR, HAM10000_200_DIR, HAM10000_SAMPLE_DIR, ISIC2019_180_DIR, SHARED_DATA_DIR } from "./shared-data";
export { createRng, randomInt, randomUniform, shuffleInPlace, type Rng } from "../random";
