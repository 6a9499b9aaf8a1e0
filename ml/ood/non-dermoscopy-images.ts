/**
 * Ordinary pictures that are not dermoscopy, generated (nothing downloaded, nothing shipped): what a user might
 * upload by mistake: a landscape photo, a photographed document, a brick wall, a room. The OOD tests and the
 * generalisation benchmark check that the out-of-distribution score sends such images to review.
 */
import sharp from "sharp";
import { createRng } from "../random";

export const NON_DERMOSCOPY_KINDS = ["landscape", "document", "brick-wall", "room"] as const;
export type NonDermoscopyKind = (typeof NON_DERMOSCOPY_KINDS)[number];

type Rgb = [number, number, number];

function canvas(width: number, height: number, paint: (x: number, y: number) => Rgb, seed: number): Uint8Array {
  const rng = createRng(seed);
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = paint(x, y);
      // A little sensor noise, as in any photo.
      const noise = (rng() - 0.5) * 12;
      const i = (y * width + x) * 3;
      pixels[i] = clamp(r + noise);
      pixels[i + 1] = clamp(g + noise);
      pixels[i + 2] = clamp(b + noise);
    }
  }
  return pixels;
}

const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));

function painter(kind: NonDermoscopyKind, width: number, height: number, seed: number): (x: number, y: number) => Rgb {
  const rng = createRng(seed * 31 + 7);
  switch (kind) {
    case "landscape": {
      // Blue sky fading to the horizon, a sun, green hills.
      const horizon = height * (0.5 + 0.1 * rng());
      const sun = { x: width * (0.2 + 0.6 * rng()), y: horizon * 0.4, r: height * 0.08 };
      return (x, y) => {
        const hill = horizon + Math.sin(x / (width / 6)) * height * 0.05;
        if ((x - sun.x) ** 2 + (y - sun.y) ** 2 < sun.r ** 2) return [255, 240, 170];
        if (y < hill) return [90 + (110 * y) / horizon, 150 + (70 * y) / horizon, 235];
        const t = (y - hill) / (height - hill);
        return [40 + 30 * t, 140 - 50 * t + 20 * Math.sin(x / 7), 40];
      };
    }
    case "document": {
      // A white page with rows of dark "words".
      const margin = width * 0.1;
      const lineHeight = Math.max(8, Math.round(height / 28));
      return (x, y) => {
        const row = Math.floor(y / lineHeight);
        const inLine = y % lineHeight < lineHeight * 0.45 && y > height * 0.08 && y < height * 0.92;
        const word = Math.floor((x + row * 13) / 37) % 5 !== 0;
        return x > margin && x < width - margin && inLine && word && (x * 7 + row) % 9 !== 0 ? [35, 35, 40] : [245, 243, 236];
      };
    }
    case "brick-wall": {
      const brickW = width / 8;
      const brickH = height / 14;
      return (x, y) => {
        const row = Math.floor(y / brickH);
        const offset = row % 2 === 0 ? 0 : brickW / 2;
        const mortar = y % brickH < 3 || (x + offset) % brickW < 3;
        const shade = ((Math.floor((x + offset) / brickW) * 17 + row * 29) % 23) - 11;
        return mortar ? [200, 198, 190] : [165 + shade, 70 + shade / 2, 50];
      };
    }
    case "room": {
      // A wall, a floor, a window and a table: large flat coloured shapes with edges.
      const floor = height * 0.65;
      return (x, y) => {
        if (x > width * 0.6 && x < width * 0.85 && y > height * 0.15 && y < height * 0.45) return [200, 225, 250];
        if (y > height * 0.5 && y < height * 0.55 && x > width * 0.15 && x < width * 0.5) return [110, 70, 40];
        if (y >= height * 0.55 && y < floor + 40 && (Math.abs(x - width * 0.18) < 6 || Math.abs(x - width * 0.47) < 6)) return [90, 60, 35];
        return y < floor ? [225, 215, 190] : [150, 110, 80];
      };
    }
  }
}

/** One generated picture as JPEG bytes (600x450, like an upload). */
export async function nonDermoscopyJpeg(kind: NonDermoscopyKind, seed = 0, width = 600, height = 450): Promise<Uint8Array> {
  const pixels = canvas(width, height, painter(kind, width, height, seed), seed);
  const jpeg = await sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 88 }).toBuffer();
  return new Uint8Array(jpeg);
}
