/**
 * Seeded training-time augmentation for dermoscopy images (HWC, RGB): a lesion has no "up" and no handedness, so
 * flips and quarter turns are label-preserving and lossless; brightness/contrast jitter stands in for different
 * dermatoscopes and lighting; a shift of a pixel or two at 28 px stands in for framing. Everything is a pure
 * function of the image and the random numbers drawn, so a seed replays a training run exactly.
 */
import type { Rng } from "../random";

export interface AugmentOptions {
  /** Random left-right mirror (default true). */
  flipHorizontal?: boolean;
  /** Random top-bottom mirror (default true). */
  flipVertical?: boolean;
  /** Random rotation by 0, 90, 180 or 270 degrees (default true). */
  rotate90?: boolean;
  /** Random translation of up to this many whole pixels on each axis, edges replicated (default 0). */
  maxShift?: number;
  /** Max additive brightness change as a fraction of valueRange (default 0.1). */
  brightness?: number;
  /** Max relative contrast change around the image mean: factor in [1 - c, 1 + c] (default 0.1). */
  contrast?: number;
  /**
   * The span of pixel values, which brightness is relative to. Uint8 images: 255 (fixed). Float images: default 1
   * (values in 0..1); for standardised images pass about 1 / mean(std) of the channel stats.
   */
  valueRange?: number;
}

/** One image's draw: what augmentImage applies. Exposed so tests and previews can apply a chosen transform. */
export interface AugmentParams {
  flipHorizontal: boolean;
  flipVertical: boolean;
  /** Counter-clockwise quarter turns, 0..3. */
  quarterTurns: number;
  shiftX: number;
  shiftY: number;
  /** Added to every value, as a fraction of the value range. */
  brightnessShift: number;
  contrastFactor: number;
}

export const IDENTITY_AUGMENTATION: AugmentParams = {
  flipHorizontal: false,
  flipVertical: false,
  quarterTurns: 0,
  shiftX: 0,
  shiftY: 0,
  brightnessShift: 0,
  contrastFactor: 1,
};

/**
 * Draws one image's parameters. Always consumes exactly seven numbers from `rng`, whichever options are on, so
 * switching one augmentation off does not change the draws of the others or of later images.
 */
export function sampleAugmentParams(rng: Rng, options: AugmentOptions = {}): AugmentParams {
  const { flipHorizontal = true, flipVertical = true, rotate90 = true, maxShift = 0, brightness = 0.1, contrast = 0.1 } = options;
  if (!Number.isInteger(maxShift) || maxShift < 0) throw new RangeError(`maxShift must be a whole number >= 0, got ${maxShift}`);
  const draws = [rng(), rng(), rng(), rng(), rng(), rng(), rng()] as const;
  const shift = (u: number) => Math.floor(u * (2 * maxShift + 1)) - maxShift;
  return {
    flipHorizontal: flipHorizontal && draws[0] < 0.5,
    flipVertical: flipVertical && draws[1] < 0.5,
    quarterTurns: rotate90 ? Math.floor(draws[2] * 4) : 0,
    shiftX: shift(draws[3]),
    shiftY: shift(draws[4]),
    // `+ 0` turns -0 (a zero range times a negative draw) into 0, so "off" reads as exactly the identity.
    brightnessShift: (draws[5] * 2 - 1) * brightness + 0,
    contrastFactor: 1 + (draws[6] * 2 - 1) * contrast,
  };
}

type Pixels = Uint8Array | Float32Array;

/**
 * Writes the augmented `source` into `target` (same length, different buffers). Geometry is one gather pass:
 * every output pixel reads its source pixel through the inverse transform, so nothing is allocated per pixel.
 */
export function applyAugmentation(source: Pixels, target: Pixels, size: number, params: AugmentParams, valueRange: number): void {
  const length = size * size * 3;
  if (source.length !== length || target.length !== length) {
    throw new RangeError(`applyAugmentation: expected ${size}x${size}x3 = ${length} values, got ${source.length} -> ${target.length}`);
  }
  if (source.buffer === target.buffer && source.byteOffset === target.byteOffset) {
    throw new RangeError("applyAugmentation: source and target must be different buffers");
  }
  const last = size - 1;
  // The inverse of flip -> rotate is an affine map with integer coefficients: find it from three points.
  const inverse = (y: number, x: number): [number, number] => {
    for (let k = 0; k < (params.quarterTurns & 3); k++) [y, x] = [x, last - y];
    if (params.flipVertical) y = last - y;
    if (params.flipHorizontal) x = last - x;
    return [y, x];
  };
  const [oy, ox] = inverse(0, 0);
  const [yy, yx] = inverse(1, 0);
  const [xy, xx] = inverse(0, 1);
  const dyY = yy - oy, dyX = yx - ox, dxY = xy - oy, dxX = xx - ox;

  for (let y = 0; y < size; y++) {
    const ty = Math.min(last, Math.max(0, y - params.shiftY));
    for (let x = 0; x < size; x++) {
      const tx = Math.min(last, Math.max(0, x - params.shiftX));
      const sy = oy + dyY * ty + dxY * tx;
      const sx = ox + dyX * ty + dxX * tx;
      const from = (sy * size + sx) * 3;
      const to = (y * size + x) * 3;
      target[to] = source[from]!;
      target[to + 1] = source[from + 1]!;
      target[to + 2] = source[from + 2]!;
    }
  }

  if (params.contrastFactor === 1 && params.brightnessShift === 0) return;
  let sum = 0;
  for (let i = 0; i < length; i++) sum += target[i]!;
  const mean = sum / length;
  const offset = mean * (1 - params.contrastFactor) + params.brightnessShift * valueRange;
  if (target instanceof Uint8Array) {
    // Uint8Array assignment would wrap around: clamp and round explicitly.
    for (let i = 0; i < length; i++) target[i] = Math.min(255, Math.max(0, Math.round(target[i]! * params.contrastFactor + offset)));
  } else {
    for (let i = 0; i < length; i++) target[i] = target[i]! * params.contrastFactor + offset;
  }
}

/** Returns an augmented copy of one HWC image (same type as the input); the input is not modified. */
export function augmentImage<T extends Pixels>(image: T, size: number, rng: Rng, options: AugmentOptions = {}): T {
  const params = sampleAugmentParams(rng, options);
  const target = (image instanceof Uint8Array ? new Uint8Array(image.length) : new Float32Array(image.length)) as T;
  applyAugmentation(image, target, size, params, valueRangeFor(image, options));
  return target;
}

/**
 * Augments `n` HWC images of `size`x`size` stored back to back in `batch`, in place. One scratch image for the
 * whole batch; draws from `rng` in image order, so the same rng state gives the same batch.
 */
export function augmentBatch(batch: Float32Array, n: number, size: number, rng: Rng, options: AugmentOptions = {}): void {
  const imageLength = size * size * 3;
  if (batch.length !== n * imageLength) {
    throw new RangeError(`augmentBatch: expected ${n}x${size}x${size}x3 = ${n * imageLength} values, got ${batch.length}`);
  }
  const scratch = new Float32Array(imageLength);
  const valueRange = valueRangeFor(batch, options);
  for (let i = 0; i < n; i++) {
    const image = batch.subarray(i * imageLength, (i + 1) * imageLength);
    applyAugmentation(image, scratch, size, sampleAugmentParams(rng, options), valueRange);
    image.set(scratch);
  }
}

function valueRangeFor(image: Pixels, options: AugmentOptions): number {
  return image instanceof Uint8Array ? 255 : (options.valueRange ?? 1);
}
