/**
 * Image -> model input, exactly as training prepared it: ml/data's decodeToRgb with the stored framing (fit) and
 * resize kernel at the stored size, the stored colour constancy, then the stored channel statistics. Training and inference call
 * the same two functions with the same stored parameters, so an upload and a training image of the same pixels
 * become the same floats.
 */
import { decodeToRgb, loadImages, normalizeToFloat32 } from "../data";
import { applyColourConstancy } from "../data/colour-constancy";
import type { Preprocessing } from "../store/model-files";

export function inputLength(preprocessing: Preprocessing): number {
  return preprocessing.inputSize * preprocessing.inputSize * preprocessing.channels;
}

/** JPEG/PNG/... bytes of one image -> normalised NHWC floats for one image. */
export async function preprocessImageBytes(bytes: Uint8Array, preprocessing: Preprocessing): Promise<Float32Array> {
  const pixels = await decodeToRgb(bytes, preprocessing.inputSize, preprocessing.decode);
  return modelInputOfPixels(pixels, 1, preprocessing);
}

/**
 * Decoded RGB bytes -> model input: colour constancy (on a copy; the caller's bytes are left as they are), then
 * channel normalisation. The one function training, evaluation and inference all go through after decoding.
 */
export function modelInputOfPixels(pixels: Uint8Array, count: number, preprocessing: Preprocessing): Float32Array {
  const method = preprocessing.colourConstancy ?? { method: "none" as const };
  if (method.method === "none") return normalizeToFloat32(pixels, preprocessing.channelStats);
  const corrected = pixels.slice();
  applyColourConstancy(corrected, count, method);
  return normalizeToFloat32(corrected, preprocessing.channelStats);
}

/** Raw RGB bytes (count x size x size x 3, as loadImages returns) -> normalised floats. */
export function preprocessPixels(pixels: Uint8Array, count: number, preprocessing: Preprocessing): Float32Array {
  if (pixels.length !== count * inputLength(preprocessing)) {
    const s = preprocessing.inputSize;
    throw new RangeError(`expected ${count} images of ${s}x${s}x3 = ${count * inputLength(preprocessing)} bytes, got ${pixels.length}`);
  }
  return modelInputOfPixels(pixels, count, preprocessing);
}

export interface PreprocessFilesOptions {
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Image files -> normalised floats, in record order. */
export async function preprocessFiles(
  records: readonly { file: string }[],
  preprocessing: Preprocessing,
  options: PreprocessFilesOptions = {},
): Promise<Float32Array> {
  const pixels = await loadImages(records, preprocessing.inputSize, { ...preprocessing.decode, ...options });
  return modelInputOfPixels(pixels, records.length, preprocessing);
}
