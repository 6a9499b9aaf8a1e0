import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { expectClose, onBothBackends, randomValues, seededRandom, useWasmWithTrainingKernels } from "./cpu-reference.test-helper";

beforeAll(useWasmWithTrainingKernels);

describe("Tile on wasm matches the cpu backend", () => {
  const rand = seededRandom(11);
  const cases = Array.from({ length: 30 }, () => {
    const rank = rand.int(1, 5);
    return { shape: Array.from({ length: rank }, () => rand.int(1, 4)), reps: Array.from({ length: rank }, () => rand.int(1, 3)) };
  });
  cases.push({ shape: [1, 1, 1, 24], reps: [8, 7, 7, 1] }, { shape: [5, 1], reps: [1, 6] }, { shape: [3, 0, 2], reps: [2, 2, 2] });

  it.each(cases.map((c) => [JSON.stringify(c), c] as const))("float32 %s", async (_, c) => {
    const values = randomValues(rand, c.shape.reduce((a, b) => a * b, 1));
    const { cpu, wasm } = await onBothBackends(() => tf.tile(tf.tensor(values, c.shape), c.reps));
    expect(Array.from(wasm[0]!)).toEqual(Array.from(cpu[0]!));
  });

  it("keeps int32 and bool dtypes", async () => {
    await tf.setBackend("wasm");
    const ints = tf.tile(tf.tensor2d([1, -2, 3, 4], [2, 2], "int32"), [2, 3]);
    expect(ints.dtype).toBe("int32");
    expect(ints.arraySync()).toEqual([
      [1, -2, 1, -2, 1, -2],
      [3, 4, 3, 4, 3, 4],
      [1, -2, 1, -2, 1, -2],
      [3, 4, 3, 4, 3, 4],
    ]);
    const bools = tf.tile(tf.tensor1d([true, false], "bool"), [2]);
    expect(bools.dtype).toBe("bool");
    expect(Array.from(bools.dataSync())).toEqual([1, 0, 1, 0]);
    tf.dispose([ints, bools]);
  });

  it("tiles a scalar-like rank-1 tensor and broadcasts batch-norm style vectors", async () => {
    const values = randomValues(rand, 6);
    const { cpu, wasm } = await onBothBackends(() => tf.tile(tf.tensor4d(values, [1, 1, 1, 6]), [3, 4, 5, 1]));
    expectClose(wasm[0]!, cpu[0]!, "tile");
  });
});
