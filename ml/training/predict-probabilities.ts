/**
 * Batched inference returning class probabilities as one flat row-major Float32Array (cases x classes), with
 * optional test-time augmentation: a lesion has no up and no handedness, so averaging the model over mirror images
 * ("flips": 4 views) or all 8 symmetries of the square ("dihedral") is a cheap, label-preserving ensemble.
 */
import * as tf from "@tensorflow/tfjs";

export type TestTimeAugmentation = "none" | "flips" | "dihedral";

export interface PredictOptions {
  batchSize?: number;
  tta?: TestTimeAugmentation;
}

/** The views of an NHWC batch that TTA averages over. */
export function augmentedViews(batch: tf.Tensor4D, tta: TestTimeAugmentation): tf.Tensor4D[] {
  if (tta === "none") return [batch];
  const h = tf.reverse(batch, 2);
  const v = tf.reverse(batch, 1);
  const hv = tf.reverse(batch, [1, 2]);
  if (tta === "flips") return [batch, h, v, hv];
  // Transposing height and width is a reflection about the diagonal; with the flips it spans all 8 symmetries.
  const t = tf.transpose(batch, [0, 2, 1, 3]);
  return [batch, h, v, hv, t, tf.reverse(t, 2), tf.reverse(t, 1), tf.reverse(t, [1, 2])];
}

export async function predictProbabilities(
  model: tf.LayersModel,
  images: Float32Array,
  count: number,
  options: PredictOptions = {},
): Promise<Float32Array> {
  const { batchSize = 256, tta = "none" } = options;
  const [, height, width, channels] = model.inputs[0]!.shape as [number | null, number, number, number];
  const imageLength = height * width * channels;
  if (images.length !== count * imageLength) {
    throw new RangeError(`expected ${count} x ${height}x${width}x${channels} = ${count * imageLength} values, got ${images.length}`);
  }
  const outShape = model.outputs[0]!.shape;
  const classCount = outShape[outShape.length - 1] as number;
  const out = new Float32Array(count * classCount);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const probabilities = tf.tidy(() => {
      const batch = tf.tensor4d(images.subarray(start * imageLength, (start + n) * imageLength), [n, height, width, channels]);
      const views = augmentedViews(batch, tta);
      const summed = views
        .map((view) => model.predict(view) as tf.Tensor)
        .reduce((acc, p) => tf.add(acc, p));
      return tf.div(summed, views.length);
    });
    // Read asynchronously: tfjs-backend-webgpu cannot read a tensor synchronously in Node (its readSync needs
    // OffscreenCanvas), and on wasm the await costs one microtask.
    out.set(await probabilities.data(), start * classCount);
    probabilities.dispose();
  }
  return out;
}
