import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { AdamW } from "./adamw";

beforeAll(async () => {
  await initBackend({ env: { ML_BACKEND: "wasm" } });
});

describe("AdamW", () => {
  const lossOf = (w: tf.Variable, b: tf.Variable) => () => tf.sum(tf.square(tf.sub(tf.add(tf.mul(w, tf.tensor1d([1, -2, 3])), b), tf.tensor1d([0.5, 1, -1])))) as tf.Scalar;

  it("without decay takes the same steps as tfjs's Adam", () => {
    const w1 = tf.variable(tf.tensor1d([0.3, -0.1, 0.2]), true, "adamw_test_w1");
    const b1 = tf.variable(tf.tensor1d([0.05]), true, "adamw_test_b1_kernel");
    const w2 = tf.variable(w1.clone(), true, "adamw_test_w2");
    const b2 = tf.variable(b1.clone(), true, "adamw_test_b2_kernel");
    const ours = new AdamW([w1, b1], { weightDecay: 0, epsilon: 1e-7 });
    const reference = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
    for (let step = 0; step < 25; step++) {
      tf.tidy(() => ours.applyGradients(tf.variableGrads(lossOf(w1, b1), [w1, b1]).grads, 0.01));
      tf.tidy(() => reference.applyGradients(tf.variableGrads(lossOf(w2, b2), [w2, b2]).grads as Parameters<typeof reference.applyGradients>[0]));
    }
    Array.from(w1.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(w2.dataSync()[i]!, 5));
    expect(b1.dataSync()[0]).toBeCloseTo(b2.dataSync()[0]!, 5);
    expect(ours.iterations).toBe(25);
    ours.dispose();
    reference.dispose();
    tf.dispose([w1, b1, w2, b2]);
  });

  it("decays kernels (not biases) towards zero by lr * weightDecay per step", () => {
    const kernel = tf.variable(tf.tensor1d([2, -4]), true, "dense/kernel_decay_test");
    const bias = tf.variable(tf.tensor1d([2, -4]), true, "dense/bias_decay_test");
    const optimizer = new AdamW([kernel, bias], { weightDecay: 0.5 });
    // Zero gradients: Adam's own step is zero, only the decay acts.
    const zeros = { [kernel.name]: tf.zeros([2]), [bias.name]: tf.zeros([2]) };
    optimizer.applyGradients(zeros, 0.1);
    expect(Array.from(kernel.dataSync())).toEqual([expect.closeTo(2 * 0.95, 6), expect.closeTo(-4 * 0.95, 6)]);
    expect(Array.from(bias.dataSync())).toEqual([2, -4]);
    optimizer.dispose();
    tf.dispose([kernel, bias, ...Object.values(zeros)]);
  });

  it("keeps tensor memory flat across steps", () => {
    const w = tf.variable(tf.tensor1d([0.3, -0.1, 0.2]), true, "adamw_mem_w");
    const b = tf.variable(tf.tensor1d([0.05]), true, "adamw_mem_b");
    const optimizer = new AdamW([w, b], { weightDecay: 0.01 });
    tf.tidy(() => optimizer.applyGradients(tf.variableGrads(lossOf(w, b), [w, b]).grads, 0.01));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) tf.tidy(() => optimizer.applyGradients(tf.variableGrads(lossOf(w, b), [w, b]).grads, 0.01));
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    tf.dispose([w, b]);
  });
});
