/**
 * The arithmetic a training step costs per image, for reading throughput against the machine's ceiling
 * (measure-throughput.ts): only the convolutions and dense layers, the GEMM work that dominates; batch-norm, ReLU,
 * pooling and the optimizer are memory-bound and show up in the kernel profile by time instead.
 */
import type * as tf from "@tensorflow/tfjs";

/** Multiply-adds of one image's forward pass through every Conv2D, DepthwiseConv2D and Dense layer. */
export function forwardMultiplyAdds(model: tf.LayersModel): { total: number; firstLayer: number } {
  let total = 0;
  let firstLayer = 0;
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    if (kind !== "Conv2D" && kind !== "DepthwiseConv2D" && kind !== "Dense") continue;
    const kernel = layer.getWeights()[0]!.shape;
    const output = layer.outputShape as (number | null)[];
    // Conv2D kernel [kh, kw, in, out] (out is the output's channels); depthwise [kh, kw, in, multiplier]; dense [in, out].
    const positions = kind === "Dense" ? 1 : output[1]! * output[2]!;
    const macs = positions * kernel.reduce((a, b) => a * b, 1);
    if (total === 0) firstLayer = macs;
    total += macs;
  }
  return { total, firstLayer };
}

/**
 * FLOPs to train on one image: the forward pass (2 per multiply-add), the input gradient (as much again, except the
 * first layer, whose input is the image and needs none) and the weight gradient (as much again).
 */
export function trainingFlopsPerImage(model: tf.LayersModel): number {
  const { total, firstLayer } = forwardMultiplyAdds(model);
  return 2 * (3 * total - firstLayer);
}
