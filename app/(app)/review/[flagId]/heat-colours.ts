/**
 * Colours of the explanation overlay, and of its legend: both come from heatRgba, so the legend shows exactly what the
 * overlay paints. Red: covering the area LOWERED P(malignant) (the score leans on it). Blue: covering it RAISED
 * P(malignant) (the area pulls the score down). Opacity grows with the size of the change, relative to the largest
 * change in this map, so an area that barely matters is left see-through.
 */
export const HEAT_RED = [220, 38, 38] as const;
export const HEAT_BLUE = [37, 99, 235] as const;
/** The most opaque a cell gets (of 255): the lesion must stay visible under the hottest cell. */
export const MAX_ALPHA = 190;

/** [r, g, b, alpha 0-255] for a change of `drop` in a map whose largest change is `maxAbsDrop`. */
export function heatRgba(drop: number, maxAbsDrop: number): [number, number, number, number] {
  const colour = drop >= 0 ? HEAT_RED : HEAT_BLUE;
  const alpha = maxAbsDrop > 0 ? Math.round(MAX_ALPHA * Math.min(1, Math.abs(drop) / maxAbsDrop)) : 0;
  return [colour[0], colour[1], colour[2], alpha];
}

/** RGBA bytes (cells x cells x 4) for canvas ImageData. */
export function heatPixels(drops: readonly number[], maxAbsDrop: number): Uint8ClampedArray<ArrayBuffer> {
  const pixels = new Uint8ClampedArray(drops.length * 4);
  if (!(maxAbsDrop > 0)) return pixels;
  drops.forEach((drop, i) => pixels.set(heatRgba(drop, maxAbsDrop), i * 4));
  return pixels;
}

const css = ([r, g, b, alpha]: readonly number[]) => `rgba(${r}, ${g}, ${b}, ${Number(((alpha ?? 0) / 255).toFixed(3))})`;

/**
 * The legend's ramp as a CSS gradient, left to right: the largest rise (blue), no change (see-through), the largest
 * drop (red). The two colours meet at the see-through middle without mixing into purple, as in the overlay.
 */
export function heatLegendGradient(): string {
  const stops = [
    `${css(heatRgba(-1, 1))} 0%`,
    // The smallest rise and the smallest drop: each colour fully see-through.
    `${css([...HEAT_BLUE, 0])} 50%`,
    `${css(heatRgba(0, 1))} 50%`,
    `${css(heatRgba(1, 1))} 100%`,
  ];
  return `linear-gradient(to right, ${stops.join(", ")})`;
}
