/**
 * The training recipes by name, with no dependency beyond the language: browser code (the retraining form) and the
 * server's zod schemas import this, not training-config.ts (which pulls in tfjs through the backbone).
 */
export const TRAINING_RECIPES = ["mobilenetv2-finetune", "cnn"] as const;
export type TrainingRecipe = (typeof TRAINING_RECIPES)[number];

export const DEFAULT_TRAINING_RECIPE: TrainingRecipe = "mobilenetv2-finetune";

export const TRAINING_RECIPE_LABELS: Record<TrainingRecipe, string> = {
  "mobilenetv2-finetune": "ImageNet MobileNetV2, top blocks fine-tuned at 128 px (default)",
  cnn: "Small CNN from scratch at 28 px (baseline; fast)",
};

/** Epochs each recipe runs by default (chosen on validation: ml/training/README.md). */
export const DEFAULT_EPOCHS: Record<TrainingRecipe, number> = { "mobilenetv2-finetune": 8, cnn: 30 };
