/**
 * The pretrained backbone loads offline from the installed nsfwjs package, folding batch norm into the convolutions
 * changes nothing the network computes, and the composed classifier gives the same probabilities through ONNX
 * Runtime (how it is served) as through tfjs (how it was trained).
 */
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { DIAGNOSES } from "../diagnoses";
import { createEngine } from "../inference/engines/create-engine";
import { createRng } from "../random";
import { artifactsOfLayersModel } from "../store/model-artifacts";
import { buildTop, buildTrunk, composeClassifier, cutShape, DEFAULT_MOBILENET_CUT, loadMobileNetV2, MOBILENET_V2_OUTPUT, poolTrunkMaps } from "./mobilenet-v2";

const SIZE = 64;
let backbone: tf.LayersModel;

/** Two reproducible inputs in [-1, 1] (the backbone's scaling). */
function inputs(count: number): Float32Array {
  const rng = createRng(5);
  return Float32Array.from({ length: count * SIZE * SIZE * 3 }, () => rng() * 2 - 1);
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
};

beforeAll(async () => {
  await initBackend({ log: () => {} });
  backbone = await loadMobileNetV2(SIZE);
}, 60_000);

afterAll(() => backbone?.dispose());

describe("loadMobileNetV2", () => {
  it("loads the ImageNet MobileNetV2 body from the installed package at the asked size", () => {
    expect(backbone.outputs[0]!.shape).toEqual([null, SIZE / 32, SIZE / 32, 1280]);
    expect(backbone.layers.at(-1)!.name).toBe(MOBILENET_V2_OUTPUT);
    // Pretrained, not freshly initialised: the first convolution's kernel is not a random glorot draw.
    const [kernel] = backbone.getLayer("Conv1").getWeights();
    expect(kernel!.shape).toEqual([3, 3, 3, 32]);
    expect(cutShape(backbone, DEFAULT_MOBILENET_CUT)).toEqual([SIZE / 32, SIZE / 32, 160]);
  });

  it("refuses sizes the network cannot take", async () => {
    await expect(loadMobileNetV2(100)).rejects.toThrow(RangeError);
    await expect(loadMobileNetV2(16)).rejects.toThrow(RangeError);
  });
});

describe("batch-norm folding and composition", () => {
  it("the folded trunk computes what the original network computes at the cut", () => {
    const trunk = buildTrunk(backbone, DEFAULT_MOBILENET_CUT);
    const original = tf.model({ inputs: backbone.inputs, outputs: backbone.getLayer(DEFAULT_MOBILENET_CUT).output as tf.SymbolicTensor });
    const x = tf.tensor4d(inputs(2), [2, SIZE, SIZE, 3]);
    const folded = (trunk.predict(x) as tf.Tensor).dataSync();
    const reference = (original.predict(x) as tf.Tensor).dataSync();
    const scale = Array.from(reference).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(maxAbsDiff(folded, reference) / scale).toBeLessThan(1e-4);
    // The folded trunk has no batch norm left.
    expect(trunk.layers.some((l) => l.getClassName() === "BatchNormalization")).toBe(false);
    x.dispose();
    trunk.dispose();
  });

  it("the composed classifier gives the same probabilities and OOD features on ONNX Runtime as in tfjs", async () => {
    const top = buildTop(backbone, DEFAULT_MOBILENET_CUT, { dropout: 0.2, seed: 1 });
    const classifier = composeClassifier(backbone, DEFAULT_MOBILENET_CUT, top);
    const trunk = buildTrunk(backbone, DEFAULT_MOBILENET_CUT);
    const x = inputs(2);
    const [probabilities, features] = classifier.predict(tf.tensor4d(x, [2, SIZE, SIZE, 3])) as tf.Tensor[];
    const expected = probabilities!.dataSync();
    // The second output is the trunk's map averaged over space: what poolTrunkMaps computes from the training cache.
    const shape = cutShape(backbone, DEFAULT_MOBILENET_CUT);
    const pooled = poolTrunkMaps((trunk.predict(tf.tensor4d(x, [2, SIZE, SIZE, 3])) as tf.Tensor).dataSync() as Float32Array, 2, shape);
    expect(features!.shape).toEqual([2, shape[2]]);
    expect(maxAbsDiff(features!.dataSync(), pooled)).toBeLessThan(1e-4);
    const engine = await createEngine(await artifactsOfLayersModel(classifier), { engine: "onnx" });
    try {
      expect(engine.classCount).toBe(DIAGNOSES.length);
      expect(engine.featureSize).toBe(shape[2]);
      const served = await engine.runWithFeatures(x, 2);
      expect(maxAbsDiff(served.probabilities, expected)).toBeLessThan(1e-4);
      expect(maxAbsDiff(served.features!, pooled)).toBeLessThan(1e-3);
      expect(served.probabilities.slice(0, DIAGNOSES.length).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    } finally {
      await engine.dispose();
      classifier.dispose();
      trunk.dispose();
      top.dispose();
    }
  });
});
