/**
 * The exported ONNX graph must compute what the tfjs model computes: checked on real DermaMNIST images through
 * ONNX Runtime, for the project's classifier (with batch-norm folded and not) and for a model using the other layer
 * kinds the MobileNetV2 fine-tune emits. Layer kinds and activations no architecture emits are refused by name.
 */
import * as tf from "@tensorflow/tfjs";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeTrainingChannelStats, DERMAMNIST_28_DIR, loadImages, normalizeToFloat32, readDermamnist } from "../../data";
import { buildClassifier } from "../../model/build-classifier";
import { artifactsOfLayersModel } from "../../store/model-artifacts";
import { exportLayersModelToOnnx } from "./export-onnx";
import { UnsupportedModelError } from "./keras-topology";

const COUNT = 24;
let images: Float32Array;

beforeAll(async () => {
  await tf.setBackend("cpu");
  const records = readDermamnist(DERMAMNIST_28_DIR).filter((r) => r.split === "test").slice(0, COUNT);
  const pixels = await loadImages(records, 28);
  images = normalizeToFloat32(pixels, computeTrainingChannelStats(pixels, COUNT, 28));
});

const models: tf.LayersModel[] = [];
afterAll(() => models.forEach((m) => m.dispose()));

/** Batch-norm layers start as identities (mean 0, var 1, gamma 1, beta 0); randomise them so folding is really tested. */
function randomizeBatchNorm(model: tf.LayersModel, seed: number): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== "BatchNormalization") continue;
    const weights = layer.getWeights();
    layer.setWeights(
      weights.map((w, i) =>
        tf.tidy(() => {
          const noise = tf.randomUniform(w.shape, 0, 1, "float32", seed + i);
          // gamma, beta, moving_mean, moving_variance in that order: keep the variance positive.
          return i === 3 ? tf.add(noise, 0.2) : tf.sub(tf.mul(noise, 1.5), 0.5);
        }),
      ),
    );
  }
}

async function maxDifference(model: tf.LayersModel, options: { foldBatchNorm?: boolean } = {}): Promise<{ diff: number; folded: string[] }> {
  const artifacts = await artifactsOfLayersModel(model);
  const exported = exportLayersModelToOnnx(artifacts, options);
  const session = await ort.InferenceSession.create(exported.bytes);
  const [h, w, c] = exported.inputShape;
  const result = await session.run({ [exported.inputName]: new ort.Tensor("float32", images, [COUNT, h, w, c]) });
  const onnx = result[exported.outputName]!.data as Float32Array;
  const reference = tf.tidy(() => (model.predict(tf.tensor4d(images, [COUNT, h, w, c])) as tf.Tensor).dataSync());
  await session.release();
  expect(onnx.length).toBe(reference.length);
  let diff = 0;
  for (let i = 0; i < onnx.length; i++) diff = Math.max(diff, Math.abs(onnx[i]! - reference[i]!));
  return { diff, folded: exported.foldedBatchNorms };
}

