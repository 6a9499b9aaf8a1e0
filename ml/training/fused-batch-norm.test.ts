import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { buildClassifier, LOGITS_LAYER } from "../model";
import { useFusedBatchNormForTraining } from "./fused-batch-norm";

beforeAll(async () => {
  await initBackend({ env: { ML_BACKEND: "wasm" } });
});

/** Loss, every trainable gradient, then every weight (moving statistics included) after one training-mode pass. */
function trainingPass(fused: boolean): Float32Array[] {
  const model = buildClassifier({ seed: 3, inputSize: 8, stageWidths: [4, 6], convsPerStage: [1, 2], residual: true });
  const restore = fused ? useFusedBatchNormForTraining(model) : () => {};
  const logits = tf.model({ inputs: model.inputs, outputs: model.getLayer(LOGITS_LAYER).output as tf.SymbolicTensor });
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const result = tf.tidy(() => {
    const x = tf.tensor4d(Array.from({ length: 5 * 8 * 8 * 3 }, (_, i) => Math.sin(i * 1.3) * 2 + 0.5), [5, 8, 8, 3]);
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(logits.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, variables);
    return [value.dataSync(), ...variables.map((v) => grads[v.name]!.dataSync()), ...model.getWeights().map((w) => w.dataSync())].map((a) => Float32Array.from(a));
  });
  restore();
  model.dispose();
  return result;
}

describe("useFusedBatchNormForTraining", () => {
  it.each(["cpu", "wasm"])("gives the standard layer's loss, gradients and moving statistics on %s", async (backend) => {
    await tf.setBackend(backend);
    const standard = trainingPass(false);
    const fused = trainingPass(true);
    expect(fused).toHaveLength(standard.length);
    standard.forEach((reference, i) => {
      reference.forEach((v, j) => expect(Math.abs(fused[i]![j]! - v)).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(v)));
    });
    await tf.setBackend("wasm");
  });

  it("leaves inference untouched and can be undone", async () => {
    await tf.setBackend("wasm");
    const model = buildClassifier({ seed: 1, inputSize: 8, stageWidths: [4], convsPerStage: [1] });
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, "float32", 5);
    const before = (model.predict(x) as tf.Tensor).dataSync().slice();
    const restore = useFusedBatchNormForTraining(model);
    const bn = model.layers.find((l) => l.getClassName() === "BatchNormalization")!;
    expect(Object.prototype.hasOwnProperty.call(bn, "call")).toBe(true);
    expect(Array.from((model.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(before));
    restore();
    expect(Object.prototype.hasOwnProperty.call(bn, "call")).toBe(false);
    model.dispose();
    x.dispose();
  });
});
