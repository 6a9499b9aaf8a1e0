/**
 * The ONE description of how a model is trained. The CLI, the benchmarks and admin retraining pass partial options;
 * `resolveTrainingConfig` fills every default in one place, validates the result, and the pipeline trains from the
 * resolved value only, then saves it verbatim in metadata.json (`training.config`) and the model card. So the card
 * can never name a setting (a class weighting, an augmentation) that was not the one used.
 *
 * Two recipes:
 *   "mobilenetv2-finetune" (default): the ImageNet-pretrained MobileNetV2 from nsfwjs, blocks 0-13 frozen and cached
 *     through ONNX Runtime, blocks 14-16 + Conv_1 + a new head fine-tuned at 128 px (ml/training/train-top-blocks).
 *   "cnn": the small from-scratch CNN (28 px by default), kept as the baseline.
 * Defaults were chosen on the validation split (ml/training/README.md lists each route tried and its numbers).
 */
import { z } from "zod";
import { ColourConstancySchema } from "../data/colour-constancy";
import { DEFAULT_VIEW_AUGMENTATION, ViewAugmentationSchema } from "../data/augment-view";
import { DEFAULT_MOBILENET_CUT, MOBILENET_V2_PACKAGE } from "../model/mobilenet-v2";

import { DEFAULT_EPOCHS, DEFAULT_TRAINING_RECIPE, type TrainingRecipe } from "./training-recipes";

export { TRAINING_RECIPES, type TrainingRecipe } from "./training-recipes";

const common = {
  seed: z.number().int().min(0),
  /** Epoch cap; with timeBudgetSeconds too, whichever ends first. */
  epochs: z.number().int().positive().nullable(),
  timeBudgetSeconds: z.number().positive().nullable(),
  earlyStoppingPatience: z.number().int().positive().nullable(),
  batchSize: z.number().int().positive(),
  /** Peak of the warm-up + cosine schedule. */
  learningRate: z.number().positive(),
  labelSmoothing: z.number().min(0).lt(1),
  classWeighting: z.enum(["none", "balanced", "sqrt"]),
};

export const MobileNetTrainingConfigSchema = z.object({
  recipe: z.literal("mobilenetv2-finetune"),
  ...common,
  inputSize: z.number().int().min(64).multipleOf(32),
  backbone: z.object({ package: z.string(), cut: z.string() }),
  colourConstancy: ColourConstancySchema,
  /** Cached trunk views per training image: view 0 plain, the others random augmentations. */
  views: z.number().int().min(1).max(16),
  augmentation: ViewAugmentationSchema,
  dropout: z.number().min(0).lt(1),
  /** Adam without decay: the fine-tuned blocks start from pretrained weights, and few epochs are run. */
  optimizer: z.literal("adam"),
  weightDecay: z.literal(0),
});

export const CnnTrainingConfigSchema = z.object({
  recipe: z.literal("cnn"),
  ...common,
  inputSize: z.number().int().min(8),
  colourConstancy: ColourConstancySchema,
  /** ml/data/augment's batch augmentation (flips, 90-degree turns, shift, brightness/contrast). */
  augmentation: z.object({
    flipHorizontal: z.boolean(),
    flipVertical: z.boolean(),
    rotate90: z.boolean(),
    maxShift: z.number().int().min(0),
    brightness: z.number().min(0),
    contrast: z.number().min(0),
  }),
  optimizer: z.literal("adamw"),
  weightDecay: z.number().min(0),
});

export const TrainingConfigSchema = z.discriminatedUnion("recipe", [MobileNetTrainingConfigSchema, CnnTrainingConfigSchema]);
export type TrainingConfig = z.infer<typeof TrainingConfigSchema>;
export type MobileNetTrainingConfig = z.infer<typeof MobileNetTrainingConfigSchema>;
export type CnnTrainingConfig = z.infer<typeof CnnTrainingConfigSchema>;

/** What callers may set; everything else comes from the recipe's defaults. */
export type TrainingConfigOverrides = { recipe?: TrainingRecipe } & Partial<{
  [K in keyof MobileNetTrainingConfig | keyof CnnTrainingConfig]: unknown;
}>;

const MOBILENET_DEFAULTS: MobileNetTrainingConfig = {
  recipe: "mobilenetv2-finetune",
  seed: 0,
  epochs: DEFAULT_EPOCHS["mobilenetv2-finetune"],
  timeBudgetSeconds: null,
  earlyStoppingPatience: null,
  batchSize: 32,
  learningRate: 3e-4,
  labelSmoothing: 0.05,
  classWeighting: "sqrt",
  inputSize: 128,
  backbone: { package: MOBILENET_V2_PACKAGE, cut: DEFAULT_MOBILENET_CUT },
  colourConstancy: { method: "none" },
  // One plain view (map flips and transposes only): the augmented views scored lower on validation (README).
  views: 1,
  augmentation: DEFAULT_VIEW_AUGMENTATION,
  dropout: 0.2,
  optimizer: "adam",
  weightDecay: 0,
};

const CNN_DEFAULTS: CnnTrainingConfig = {
  recipe: "cnn",
  seed: 0,
  epochs: DEFAULT_EPOCHS.cnn,
  timeBudgetSeconds: null,
  earlyStoppingPatience: null,
  batchSize: 64,
  learningRate: 0.003,
  labelSmoothing: 0.05,
  classWeighting: "none",
  inputSize: 28,
  colourConstancy: { method: "none" },
  augmentation: { flipHorizontal: true, flipVertical: true, rotate90: true, maxShift: 1, brightness: 0.1, contrast: 0.1 },
  optimizer: "adamw",
  weightDecay: 1e-4,
};

/**
 * Fills defaults and validates. `labelMode` matters for the CNN: binary-only labels train through P(malignant),
 * whose default weighting is "sqrt".
 */
export function resolveTrainingConfig(overrides: TrainingConfigOverrides = {}, labelMode: "diagnosis" | "malignancy" = "diagnosis"): TrainingConfig {
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const recipe = (given.recipe as TrainingRecipe | undefined) ?? DEFAULT_TRAINING_RECIPE;
  const defaults = recipe === "cnn" ? { ...CNN_DEFAULTS, classWeighting: labelMode === "malignancy" ? "sqrt" : "none" } : MOBILENET_DEFAULTS;
  const merged: Record<string, unknown> = { ...defaults, ...given, recipe };
  // The CNN may run "as many epochs as fit"; the fine-tune's cosine schedule needs an epoch count, so a budget only caps it.
  if (recipe === "cnn" && given.timeBudgetSeconds !== undefined && given.epochs === undefined) merged.epochs = null;
  if (merged.epochs === null && merged.timeBudgetSeconds === null) throw new RangeError("give epochs, a time budget or both");
  const parsed = TrainingConfigSchema.safeParse(merged);
  if (!parsed.success) {
    throw new RangeError(`invalid training configuration: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}
