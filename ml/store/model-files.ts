/**
 * What a saved model directory contains, and the schemas its JSON files are checked against on load. One directory
 * per model version, immutable once written:
 *
 *   model.json          tfjs LayersModel topology + weights manifest (loadable by tf.loadLayersModel too)
 *   weights.bin         the weights, float32 little-endian, in the order model.json lists them
 *   preprocessing.json  input size, decode framing (fit, kernel) and the training split's channel statistics
 *   metadata.json       version, classes, label mode, operating threshold, data hashes, code version, backend, training
 *   metrics.json        the evaluation report (validation threshold choice, test, lesion-disjoint and biopsied parts)
 *   model-card.md/.json the human- and machine-readable model card
 *   ood.json            optional: the out-of-distribution detector fitted on the training features (ml/ood)
 *   training-lesions.json optional: the lesions (ml/data lesionKey) of the training and validation records
 *   manifest.json       every file above with its size and SHA-256, written last
 */
import { z } from "zod";
import { ChannelStatsSchema } from "../data";
import { ColourConstancySchema } from "../data/colour-constancy";
import { DIAGNOSES } from "../diagnoses";

export const MODEL_JSON = "model.json";
export const WEIGHTS_BIN = "weights.bin";
export const PREPROCESSING_JSON = "preprocessing.json";
export const METADATA_JSON = "metadata.json";
export const METRICS_JSON = "metrics.json";
export const MODEL_CARD_MD = "model-card.md";
export const MODEL_CARD_JSON = "model-card.json";
export const MANIFEST_JSON = "manifest.json";
/** Optional (models with a feature output): the fitted out-of-distribution detector. */
export const OOD_JSON = "ood.json";
/** Optional: which lesions the model was trained and validated on (never evaluate it on them). */
export const TRAINING_LESIONS_JSON = "training-lesions.json";
export const TrainingLesionsSchema = z.object({
  formatVersion: z.literal(1),
  /** ml/data lesionKey() of every labelled train / validation record (`lesion:<id>` or `image:<record id>`). */
  train: z.array(z.string().min(1).max(500)),
  val: z.array(z.string().min(1).max(500)),
});
export type TrainingLesions = z.infer<typeof TrainingLesionsSchema>;

/** Every file a model directory must have besides the manifest, in the order they are written. */
export const MODEL_FILES = [WEIGHTS_BIN, MODEL_JSON, PREPROCESSING_JSON, METADATA_JSON, METRICS_JSON, MODEL_CARD_JSON, MODEL_CARD_MD] as const;

export const MODEL_FORMAT = "dermflag-model";
export const MODEL_FORMAT_VERSION = 1;

/** Version names become directory names: keep them portable and free of path separators. */
export const VersionSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, "letters, digits, '.', '_' or '-', starting with a letter or digit, at most 128");

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, "expected a lower-case hex SHA-256");

export const ManifestSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  formatVersion: z.literal(MODEL_FORMAT_VERSION),
  version: VersionSchema,
  createdAt: z.iso.datetime(),
  files: z
    .array(
      z.object({
        // Plain names only: a manifest must not be able to point outside its directory.
        path: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "a plain file name"),
        bytes: z.number().int().nonnegative(),
        sha256: sha256Schema,
      }),
    )
    .min(1),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export const RESIZE_KERNELS = ["nearest", "linear", "cubic", "mitchell", "lanczos2", "lanczos3", "mks2013", "mks2021"] as const;

/** Exactly how an image becomes the model's input; inference must repeat it bit for bit. */
export const PreprocessingSchema = z.object({
  inputSize: z.number().int().positive(),
  channels: z.literal(3),
  layout: z.literal("NHWC"),
  /** ml/data decodeToRgb options: framing and resize kernel. */
  decode: z.object({ fit: z.enum(["cover", "fill"]), kernel: z.enum(RESIZE_KERNELS) }),
  /** Per-channel mean/std of byte / 255 over the TRAINING split only (or the pretrained backbone's fixed scaling). */
  channelStats: ChannelStatsSchema,
  /** Applied to the decoded bytes before normalisation (ml/data/colour-constancy.ts). Absent = none (older models). */
  colourConstancy: ColourConstancySchema.optional(),
  /** Test-time augmentation chosen on validation: "flips" / "dihedral" average the model over mirrored views. Absent = none. */
  testTimeAugmentation: z.enum(["none", "flips", "dihedral"]).optional(),
});
export type Preprocessing = z.infer<typeof PreprocessingSchema>;

export const LABEL_MODES = ["diagnosis", "malignancy"] as const;

export const ModelMetadataSchema = z.object({
  version: VersionSchema,
  createdAt: z.iso.datetime(),
  /** Output order of the model; must be ml/diagnoses.ts DIAGNOSES. */
  classes: z
    .array(z.string())
    .refine((c) => c.length === DIAGNOSES.length && c.every((dx, i) => dx === DIAGNOSES[i]), `must be ${DIAGNOSES.join(", ")}`),
  malignantClasses: z.array(z.enum(DIAGNOSES)),
  /**
   * "diagnosis": trained on 7-class labels. "malignancy": trained on benign/malignant labels only (folder layout);
   * then only P(malignant) is meaningful, not how it splits between diagnoses.
   */
  labelMode: z.enum(LABEL_MODES),
  operatingPoint: z.object({
    threshold: z.number().min(0).max(1),
    targetSensitivity: z.number().min(0).max(1),
    chosenOn: z.literal("validation"),
    validationSensitivity: z.number().min(0).max(1),
    validationSpecificity: z.number().min(0).max(1).nullable(),
    validationPositives: z.number().int().nonnegative(),
    validationNegatives: z.number().int().nonnegative(),
  }),
  data: z.object({
    /** SHA-256 over the sorted training records' `id\tlabel\n` lines (see training-data-hash.ts). */
    trainingHash: sha256Schema,
    validationHash: sha256Schema,
    source: z.string(),
    counts: z.object({ train: z.number().int(), val: z.number().int(), test: z.number().int() }),
  }),
  code: z.object({ gitCommit: z.string().nullable(), gitDirty: z.boolean().nullable(), packageVersion: z.string() }),
  backend: z.object({ name: z.string(), isGpu: z.boolean() }),
  architecture: z.record(z.string(), z.unknown()),
  training: z.record(z.string(), z.unknown()),
});
export type ModelMetadata = z.infer<typeof ModelMetadataSchema>;

/** The part of model.json that tfjs's own loaders read. */
export const ModelJsonSchema = z.object({
  modelTopology: z.record(z.string(), z.unknown()),
  format: z.string().optional(),
  generatedBy: z.string().optional(),
  convertedBy: z.string().nullable().optional(),
  weightsManifest: z
    .array(
      z.object({
        paths: z.array(z.string()),
        weights: z.array(
          z.object({
            name: z.string(),
            shape: z.array(z.number().int().nonnegative()),
            dtype: z.enum(["float32", "int32", "bool", "string", "complex64"]),
            // Kept (not stripped) so that a quantised weight is refused downstream instead of misread.
            quantization: z.unknown().optional(),
          }),
        ),
      }),
    )
    .length(1),
});
