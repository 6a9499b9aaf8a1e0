import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { buildClassifier, LOGITS_LAYER, PROBABILITIES_LAYER } from "./build-classifier";
import { DEFAULT_CLASSIFIER_OPTIONS, resolveClassifierOptions } from "./classifier-options";

beforeAll(async () => {
  await initBackend({ env: { ML_BACKEND: "wasm" } });
});

const weightsOf = (model: tf.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

describe("buildClassifier", () => {
  it("is pure: the same seed gives the same initial weights, another seed different ones", () => {
    const a = buildClassifier({ seed: 7 });
    const b = buildClassifier({ seed: 7 });
    const c = buildClassifier({ seed: 8 });
    expect(weightsOf(a)).toEqual(weightsOf(b));
    expect(weightsOf(a)).not.toEqual(weightsOf(c));
    [a, b, c].forEach((m) => m.dispose());
  });

  it("maps 28x28 RGB images to 7 probabilities through named logits", () => {
    const model = buildClassifier();
    expect(model.inputs[0]!.shape).toEqual([null, 28, 28, 3]);
    expect(model.outputs[0]!.shape).toEqual([null, 7]);
    expect(model.getLayer(LOGITS_LAYER).getClassName()).toBe("Dense");
    expect(model.getLayer(PROBABILITIES_LAYER).getClassName()).toBe("Softmax");
    const probabilities = tf.tidy(() => model.predict(tf.randomNormal([3, 28, 28, 3], 0, 1, "float32", 1)) as tf.Tensor);
    const sums = tf.tidy(() => probabilities.sum(1).dataSync());
    sums.forEach((s) => expect(s).toBeCloseTo(1, 5));
    probabilities.dispose();
    model.dispose();
  });

  it("builds the documented architecture and honours overrides", () => {
    const model = buildClassifier();
    const convs = model.layers.filter((l) => l.getClassName() === "Conv2D");
    expect(convs).toHaveLength(DEFAULT_CLASSIFIER_OPTIONS.convsPerStage.reduce((a, b) => a + b, 0));
    const bn = model.layers.filter((l) => l.getClassName() === "BatchNormalization");
    expect(bn.every((l) => (l.getConfig() as { momentum: number }).momentum === 0.9)).toBe(true);
    model.dispose();

    const custom = buildClassifier({ inputSize: 32, channels: 1, classCount: 2, stageWidths: [8, 16], convsPerStage: [1, 2], residual: true, headUnits: 5 });
    expect(custom.inputs[0]!.shape).toEqual([null, 32, 32, 1]);
    expect(custom.outputs[0]!.shape).toEqual([null, 2]);
    expect(custom.layers.some((l) => l.getClassName() === "Add")).toBe(true);
    expect(custom.getLayer("head").outputShape).toEqual([null, 5]);
    custom.dispose();
  });

  it("leaves no tensors behind once disposed", () => {
    const before = tf.memory().numTensors;
    buildClassifier({ seed: 1 }).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("rejects options that cannot make a model", () => {
    expect(() => resolveClassifierOptions({ stageWidths: [8, 16], convsPerStage: [1] })).toThrow(RangeError);
    expect(() => resolveClassifierOptions({ classCount: 1 })).toThrow(RangeError);
    expect(() => resolveClassifierOptions({ batchNormMomentum: 1 })).toThrow(RangeError);
    expect(() => resolveClassifierOptions({ inputSize: 2, stageWidths: [4, 4, 4], convsPerStage: [1, 1, 1] })).toThrow(RangeError);
    expect(() => resolveClassifierOptions({ seed: 0.5 })).toThrow(RangeError);
  });
});
