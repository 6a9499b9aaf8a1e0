/**
 * Per-channel standardisation. The statistics must come from the training split only (using val or test pixels
 * would leak them into training), hence the name computeTrainingChannelStats. Statistics are on the 0..1 scale
 * (byte / 255) and are meant to be saved with the model, so inference normalises uploads identically.
 */
import { z } from "zod";

const channelTriple = z.tuple([z.number().finite(), z.number().finite(), z.number().finite()]);
const positiveTriple = z.tuple([z.number().finite().positive(), z.number().finite().positive(), z.number().finite().positive()]);

export const ChannelStatsSchema = z.object({ mean: channelTriple, std: positiveTriple });
/** Per-channel (R, G, B) mean and population standard deviation of byte / 255. */
export type ChannelStats = z.infer<typeof ChannelStatsSchema>;

function assertPixelCount(pixels: Uint8Array, count: number, size: number, caller: string): void {
  if (pixels.length !== count * size * size * 3) {
    throw new RangeError(`${caller}: expected ${count}x${size}x${size}x3 = ${count * size * size * 3} bytes, got ${pixels.length}`);
  }
}

/** Mean and std per channel over `count` HWC RGB images of `size`x`size` from the TRAINING split. */
export function computeTrainingChannelStats(trainingPixels: Uint8Array, count: number, size: number): ChannelStats {
  assertPixelCount(trainingPixels, count, size, "computeTrainingChannelStats");
  if (count === 0) throw new RangeError("computeTrainingChannelStats: no training images");
  // Byte histograms per channel: exact, and sums never lose precision however many pixels there are.
  const histogram = [new Float64Array(256), new Float64Array(256), new Float64Array(256)] as const;
  for (let i = 0; i < trainingPixels.length; i += 3) {
    histogram[0][trainingPixels[i] ?? 0]! += 1;
    histogram[1][trainingPixels[i + 1] ?? 0]! += 1;
    histogram[2][trainingPixels[i + 2] ?? 0]! += 1;
  }
  const n = trainingPixels.length / 3;
  const mean: [number, number, number] = [0, 0, 0];
  const std: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const h = histogram[c as 0 | 1 | 2];
    let sum = 0;
    for (let v = 0; v < 256; v++) sum += (h[v] ?? 0) * (v / 255);
    const m = sum / n;
    let squares = 0;
    for (let v = 0; v < 256; v++) squares += (h[v] ?? 0) * (v / 255 - m) ** 2;
    mean[c] = m;
    std[c] = Math.sqrt(squares / n);
  }
  return ChannelStatsSchema.parse({ mean, std });
}

/**
 * (byte / 255 - mean) / std per channel, into `out` (allocated when omitted). Accepts any number of images; the
 * stats are validated (they may have been read back from a saved model).
 */
export function normalizeToFloat32(pixels: Uint8Array, stats: ChannelStats, out?: Float32Array): Float32Array {
  const { mean, std } = ChannelStatsSchema.parse(stats);
  if (pixels.length % 3 !== 0) throw new RangeError(`normalizeToFloat32: ${pixels.length} bytes is not a whole number of RGB pixels`);
  const target = out ?? new Float32Array(pixels.length);
  if (target.length !== pixels.length) {
    throw new RangeError(`normalizeToFloat32: output has ${target.length} values, input ${pixels.length}`);
  }
  // One 256-entry table per channel: a lookup per byte instead of a subtract and divide.
  const table = new Float32Array(768);
  for (let c = 0; c < 3; c++) {
    for (let v = 0; v < 256; v++) table[c * 256 + v] = (v / 255 - mean[c]!) / std[c]!;
  }
  for (let i = 0; i < pixels.length; i += 3) {
    target[i] = table[pixels[i]!]!;
    target[i + 1] = table[256 + pixels[i + 1]!]!;
    target[i + 2] = table[512 + pixels[i + 2]!]!;
  }
  return target;
}
