/**
 * Occlusion sensitivity (Zeiler & Fergus 2014): cover one square patch of the model's input at a time, re-score, and
 * record how much P(malignant) dropped. A large drop means the score leans on that area. It needs nothing but the
 * model's forward pass, so it works for every engine (ONNX Runtime, TensorFlow.js) and every architecture.
 *
 * Pure: the caller supplies the scorer, so the geometry and bookkeeping are tested with a fake model.
 *
 * What it is not: a segmentation or proof of what the model "saw". The map depends on the patch size and on the
 * fill colour, and a model that spreads its evidence over many areas shows small drops everywhere.
 */

/** Normalised NHWC floats for `count` images -> P(malignant) for each, in order. */
export type MalignancyScorer = (inputs: Float32Array, count: number) => Promise<ArrayLike<number>>;

export interface OcclusionOptions {
  /** Side of the square input in pixels. */
  size: number;
  /** Values per pixel (3 for RGB). */
  channels?: number;
  /** Side of the covering patch in pixels. */
  patch: number;
  /** Step between patch positions in pixels. */
  stride: number;
  /**
   * Value written under the patch, in the scorer's (normalised) units. Default 0: after per-channel standardisation
   * that is the training set's mean colour, a neutral "nothing here" rather than black, which would be a feature.
   */
  fill?: number;
  /** Occluded copies scored per call (bounds memory: batchSize x size x size x channels floats). */
  batchSize?: number;
}

export interface OcclusionGrid {
  size: number;
  patch: number;
  stride: number;
  /** Top-left pixel of each patch row / column; the last one is moved in so that patches cover the edges. */
  starts: number[];
  /** P(malignant) of the untouched input. */
  baseline: number;
  /** starts.length x starts.length, row-major: baseline - score with that patch covered. Positive: the area raised the score. */
  drops: Float32Array;
}

/** Patch start positions along one axis: every `stride` px, plus a final one flush with the edge when needed. */
export function patchStarts(size: number, patch: number, stride: number): number[] {
  assertGeometry(size, patch, stride);
  const starts: number[] = [];
  for (let start = 0; start + patch <= size; start += stride) starts.push(start);
  const last = starts.at(-1) ?? 0;
  if (last + patch < size) starts.push(size - patch);
  return starts;
}

/**
 * A patch about a seventh of the input (a lesion's structures, not single pixels) at half-patch steps: 13-15
 * positions per side, so 170-230 forward passes per image whatever the input size.
 */
export function defaultOcclusionGeometry(size: number): { patch: number; stride: number } {
  const patch = Math.min(size, Math.max(2, Math.round(size / 7)));
  return { patch, stride: Math.max(1, Math.round(patch / 2)) };
}

export async function occlusionSensitivity(score: MalignancyScorer, input: Float32Array, options: OcclusionOptions): Promise<OcclusionGrid> {
  const { size, patch, stride } = options;
  const channels = options.channels ?? 3;
  const fill = options.fill ?? 0;
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`channels must be a positive integer, got ${channels}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const length = size * size * channels;
  if (input.length !== length) throw new RangeError(`expected ${size}x${size}x${channels} = ${length} values, got ${input.length}`);
  if (!Number.isFinite(fill)) throw new RangeError("fill must be a finite number");

  const starts = patchStarts(size, patch, stride);
  const baseline = readScore(await score(input.slice(), 1), 0);
  const positions = starts.flatMap((top) => starts.map((left) => ({ top, left })));
  const drops = new Float32Array(positions.length);

  const batch = new Float32Array(Math.min(batchSize, positions.length) * length);
  for (let first = 0; first < positions.length; first += batchSize) {
    const chunk = positions.slice(first, first + batchSize);
    for (let i = 0; i < chunk.length; i++) {
      const copy = batch.subarray(i * length, (i + 1) * length);
      copy.set(input);
      coverPatch(copy, size, channels, chunk[i]!, patch, fill);
    }
    // A short last batch gets its own exact-size array: engines may read a view's whole underlying buffer.
    const inputs = chunk.length * length === batch.length ? batch : batch.slice(0, chunk.length * length);
    const scores = await score(inputs, chunk.length);
    if (scores.length < chunk.length) throw new RangeError(`the scorer returned ${scores.length} scores for ${chunk.length} inputs`);
    for (let i = 0; i < chunk.length; i++) drops[first + i] = baseline - readScore(scores, i);
  }
  return { size, patch, stride, starts, baseline, drops };
}

/**
 * Per-pixel map (size x size, row-major): each pixel gets the mean drop of the patches that covered it. Overlapping
 * patches make this smoother and better localised than the raw grid.
 */
export function pixelSensitivity(grid: OcclusionGrid): Float32Array {
  const { size, patch, starts, drops } = grid;
  const sum = new Float64Array(size * size);
  const covered = new Uint32Array(size * size);
  starts.forEach((top, row) => {
    starts.forEach((left, column) => {
      const drop = drops[row * starts.length + column]!;
      for (let y = top; y < top + patch; y++) {
        for (let x = left; x < left + patch; x++) {
          sum[y * size + x]! += drop;
          covered[y * size + x]! += 1;
        }
      }
    });
  });
  return Float32Array.from(sum, (value, i) => (covered[i] ? value / covered[i]! : 0));
}

/** A size x size map averaged down to cells x cells blocks (block edges at floor(i * size / cells)), for display. */
export function downsampleMap(map: Float32Array, size: number, cells: number): Float32Array {
  if (map.length !== size * size) throw new RangeError(`expected ${size * size} values, got ${map.length}`);
  if (!Number.isInteger(cells) || cells < 1 || cells > size) throw new RangeError(`cells must be an integer in 1..${size}, got ${cells}`);
  const out = new Float32Array(cells * cells);
  const edge = (i: number) => Math.floor((i * size) / cells);
  for (let row = 0; row < cells; row++) {
    for (let column = 0; column < cells; column++) {
      let total = 0;
      let n = 0;
      for (let y = edge(row); y < edge(row + 1); y++) {
        for (let x = edge(column); x < edge(column + 1); x++) {
          total += map[y * size + x]!;
          n++;
        }
      }
      out[row * cells + column] = total / n;
    }
  }
  return out;
}

function coverPatch(image: Float32Array, size: number, channels: number, at: { top: number; left: number }, patch: number, fill: number) {
  for (let y = at.top; y < at.top + patch; y++) {
    const rowStart = (y * size + at.left) * channels;
    image.fill(fill, rowStart, rowStart + patch * channels);
  }
}

function readScore(scores: ArrayLike<number>, index: number): number {
  const value = scores[index];
  if (value === undefined || !Number.isFinite(value)) throw new RangeError(`the scorer returned a non-finite score at ${index}`);
  return value;
}

function assertGeometry(size: number, patch: number, stride: number) {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
  if (!Number.isInteger(patch) || patch < 1 || patch > size) throw new RangeError(`patch must be an integer in 1..${size}, got ${patch}`);
  if (!Number.isInteger(stride) || stride < 1) throw new RangeError(`stride must be a positive integer, got ${stride}`);
}