describe("exportLayersModelToOnnx", () => {
  it("matches tfjs on real images for the project's classifier, folding every batch-norm", async () => {
    const model = buildClassifier({ seed: 3 });
    models.push(model);
    randomizeBatchNorm(model, 11);
    const folded = await maxDifference(model);
    expect(folded.folded).toEqual(["s1c1_bn", "s2c1_bn", "s2c2_bn", "s3c1_bn", "s3c2_bn"]);
    expect(folded.diff).toBeLessThan(1e-4);
    const unfolded = await maxDifference(model, { foldBatchNorm: false });
    expect(unfolded.folded).toEqual([]);
    expect(unfolded.diff).toBeLessThan(1e-4);
  });

  it("matches tfjs for the residual variant with a dense head", async () => {
    const model = buildClassifier({ seed: 5, residual: true, headUnits: 16, stageWidths: [8, 16, 16], convsPerStage: [1, 3, 2] });
    models.push(model);
    randomizeBatchNorm(model, 23);
    const { diff } = await maxDifference(model);
    expect(diff).toBeLessThan(1e-4);
  });

  it("matches tfjs for the other layer kinds the MobileNetV2 model uses: depthwise convs, relu6, padding, flatten, dropout", async () => {
    const seed = (n: number) => tf.initializers.glorotUniform({ seed: n });
    const input = tf.input({ shape: [28, 28, 3] });
    const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor) => layer.apply(x) as tf.SymbolicTensor;
    let x = apply(tf.layers.conv2d({ filters: 6, kernelSize: 5, strides: 2, padding: "same", activation: "relu", kernelInitializer: seed(1) }), input); // 14x14
    x = apply(tf.layers.batchNormalization({}), x);
    x = apply(tf.layers.reLU({ maxValue: 6 }), x);
    x = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: "same", depthwiseInitializer: seed(2), biasInitializer: "ones" }), x); // 12 channels
    // Zero padding then max-pooling: ONNX Runtime's Pad_Fusion would turn the zeros into -inf (see layer-converters).
    x = apply(tf.layers.zeroPadding2d({ padding: [[1, 0], [0, 1]] }), x); // 15x15
    x = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: "valid" }), x); // 7x7
    x = apply(tf.layers.flatten(), x);
    x = apply(tf.layers.dropout({ rate: 0.5 }), x);
    x = apply(tf.layers.dense({ units: 10, activation: "relu", kernelInitializer: seed(5) }), x);
    x = apply(tf.layers.dense({ units: 10, kernelInitializer: seed(6), biasInitializer: "ones" }), x);
    x = apply(tf.layers.batchNormalization({}), x);
    x = apply(tf.layers.dense({ units: 7, activation: "softmax", kernelInitializer: seed(7) }), x);
    const model = tf.model({ inputs: input, outputs: x });
    models.push(model);
    randomizeBatchNorm(model, 31);
    const { diff, folded } = await maxDifference(model);
    expect(folded).toHaveLength(1); // the batch-norm after the linear dense layer; the first follows a relu
    expect(diff).toBeLessThan(1e-4);
  });

  it("refuses a layer it cannot convert, naming it", async () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const up = tf.layers.upSampling2d({ size: [2, 2], name: "upsample" }).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 7, activation: "softmax" }).apply(tf.layers.flatten().apply(up)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    models.push(model);
    const artifacts = await artifactsOfLayersModel(model);
    expect(() => exportLayersModelToOnnx(artifacts)).toThrow(UnsupportedModelError);
    expect(() => exportLayersModelToOnnx(artifacts)).toThrow(/upsample: UpSampling2D is not supported/);
  });

  it("refuses layer kinds and activations no DermFlag architecture emits", async () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const separable = tf.layers.separableConv2d({ filters: 4, kernelSize: 3, name: "sep" }).apply(input) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({}).apply(separable) as tf.SymbolicTensor;
    const separableModel = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 7 }).apply(pooled) as tf.SymbolicTensor });
    const tanhInput = tf.input({ shape: [8, 8, 3] });
    const tanh = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: "tanh", name: "tanh_conv" }).apply(tanhInput) as tf.SymbolicTensor;
    const tanhModel = tf.model({ inputs: tanhInput, outputs: tf.layers.flatten().apply(tanh) as tf.SymbolicTensor });
    models.push(separableModel, tanhModel);
    const separableArtifacts = await artifactsOfLayersModel(separableModel);
    const tanhArtifacts = await artifactsOfLayersModel(tanhModel);
    expect(() => exportLayersModelToOnnx(separableArtifacts)).toThrow(/sep: SeparableConv2D is not supported/);
    expect(() => exportLayersModelToOnnx(tanhArtifacts)).toThrow(/activation "tanh" \(in tanh_conv\) is not supported/);
  });

  it("refuses weights that do not match the topology", async () => {
    const model = buildClassifier({ stageWidths: [4, 8], convsPerStage: [1, 1] });
    models.push(model);
    const artifacts = await artifactsOfLayersModel(model);
    expect(() => exportLayersModelToOnnx({ ...artifacts, weightData: artifacts.weightData.subarray(0, 100) })).toThrow(/runs past the end/);
  });
});
