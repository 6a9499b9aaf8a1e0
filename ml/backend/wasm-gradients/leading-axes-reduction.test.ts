import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectClose, onBothBackends, randomValues, seededRandom, useWasmWithTrainingKernels } from "./cpu-reference.test-helper";
import { leadingAxesCount } from "./leading-axes-reduction";

beforeAll(useWasmWithTrainingKernels);

describe("leadingAxesCount", () => {
  it("recognises exactly the axes 0..k-1 in any order or sign", () => {
    expect(leadingAxesCount([0, 1, 2], [2, 3, 4, 5])).toBe(3);
    expect(leadingAxesCount([2, 0, 1], [2, 3, 4, 5])).toBe(3);
    expect(leadingAxesCount([0, -3], [2, 3, 4])).toBe(1);
    expect(leadingAxesCount(0, [2, 3])).toBe(1);
    expect(leadingAxesCount([1, 2], [2, 3, 4])).toBeNull();
    expect(leadingAxesCount([0, 2], [2, 3, 4])).toBeNull();
  });
});

describe("Sum and Mean on wasm match the cpu backend", () => {
  const rand = seededRandom(3);
  const cases: { shape: number[]; axis: number | number[]; keepDims: boolean }[] = [];
  for (let i = 0; i < 24; i++) {
    const rank = rand.int(1, 4);
    const shape = Array.from({ length: rank }, () => rand.int(1, 6));
    const axes = shape.map((_, a) => a).filter(() => rand.next() < 0.6);
    cases.push({ shape, axis: axes.length > 0 ? axes : 0, keepDims: rand.next() < 0.5 });
  }
  cases.push({ shape: [16, 7, 7, 24], axis: [0, 1, 2], keepDims: false }, { shape: [4, 3, 5], axis: [-1], keepDims: true });

  it.each(cases.map((c) => [JSON.stringify(c), c] as const))("%s", async (_, c) => {
    const values = randomValues(rand, c.shape.reduce((a, b) => a * b, 1));
    const { cpu, wasm } = await onBothBackends(() => {
      const x = tf.tensor(values, c.shape);
      return [tf.sum(x, c.axis, c.keepDims), tf.mean(x, c.axis, c.keepDims)];
    });
    expectClose(wasm[0]!, cpu[0]!, "sum");
    expectClose(wasm[1]!, cpu[1]!, "mean");
  });

  it("keeps shapes and falls back for int32", async () => {
    await tf.setBackend("wasm");
    const x = tf.ones([2, 3, 4]);
    expect(tf.sum(x, [0, 1]).shape).toEqual([4]);
    expect(tf.mean(x, [0, 1], true).shape).toEqual([1, 1, 4]);
    const ints = tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], "int32"), 0);
    expect(ints.dtype).toBe("int32");
    expect(Array.from(ints.dataSync())).toEqual([4, 6]);
    tf.dispose([x, ints]);
  });
});
