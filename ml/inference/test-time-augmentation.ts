/**
 * Test-time augmentation for any engine, on plain arrays: a lesion has no up and no handedness, so the model can be
 * averaged over mirror images ("flips": 4 views) or all 8 symmetries of the square ("dihedral"). Same views, order
 * and averaging as ml/training's predictProbabilities, so a mode chosen on validation there means the same here.
 */
export const TTA_MODES = ["none", "flips", "dihedral"] as const;
export type TestTimeAugmentationMode = (typeof TTA_MODES)[number];

/** Source pixel (row, column) for output (y, x) of each view of an s x s image, in predictProbabilities' order. */
type ViewMap = (y: number, x: number, last: number) => [number, number];

const VIEWS: Record<TestTimeAugmentationMode, ViewMap[]> = {
  none: [(y, x) => [y, x]],
  flips: [(y, x) => [y, x], (y, x, l) => [y, l - x], (y, x, l) => [l - y, x], (y, x, l) => [l - y, l - x]],
  dihedral: [
    (y, x) => [y, x],
    (y, x, l) => [y, l - x],
    (y, x, l) => [l - y, x],
    (y, x, l) => [l - y, l - x],
    (y, x) => [x, y],
    (y, x, l) => [l - x, y],
    (y, x, l) => [x, l - y],
    (y, x, l) => [l - x, l - y],
  ],
};

export function viewCount(mode: TestTimeAugmentationMode): number {
  return VIEWS[mode].length;
}

/** `count` NHWC images -> the same images under every view, view-major (view 0 of all images, then view 1...). */
export function augmentedViews(input: Float32Array, count: number, size: number, channels: number, mode: TestTimeAugmentationMode): Float32Array {
  const views = VIEWS[mode];
  const imageLength = size * size * channels;
  if (input.length !== count * imageLength) throw new RangeError(`expected ${count * imageLength} values, got ${input.length}`);
  if (mode === "none") return input;
  const out = new Float32Array(views.length * input.length);
  const last = size - 1;
  views.forEach((view, v) => {
    for (let i = 0; i < count; i++) {
      const src = i * imageLength;
      const dst = (v * count + i) * imageLength;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const [sy, sx] = view(y, x, last);
          const from = src + (sy * size + sx) * channels;
          const to = dst + (y * size + x) * channels;
          for (let c = 0; c < channels; c++) out[to + c] = input[from + c]!;
        }
      }
    }
  });
  return out;
}

/** View-major probabilities (views x count x classes) -> their mean per image (count x classes). */
export function averageViews(probabilities: Float32Array, views: number, count: number, classes: number): Float32Array {
  if (probabilities.length !== views * count * classes) throw new RangeError(`expected ${views * count * classes} probabilities, got ${probabilities.length}`);
  if (views === 1) return probabilities;
  const out = new Float32Array(count * classes);
  for (let v = 0; v < views; v++) {
    const offset = v * count * classes;
    for (let j = 0; j < count * classes; j++) out[j] = out[j]! + probabilities[offset + j]!;
  }
  for (let j = 0; j < out.length; j++) out[j] = out[j]! / views;
  return out;
}
