import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { WeightAverage } from "./weight-average";

beforeAll(async () => {
  await initBackend({ env: { ML_BACKEND: "wasm" } });
});

function tinyModel(): tf.LayersModel {
  const input = tf.input({ shape: [2] });
  const output = tf.layers.dense({ units: 1, kernelInitializer: "zeros", biasInitializer: "zeros" }).apply(input) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}

describe("WeightAverage", () => {
  it("tracks an exponential moving average with a fast start, and swaps it in only inside withAveragedWeights", async () => {
    const model = tinyModel();
    const average = new WeightAverage(model, 0.5);
    const setAll = (v: number) => model.setWeights(model.getWeights().map((w) => tf.fill(w.shape, v)));
    // Updates 1 and 2 use decay min(0.5, (1+t)/(10+t)) = 2/11 and 3/12.
    setAll(1);
    average.update();
    setAll(3);
    average.update();
    const expected = (0 * (2 / 11) + 1 * (9 / 11)) * (3 / 12) + 3 * (9 / 12);
    const seen = await average.withAveragedWeights(() => model.getWeights().map((w) => Array.from(w.dataSync())));
    seen.flat().forEach((v) => expect(v).toBeCloseTo(expected, 5));
    model.getWeights().forEach((w) => Array.from(w.dataSync()).forEach((v) => expect(v).toBe(3)));
    const snapshot = average.snapshot();
    expect(Array.from(snapshot[1]!.dataSync())[0]).toBeCloseTo(expected, 5);
    tf.dispose(snapshot);
    average.dispose();
    model.dispose();
  });

  it("keeps tensor memory flat", async () => {
    const model = tinyModel();
    const average = new WeightAverage(model, 0.9);
    average.update();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      average.update();
      await average.withAveragedWeights(() => null);
    }
    expect(tf.memory().numTensors).toBe(before);
    average.dispose();
    model.dispose();
  });
});
