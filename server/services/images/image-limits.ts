/**
 * What the ingest pipeline accepts, from configuration (IMAGE_MAX_BYTES, IMAGE_MAX_PIXELS, IMAGE_MIN_DIMENSION in
 * server/env.ts). Passed explicitly to the pipeline so tests and importers can set their own.
 */
import type { Env } from "../../env";

export interface ImageLimits {
  /** Largest upload in bytes. */
  maxBytes: number;
  /** Largest width x height, checked from the header before decoding (decompression bombs). */
  maxPixels: number;
  /** Smallest width and height in pixels (after EXIF orientation). */
  minDimension: number;
}

export const DEFAULT_IMAGE_LIMITS: Readonly<ImageLimits> = {
  maxBytes: 25 * 1024 * 1024,
  maxPixels: 50_000_000,
  minDimension: 64,
};

export function imageLimitsFromEnv(env: Pick<Env, "IMAGE_MAX_BYTES" | "IMAGE_MAX_PIXELS" | "IMAGE_MIN_DIMENSION">): ImageLimits {
  return { maxBytes: env.IMAGE_MAX_BYTES, maxPixels: env.IMAGE_MAX_PIXELS, minDimension: env.IMAGE_MIN_DIMENSION };
}

export function formatMegapixels(pixels: number): string {
  return `${Number((pixels / 1_000_000).toFixed(1))} megapixels`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KB`;
  return `${bytes} bytes`;
}

/** Why a file over the byte limit is refused (size unknown: the body ran past the limit before it ended). */
export function tooLargeReason(limits: Pick<ImageLimits, "maxBytes">, size?: number): string {
  const max = formatBytes(limits.maxBytes);
  // Just over the limit both round to the same figure: "The file is 25 MB; the largest accepted is 25 MB" reads as a contradiction.
  if (size === undefined || formatBytes(size) === max) return `The file is larger than ${max}, the largest accepted.`;
  return `The file is ${formatBytes(size)}; the largest accepted is ${max}.`;
}
