import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, it } from "vitest";
import { expectClose, onBothBackends, randomValues, seededRandom, useWasmWithTrainingKernels } from "./cpu-reference.test-helper";

beforeAll(useWasmWithTrainingKernels);

describe("MaxPoolGrad on wasm matches the cpu backend", () => {
  const rand = seededRandom(21);
  const candidates = Array.from({ length: 60 }, () => ({
    shape: [rand.int(1, 3), rand.int(2, 10), rand.int(2, 10), rand.int(1, 5)] as [number, number, number, number],
    size: [rand.int(1, 3), rand.int(1, 3)] as [number, number],
    strides: [rand.int(1, 3), rand.int(1, 3)] as [number, number],
    pad: rand.pick(["same", "valid"] as const),
    // Rounded inputs create ties, which must go to the same window position as on cpu (the first maximum).
    ties: rand.next() < 0.5,
  }));
  // Pooling with an empty output is not a case to test (and wasm's forward MaxPool corrupts its heap on it).
  const cases = candidates
    .filter((c) => {
      const info = tf.backend_util.computePool2DInfo(c.shape, c.size, c.strides, 1, c.pad);
      return info.outHeight > 0 && info.outWidth > 0;
    })
    .slice(0, 30);

  it.each(cases.map((c) => [JSON.stringify(c), c] as const))("%s", async (_, c) => {
    const n = c.shape.reduce((a, b) => a * b, 1);
    const values = randomValues(rand, n).map((v) => (c.ties ? Math.round(v * 2) : v));
    const { cpu, wasm } = await onBothBackends(() => {
      // Distinct weights per output make every routing mistake visible in the sum.
      const f = (x: tf.Tensor) => {
        const pooled = tf.maxPool(x as tf.Tensor4D, c.size, c.strides, c.pad);
        return tf.mul(pooled, tf.range(1, 1 + pooled.size).reshape(pooled.shape)).sum();
      };
      return tf.grad(f)(tf.tensor4d(values, c.shape));
    });
    expectClose(wasm[0]!, cpu[0]!, "dx");
  });
});
