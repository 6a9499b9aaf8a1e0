import { describe, expect, it } from "vitest";
import { DEFAULT_VIEW_AUGMENTATION } from "../data/augment-view";
import { DEFAULT_MOBILENET_CUT } from "../model/mobilenet-v2";
import { resolveTrainingConfig, TrainingConfigSchema } from "./training-config";

describe("resolveTrainingConfig", () => {
  it("defaults to the pretrained recipe with every setting filled in", () => {
    const config = resolveTrainingConfig();
    expect(config).toMatchObject({
      recipe: "mobilenetv2-finetune",
      inputSize: 128,
      backbone: { cut: DEFAULT_MOBILENET_CUT },
      colourConstancy: { method: "none" },
      augmentation: DEFAULT_VIEW_AUGMENTATION,
      optimizer: "adam",
      epochs: 8,
      views: 1,
    });
    expect(TrainingConfigSchema.parse(config)).toEqual(config);
  });

  it("takes overrides, ignores undefined ones, and fills the CNN's weighting from the label mode", () => {
    const config = resolveTrainingConfig({ recipe: "cnn", epochs: undefined, batchSize: 16 }, "malignancy");
    expect(config).toMatchObject({ recipe: "cnn", inputSize: 28, epochs: 30, batchSize: 16, classWeighting: "sqrt", optimizer: "adamw" });
    expect(resolveTrainingConfig({ recipe: "cnn" }, "diagnosis").classWeighting).toBe("none");
    expect(resolveTrainingConfig({ recipe: "cnn", timeBudgetSeconds: 60 }).epochs).toBeNull();
    expect(resolveTrainingConfig({ timeBudgetSeconds: 60 }).epochs).toBe(8);
    expect(resolveTrainingConfig({ colourConstancy: { method: "shades-of-grey", power: 6 } }).colourConstancy).toEqual({ method: "shades-of-grey", power: 6 });
  });

  it("refuses settings the recipe cannot train with, naming the field", () => {
    expect(() => resolveTrainingConfig({ inputSize: 100 })).toThrow(/inputSize/);
    expect(() => resolveTrainingConfig({ inputSize: 32 })).toThrow(/inputSize/);
    expect(() => resolveTrainingConfig({ learningRate: -1 })).toThrow(/learningRate/);
    expect(() => resolveTrainingConfig({ recipe: "cnn", epochs: null, timeBudgetSeconds: null })).toThrow(/epochs, a time budget/);
  });
});
