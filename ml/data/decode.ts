/**
 * Image files -> raw RGB bytes (HWC, uint8) at the model's input size, with sharp (libvips).
 *
 * Resize policy: centre "cover" crop to a square, then resize with the bilinear ("linear") kernel. For square
 * inputs (DermaMNIST 28x28, ISIC 180x180) that is a plain resize. For full-size HAM10000 images (600x450) it crops
 * the central 450x450 region, which is how DermaMNIST was made: decoding the 70 HAM10000 sample images this way
 * lands within a mean 3.5 grey levels of their DermaMNIST-28 JPEGs, versus 9.2 for a squashing "fill" resize and
 * 4.0 for sharp's default lanczos3 kernel (see decode.test.ts). A model trained on DermaMNIST therefore sees
 * uploads framed the way it was trained.
 *
 * Formats: whatever sharp's bundled libvips reads (JPEG, PNG, TIFF, WebP, GIF, AVIF), and BMP through the project's
 * one BMP decoder (./bmp/decode-bmp, the same one uploads use: libvips has no BMP loader). EXIF orientation is applied; greyscale becomes three equal channels.
 * Transparency is composited onto black, like the dark vignette around dermoscopy images (plain alpha removal is
 * not well defined here: libvips resizes with premultiplied alpha, so fully transparent pixels come out black
 * anyway, and partly transparent ones would come out darkened in an undocumented way).
 */
import { readFile } from "node:fs/promises";
import sharp, { type KernelEnum, type OutputInfo } from "sharp";
import { decodeBmp, looksLikeBmp } from "./bmp/decode-bmp";
import { DatasetError } from "./dataset-error";
import { forEachWithConcurrency } from "./pool";

export interface DecodeOptions {
  /** "cover" (default): centre crop to square, keeps aspect ratio. "fill": squash to square, keeps everything. */
  fit?: "cover" | "fill";
  kernel?: keyof KernelEnum;
}

export const DEFAULT_DECODE_OPTIONS: Required<DecodeOptions> = { fit: "cover", kernel: "linear" };

/** Largest BMP decoded for training or the CLIs (uploads have their own, configurable limit). */
const MAX_BMP_PIXELS = 100_000_000;

/** Full-resolution RGB(A) pixels of a file or buffer, before any resizing. */
async function decodeFull(input: string | Uint8Array): Promise<{ data: Buffer; info: { width: number; height: number; channels: 1 | 2 | 3 | 4 } }> {
  const bytes = typeof input === "string" ? await readFile(input) : input;
  if (looksLikeBmp(bytes)) {
    const bmp = decodeBmp(bytes, { maxPixels: MAX_BMP_PIXELS });
    return { data: Buffer.from(bmp.data.buffer, bmp.data.byteOffset, bmp.data.byteLength), info: { width: bmp.width, height: bmp.height, channels: 3 } };
  }
  const decoded = await sharp(bytes).autoOrient().flatten({ background: { r: 0, g: 0, b: 0 } }).toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
  return { data: decoded.data, info: { width: decoded.info.width, height: decoded.info.height, channels: decoded.info.channels as 1 | 2 | 3 | 4 } };
}

/** Decodes one image to `size * size * 3` bytes, row-major, RGB interleaved (HWC). */
export async function decodeToRgb(
  input: string | Uint8Array,
  size: number,
  options: DecodeOptions = {},
): Promise<Uint8Array> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`decodeToRgb: size must be a positive integer, got ${size}`);
  const { fit, kernel } = { ...DEFAULT_DECODE_OPTIONS, ...options };
  const source = typeof input === "string" ? input : "<buffer>";
  let data: Buffer;
  let info: OutputInfo;
  try {
    // Decode in full first, then resize from the raw pixels. libvips otherwise shrinks JPEGs while decoding (even
    // with fastShrinkOnLoad off), which gives different pixels from the same picture stored as PNG (the image store
    // keeps lossless PNGs): training on JPEG files and inference on stored images must see the same input.
    const decoded = await decodeFull(input);
    ({ data, info } = await sharp(decoded.data, {
      raw: { width: decoded.info.width, height: decoded.info.height, channels: decoded.info.channels },
    })
      .resize(size, size, { fit, position: "centre", kernel })
      .raw()
      .toBuffer({ resolveWithObject: true }));
  } catch (error) {
    throw new DatasetError(source, `cannot decode image: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (info.width !== size || info.height !== size || info.channels !== 3) {
    throw new DatasetError(source, `decoded to ${info.width}x${info.height}x${info.channels}, expected ${size}x${size}x3`);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export interface LoadImagesOptions extends DecodeOptions {
  /** Images decoded at once (default 8). */
  concurrency?: number;
  /** Called after each image with the number done so far (order of completion, not of records). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Decodes every record's file into one buffer of `records.length * size * size * 3` bytes, image i at offset
 * `i * size * size * 3` (record order, whatever order decoding finishes in): ready for tf.tensor4d([n, size,
 * size, 3]) after normalisation.
 */
export async function loadImages(
  records: readonly { file: string }[],
  size: number,
  options: LoadImagesOptions = {},
): Promise<Uint8Array> {
  const { concurrency = 8, onProgress, ...decodeOptions } = options;
  const imageBytes = size * size * 3;
  const pixels = new Uint8Array(records.length * imageBytes);
  let done = 0;
  await forEachWithConcurrency(records.length, concurrency, async (i) => {
    const record = records[i];
    if (!record) return;
    pixels.set(await decodeToRgb(record.file, size, decodeOptions), i * imageBytes);
    done += 1;
    onProgress?.(done, records.length);
  });
  return pixels;
}
