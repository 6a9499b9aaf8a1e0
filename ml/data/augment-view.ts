/**
 * Geometric and colour augmentation of one decoded image (HWC RGB bytes, square), for training views of a
 * pretrained backbone: a lesion has no "up" or handedness (any rotation, mirror), is framed larger or smaller by
 * different clinics and dermatoscopes (zoom), and is lit and white-balanced differently (per-channel gain,
 * brightness, contrast, saturation). Rotation and zoom resample bilinearly with mirrored edges, so no black
 * corners appear that real images would not have. Pure function of the image and the draws: a seed replays it.
 */
import { z } from "zod";
import type { Rng } from "../random";

export const ViewAugmentationSchema = z.object({
  /** Random rotation by any angle (degrees up to this, both ways); 180 = all orientations. */
  maxRotationDegrees: z.number().min(0).max(180),
  /** Zoom factor drawn log-uniformly in [minZoom, maxZoom]; > 1 magnifies (crops), < 1 shrinks (mirrored border). */
  minZoom: z.number().positive(),
  maxZoom: z.number().positive(),
  /** Max shift of the centre, as a fraction of the side. */
  maxShift: z.number().min(0).max(0.5),
  /** Max relative change of each channel's gain (white balance / illuminant). */
  channelGain: z.number().min(0).max(1),
  brightness: z.number().min(0).max(1),
  contrast: z.number().min(0).max(1),
  saturation: z.number().min(0).max(1),
});
export type ViewAugmentation = z.infer<typeof ViewAugmentationSchema>;

export const DEFAULT_VIEW_AUGMENTATION: ViewAugmentation = {
  maxRotationDegrees: 180,
  minZoom: 0.9,
  maxZoom: 1.5,
  maxShift: 0.05,
  channelGain: 0.1,
  brightness: 0.15,
  contrast: 0.15,
  saturation: 0.2,
};

/** One augmented copy of `image` (size x size x 3). Draws exactly 11 numbers from `rng`. */
export function augmentView(image: Uint8Array, size: number, options: ViewAugmentation, rng: Rng): Uint8Array {
  if (image.length !== size * size * 3) throw new RangeError(`augmentView: expected ${size}x${size}x3 bytes, got ${image.length}`);
  const d = Array.from({ length: 11 }, () => rng());
  const angle = ((d[0]! * 2 - 1) * options.maxRotationDegrees * Math.PI) / 180;
  const zoom = Math.exp(Math.log(options.minZoom) + d[1]! * (Math.log(options.maxZoom) - Math.log(options.minZoom)));
  const mirror = d[2]! < 0.5 ? -1 : 1;
  const shiftX = (d[3]! * 2 - 1) * options.maxShift * size;
  const shiftY = (d[4]! * 2 - 1) * options.maxShift * size;
  const gains = [d[5]!, d[6]!, d[7]!].map((u) => 1 + (u * 2 - 1) * options.channelGain);
  const brightness = 1 + (d[8]! * 2 - 1) * options.brightness;
  const contrast = 1 + (d[9]! * 2 - 1) * options.contrast;
  const saturation = 1 + (d[10]! * 2 - 1) * options.saturation;

  const out = new Uint8Array(image.length);
  const c = (size - 1) / 2;
  const cos = Math.cos(angle) / zoom;
  const sin = Math.sin(angle) / zoom;
  const reflect = (v: number) => {
    const period = 2 * (size - 1);
    let m = ((v % period) + period) % period;
    if (m > size - 1) m = period - m;
    return m;
  };
  const sample = new Float64Array(3);
  let sum = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Output pixel -> source coordinate (inverse map: un-shift, un-rotate, un-zoom, un-mirror).
      const dx = (x - c - shiftX) * mirror;
      const dy = y - c - shiftY;
      const sx = reflect(c + cos * dx + sin * dy);
      const sy = reflect(c - sin * dx + cos * dy);
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(x0 + 1, size - 1);
      const y1 = Math.min(y0 + 1, size - 1);
      const fx = sx - x0;
      const fy = sy - y0;
      const o = (y * size + x) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const a = image[(y0 * size + x0) * 3 + ch]!;
        const b = image[(y0 * size + x1) * 3 + ch]!;
        const e = image[(y1 * size + x0) * 3 + ch]!;
        const f = image[(y1 * size + x1) * 3 + ch]!;
        sample[ch] = ((a * (1 - fx) + b * fx) * (1 - fy) + (e * (1 - fx) + f * fx) * fy) * gains[ch]! * brightness;
      }
      // Saturation around the pixel's own grey level.
      const grey = 0.299 * sample[0]! + 0.587 * sample[1]! + 0.114 * sample[2]!;
      for (let ch = 0; ch < 3; ch++) {
        const v = grey + (sample[ch]! - grey) * saturation;
        out[o + ch] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
        sum += out[o + ch]!;
      }
    }
  }
  // Contrast around the image mean.
  const mean = sum / out.length;
  if (contrast !== 1) for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(mean + (out[i]! - mean) * contrast)));
  return out;
}
