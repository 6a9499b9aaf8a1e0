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

/**
 * Source pixel index (sy * size + sx) of every output pixel, per view: worked out once per mode and size, because
 * calling the view maps per pixel cost several milliseconds per 128-px image on the thread that also runs the engine.
 */
const sourceIndexCache = new Map<string, Int32Array[]>();

function sourceIndices(mode: TestTimeAugmentationMode, size: number): Int32Array[] {
  const key = `${mode}:${size}`;
  let tables = sourceIndexCache.get(key);
  if (!tables) {
    const last = size - 1;
    tables = VIEWS[mode].map((view) => {
      const table = new Int32Array(size * size);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const [sy, sx] = view(y, x, last);
          table[y * size + x] = sy * size + sx;
        }
      }
      return table;
    });
    sourceIndexCache.set(key, tables);
  }
  return tables;
}

/** `count` NHWC images -> the same images under every view, view-major (view 0 of all images, then view 1...). */
export function augmentedViews(input: Float32Array, count: number, size: number, channels: number, mode: TestTimeAugmentationMode): Float32Array {
  const imageLength = size * size * channels;
  if (input.length !== count * imageLength) throw new RangeError(`expected ${count * imageLength} values, got ${input.length}`);
  if (mode === "none") return input;
  const tables = sourceIndices(mode, size);
  const out = new Float32Array(tables.length * input.length);
  const pixels = size * size;
  tables.forEach((table, v) => {
    for (let i = 0; i < count; i++) {
      const src = i * imageLength;
      let to = (v * count + i) * imageLength;
      if (channels === 3) {
        for (let p = 0; p < pixels; p++, to += 3) {
          const from = src + table[p]! * 3;
          out[to] = input[from]!;
          out[to + 1] = input[from + 1]!;
          out[to + 2] = input[from + 2]!;
        }
      } else {
        for (let p = 0; p < pixels; p++, to += channels) {
          const from = src + table[p]! * channels;
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
