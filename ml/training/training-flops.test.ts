import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { buildClassifier } from "../model";
import { forwardMultiplyAdds, trainingFlopsPerImage } from "./training-flops";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("training FLOPs per image", () => {
  it("counts a conv and a dense layer by hand", () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: "same", useBias: false }).apply(input) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(conv) as tf.SymbolicTensor;
    const dense = tf.layers.dense({ units: 7 }).apply(flat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: dense });
    const convMacs = 8 * 8 * 3 * 3 * 3 * 4;
    const denseMacs = 8 * 8 * 4 * 7;
    expect(forwardMultiplyAdds(model)).toEqual({ total: convMacs + denseMacs, firstLayer: convMacs });
    expect(trainingFlopsPerImage(model)).toBe(2 * (3 * (convMacs + denseMacs) - convMacs));
    model.dispose();
  });

  it("gives the default 28-px classifier's 22.3 M multiply-adds (ml/training/README.md)", () => {
    const model = buildClassifier({ seed: 0 });
    expect(forwardMultiplyAdds(model).total / 1e6).toBeCloseTo(22.35, 1);
    model.dispose();
  });
});
