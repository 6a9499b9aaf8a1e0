/**
 * The image-quality / out-of-distribution gate, run before a score is trusted. Simple, documented tests on the
 * stored image, computed by libvips (sharp's `stats()`) on a copy fitted inside 256 x 256:
 *
 * - too dark: mean luminance < 0.15;  overexposed: mean luminance > 0.95 (scale 0-1).
 * - blurred: libvips' sharpness estimate (mean absolute Laplacian) < 0.25 — only for images at least 128 px on the
 *   short side; smaller images (e.g. 28 px research images) are at the model's own resolution and are not judged.
 * - no detail: grey-level entropy < 3.5 bits (blank, flat or heavily clipped frames).
 * - not a colour skin photograph: the three channels' means differ by < 0.004 (a greyscale image, a scan of a
 *   document), which a dermoscopy model was never trained on.
 *
 * Calibration (image-quality.test.ts reproduces it): on the 70 HAM10000 sample images and 400 ISIC 2019 images,
 * sharpness >= 0.41, luminance 0.30-0.88, entropy >= 4.4 and channel spread >= 0.008; Gaussian blur (sigma 3),
 * exposure x0.15 or +200, and greyscale copies all fall outside the limits.
 */
import sharp from "sharp";
import { z } from "zod";

export const QUALITY_LIMITS = {
  minLuminance: 0.15,
  maxLuminance: 0.95,
  minSharpness: 0.25,
  sharpnessMinSide: 128,
  minEntropy: 3.5,
  minColourSpread: 0.004,
} as const;

const qualityMeasures = z.object({ luminance: z.number(), sharpness: z.number().nullable(), entropy: z.number(), colourSpread: z.number() });

/**
 * LesionImage.quality as scoring writes it (score-images.ts); every read of the column goes through readImageQuality.
 * Readers act on the verdict (passed, reasons) only: a row holding just the verdict, as test and benchmark fixtures
 * write it, is valid.
 */
export const imageQualitySchema = z.object({ passed: z.boolean(), reasons: z.array(z.string()), measures: qualityMeasures.optional() });
export type ImageQuality = z.infer<typeof imageQualitySchema>;

/** The stored column parsed; null before the image was scored. */
export function readImageQuality(column: unknown): ImageQuality | null {
  return imageQualitySchema.nullable().parse(column);
}

export async function assessImageQuality(input: Uint8Array): Promise<ImageQuality & { measures: z.infer<typeof qualityMeasures> }> {
  const image = sharp(input, { failOn: "error" });
  const { width = 0, height = 0 } = await image.metadata();
  const stats = await image.clone().removeAlpha().resize(256, 256, { fit: "inside" }).stats();
  const [red, green, blue] = stats.channels;
  if (!red || !green || !blue) throw new Error("assessImageQuality expects an RGB image");
  const means = [red.mean / 255, green.mean / 255, blue.mean / 255] as const;
  const luminance = 0.299 * means[0] + 0.587 * means[1] + 0.114 * means[2];
  const colourSpread = Math.max(...means) - Math.min(...means);
  const sharpness = Math.min(width, height) >= QUALITY_LIMITS.sharpnessMinSide ? stats.sharpness : null;

  const reasons: string[] = [];
  if (luminance < QUALITY_LIMITS.minLuminance) reasons.push("image too dark");
  if (luminance > QUALITY_LIMITS.maxLuminance) reasons.push("image overexposed");
  if (sharpness !== null && sharpness < QUALITY_LIMITS.minSharpness) reasons.push("image blurred");
  if (stats.entropy < QUALITY_LIMITS.minEntropy) reasons.push("image shows almost no detail");
  if (colourSpread < QUALITY_LIMITS.minColourSpread) reasons.push("not a colour skin image (greyscale or document)");
  return {
    passed: reasons.length === 0,
    reasons,
    measures: { luminance, sharpness, entropy: stats.entropy, colourSpread },
  };
}
