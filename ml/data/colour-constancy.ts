/**
 * Colour constancy: remove the colour cast of the light source (dermatoscope LEDs, camera white balance differ
 * between clinics). Shades of grey (Finlayson & Trezzi 2004) estimates the illuminant per channel as the Minkowski
 * p-norm mean of the pixels and rescales each channel so the estimate becomes neutral grey; p = 6 is the value
 * dermoscopy studies use (Barata et al. 2015; the ISIC 2019 winning entries). Runs on the decoded bytes, before
 * normalisation, inside the one shared preprocessing (ml/inference/preprocess.ts), so training, evaluation, uploads
 * and the CLIs apply exactly the same transform.
 */
import { z } from "zod";

export const COLOUR_CONSTANCY_METHODS = ["none", "shades-of-grey"] as const;
export const ColourConstancySchema = z.discriminatedUnion("method", [
  z.object({ method: z.literal("none") }),
  z.object({ method: z.literal("shades-of-grey"), power: z.number().min(1).max(16) }),
]);
export type ColourConstancy = z.infer<typeof ColourConstancySchema>;

/** Applies `method` in place to `count` HWC RGB images of `pixelsPerImage` pixels each in `pixels`. */
export function applyColourConstancy(pixels: Uint8Array, count: number, method: ColourConstancy): void {
  if (method.method === "none") return;
  if (count === 0) return;
  if (pixels.length % (count * 3) !== 0) throw new RangeError(`applyColourConstancy: ${pixels.length} bytes is not ${count} RGB images`);
  const imageBytes = pixels.length / count;
  for (let i = 0; i < count; i++) shadesOfGrey(pixels.subarray(i * imageBytes, (i + 1) * imageBytes), method.power);
}

/** One image, in place. A black image (no light to estimate) is left unchanged. */
export function shadesOfGrey(image: Uint8Array, power: number): void {
  // Powers of the 256 byte values once, instead of Math.pow per pixel.
  const table = new Float64Array(256);
  for (let v = 0; v < 256; v++) table[v] = (v / 255) ** power;
  const sums = [0, 0, 0];
  for (let i = 0; i < image.length; i += 3) {
    sums[0]! += table[image[i]!]!;
    sums[1]! += table[image[i + 1]!]!;
    sums[2]! += table[image[i + 2]!]!;
  }
  const n = image.length / 3;
  const illuminant = sums.map((s) => (s / n) ** (1 / power));
  const norm = Math.hypot(...illuminant);
  if (!(norm > 0)) return;
  // Gain per channel so that the illuminant maps to (1, 1, 1) / sqrt(3) of its norm: grey, brightness kept.
  const gains = illuminant.map((e) => (norm / Math.sqrt(3)) / Math.max(e, 1e-6));
  const lut = gains.map((g) => Uint8Array.from({ length: 256 }, (_, v) => Math.min(255, Math.round(v * g))));
  for (let i = 0; i < image.length; i += 3) {
    image[i] = lut[0]![image[i]!]!;
    image[i + 1] = lut[1]![image[i + 1]!]!;
    image[i + 2] = lut[2]![image[i + 2]!]!;
  }
}
