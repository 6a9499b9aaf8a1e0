/**
 * Colours of the explanation overlay. Red: covering the area LOWERED P(malignant) (the score leans on it). Blue:
 * covering it RAISED P(malignant) (the area pulls the score down). Opacity grows with the size of the change,
 * relative to the largest change in this map, so an area that barely matters is left see-through.
 */
export const HEAT_RED = [220, 38, 38] as const;
export const HEAT_BLUE = [37, 99, 235] as const;
/** The most opaque a cell gets (of 255): the lesion must stay visible under the hottest cell. */
export const MAX_ALPHA = 190;

/** RGBA bytes (cells x cells x 4) for canvas ImageData. */
export function heatPixels(drops: readonly number[], maxAbsDrop: number): Uint8ClampedArray<ArrayBuffer> {
  const pixels = new Uint8ClampedArray(drops.length * 4);
  if (!(maxAbsDrop > 0)) return pixels;
  drops.forEach((drop, i) => {
    const colour = drop >= 0 ? HEAT_RED : HEAT_BLUE;
    pixels[i * 4] = colour[0];
    pixels[i * 4 + 1] = colour[1];
    pixels[i * 4 + 2] = colour[2];
    pixels[i * 4 + 3] = Math.round(MAX_ALPHA * Math.min(1, Math.abs(drop) / maxAbsDrop));
  });
  return pixels;
}
