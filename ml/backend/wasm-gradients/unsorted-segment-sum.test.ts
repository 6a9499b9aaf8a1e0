import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectClose, onBothBackends, randomValues, seededRandom, useWasmWithTrainingKernels } from "./cpu-reference.test-helper";

beforeAll(useWasmWithTrainingKernels);

describe("UnsortedSegmentSum on wasm", () => {
  const rand = seededRandom(8);
  const cases = Array.from({ length: 15 }, () => {
    const rows = rand.int(1, 12);
    const rest = Array.from({ length: rand.int(0, 2) }, () => rand.int(1, 4));
    const numSegments = rand.int(1, 6);
    // Ids outside [0, numSegments) are dropped, as in TensorFlow.
    const ids = Array.from({ length: rows }, () => rand.int(-1, numSegments));
    return { shape: [rows, ...rest], ids, numSegments };
  });

  it.each(cases.map((c) => [JSON.stringify(c), c] as const))("matches the cpu backend: %s", async (_, c) => {
    const values = randomValues(rand, c.shape.reduce((a, b) => a * b, 1));
    const { cpu, wasm } = await onBothBackends(() =>
      tf.unsortedSegmentSum(tf.tensor(values, c.shape), tf.tensor1d(c.ids, "int32"), c.numSegments),
    );
    expectClose(wasm[0]!, cpu[0]!, "segments");
  });

  it("sums int32 rows into their segments and keeps the dtype", async () => {
    await tf.setBackend("wasm");
    const out = tf.unsortedSegmentSum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], "int32"), tf.tensor1d([2, 0, 2], "int32"), 3);
    expect(out.dtype).toBe("int32");
    expect(out.arraySync()).toEqual([
      [3, 4],
      [0, 0],
      [6, 8],
    ]);
    out.dispose();
  });

  it("makes gather trainable (its gradient)", async () => {
    const table = randomValues(rand, 5 * 3);
    const { cpu, wasm } = await onBothBackends(() =>
      tf.grad((t: tf.Tensor) => tf.gather(t, tf.tensor1d([4, 1, 1, 0], "int32")).square().sum())(tf.tensor2d(table, [5, 3])),
    );
    expectClose(wasm[0]!, cpu[0]!, "gather gradient");
  });
});
