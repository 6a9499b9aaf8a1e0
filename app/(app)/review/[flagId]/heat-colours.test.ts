import { describe, expect, it } from "vitest";
import { HEAT_BLUE, HEAT_RED, heatLegendGradient, heatPixels, MAX_ALPHA } from "./heat-colours";

describe("heatPixels", () => {
  it("paints score-raising areas red and score-lowering ones blue, opacity by the size of the change", () => {
    const pixels = heatPixels([0.2, -0.1, 0, 0.05], 0.2);
    expect(Array.from(pixels.subarray(0, 4))).toEqual([...HEAT_RED, MAX_ALPHA]);
    expect(Array.from(pixels.subarray(4, 8))).toEqual([...HEAT_BLUE, Math.round(MAX_ALPHA / 2)]);
    expect(pixels[11]).toBe(0);
    expect(pixels[15]).toBe(Math.round(MAX_ALPHA / 4));
  });

  it("leaves everything transparent when no area changed the score", () => {
    expect(Array.from(heatPixels([0, 0, 0], 0)).every((value) => value === 0)).toBe(true);
  });
});

describe("heatLegendGradient", () => {
  it("ramps through the overlay's own colours: the largest rise, see-through at no change, the largest drop", () => {
    const rgba = ([r, g, b, a]: ArrayLike<number> & Iterable<number>) => `rgba(${r}, ${g}, ${b}, ${Number((a! / 255).toFixed(3))})`;
    const gradient = heatLegendGradient();
    expect(gradient).toBe(
      `linear-gradient(to right, ${rgba(heatPixels([-1], 1))} 0%, ${rgba([...HEAT_BLUE, 0])} 50%, ${rgba([...HEAT_RED, 0])} 50%, ${rgba(heatPixels([1], 1))} 100%)`,
    );
    expect(gradient).toContain(`rgba(${HEAT_RED.join(", ")}, ${Number((MAX_ALPHA / 255).toFixed(3))}) 100%`);
  });
});
