/**
 * The lesion classifier: a small VGG-style CNN (3x3 conv + batch-norm + ReLU stages, max-pool between stages,
 * global average pooling, one linear layer). Pure: builds a fresh tf.LayersModel from options, no training, no I/O;
 * the same options (seed included) always give the same initial weights.
 *
 * The final dense layer is named LOGITS_LAYER and followed by a softmax layer, so inference gets probabilities while
 * training can take the logits for a numerically stable loss.
 */
import * as tf from "@tensorflow/tfjs";
import { resolveClassifierOptions, type ClassifierOptions } from "./classifier-options";

export const LOGITS_LAYER = "logits";
export const PROBABILITIES_LAYER = "probabilities";

export function buildClassifier(options: ClassifierOptions = {}): tf.LayersModel {
  const o = resolveClassifierOptions(options);
  // Each layer gets its own seed derived from the model seed (tfjs has no global seed to set).
  let layerIndex = 0;
  const nextSeed = () => o.seed * 1009 + ++layerIndex;
  const he = () => tf.initializers.heNormal({ seed: nextSeed() });

  const input = tf.input({ shape: [o.inputSize, o.inputSize, o.channels], name: "image" });
  let x: tf.SymbolicTensor = input;
  const convUnit = (t: tf.SymbolicTensor, filters: number, name: string, relu = true): tf.SymbolicTensor => {
    t = tf.layers
      .conv2d({ filters, kernelSize: 3, padding: "same", useBias: false, kernelInitializer: he(), name: `${name}_conv` })
      .apply(t) as tf.SymbolicTensor;
    t = tf.layers.batchNormalization({ momentum: o.batchNormMomentum, name: `${name}_bn` }).apply(t) as tf.SymbolicTensor;
    return relu ? (tf.layers.reLU({ name: `${name}_relu` }).apply(t) as tf.SymbolicTensor) : t;
  };

  o.stageWidths.forEach((width, stage) => {
    const units = o.convsPerStage[stage]!;
    const prefix = `s${stage + 1}`;
    x = convUnit(x, width, `${prefix}c1`);
    if (o.residual && units > 1) {
      const shortcut = x;
      let y = x;
      for (let u = 2; u <= units; u++) y = convUnit(y, width, `${prefix}c${u}`, u < units);
      x = tf.layers.add({ name: `${prefix}_add` }).apply([shortcut, y]) as tf.SymbolicTensor;
      x = tf.layers.reLU({ name: `${prefix}_out` }).apply(x) as tf.SymbolicTensor;
    } else {
      for (let u = 2; u <= units; u++) x = convUnit(x, width, `${prefix}c${u}`);
    }
    if (stage < o.stageWidths.length - 1) {
      x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `${prefix}_pool` }).apply(x) as tf.SymbolicTensor;
    }
  });

  x = tf.layers.globalAveragePooling2d({ name: "gap" }).apply(x) as tf.SymbolicTensor;
  if (o.headUnits > 0) {
    x = tf.layers
      .dense({ units: o.headUnits, activation: "relu", kernelInitializer: he(), name: "head" })
      .apply(x) as tf.SymbolicTensor;
  }
  const logits = tf.layers
    .dense({
      units: o.classCount,
      kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
      name: LOGITS_LAYER,
    })
    .apply(x) as tf.SymbolicTensor;
  const probabilities = tf.layers.softmax({ name: PROBABILITIES_LAYER }).apply(logits) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: probabilities, name: "dermflag_classifier" });
}
