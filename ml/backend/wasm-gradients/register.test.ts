import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { registerWasmTrainingKernels, WASM_TRAINING_KERNELS, wasmTrainingKernelsRegistered } from "./register";

describe("registerWasmTrainingKernels", () => {
  it("registers every training kernel, idempotently, and replaced kernels still fall back correctly", async () => {
    registerWasmTrainingKernels();
    registerWasmTrainingKernels();
    expect(wasmTrainingKernelsRegistered()).toBe(true);
    for (const name of WASM_TRAINING_KERNELS) expect(tf.getKernel(name, "wasm")).toBeDefined();
    await tf.setBackend("wasm");
    // Sum over a non-leading axis goes to the backend's own kernel (whose setup must still have run).
    expect(Array.from(tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2]), 1).dataSync())).toEqual([3, 7]);
    expect(Array.from(tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2]), 0).dataSync())).toEqual([4, 6]);
  });

  it("makes a conv net trainable on wasm (tfjs 4.22 alone throws: Conv2DBackpropFilter not registered)", async () => {
    registerWasmTrainingKernels();
    await tf.setBackend("wasm");
    const w = tf.variable(tf.randomNormal([3, 3, 3, 4], 0, 0.1, "float32", 1));
    const grads = tf.variableGrads(() => tf.conv2d(tf.ones([1, 5, 5, 3]) as tf.Tensor4D, w as tf.Tensor4D, 1, "same").square().sum() as tf.Scalar, [w]);
    expect(grads.grads[w.name]!.shape).toEqual([3, 3, 3, 4]);
    tf.dispose([w, grads.value, ...Object.values(grads.grads)]);
  });
});
