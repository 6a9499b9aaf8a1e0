import { describe, expect, it } from "vitest";
import { applyColourConstancy, ColourConstancySchema, shadesOfGrey } from "./colour-constancy";

/** A 16x16 image of a neutral scene lit by a coloured light: every pixel is (grey * cast), grey varying. */
function castImage(cast: [number, number, number]): Uint8Array {
  const image = new Uint8Array(16 * 16 * 3);
  for (let p = 0; p < 256; p++) {
    const grey = 60 + (p % 17) * 8;
    for (let c = 0; c < 3; c++) image[p * 3 + c] = Math.round(grey * cast[c]!);
  }
  return image;
}

const channelMeans = (image: Uint8Array) => [0, 1, 2].map((c) => image.filter((_, i) => i % 3 === c).reduce((s, v) => s + v, 0) / (image.length / 3));

describe("shades of grey", () => {
  it("removes a colour cast: a neutral scene under a warm light comes out neutral", () => {
    const image = castImage([1.25, 0.95, 0.7]);
    const before = channelMeans(image);
    expect(before[0]! - before[2]!).toBeGreaterThan(50);
    shadesOfGrey(image, 6);
    const after = channelMeans(image);
    expect(Math.max(...after) - Math.min(...after)).toBeLessThan(2);
  });

  it("gives the same result whatever the cast (the point of colour constancy)", () => {
    const warm = castImage([1.2, 1.0, 0.8]);
    const cold = castImage([0.8, 1.0, 1.2]);
    shadesOfGrey(warm, 6);
    shadesOfGrey(cold, 6);
    let worst = 0;
    for (let i = 0; i < warm.length; i++) worst = Math.max(worst, Math.abs(warm[i]! - cold[i]!));
    expect(worst).toBeLessThanOrEqual(3);
  });

  it("leaves a black image as it is and 'none' changes nothing", () => {
    const black = new Uint8Array(4 * 4 * 3);
    shadesOfGrey(black, 6);
    expect(black.every((v) => v === 0)).toBe(true);
    const image = castImage([1.2, 1, 0.8]);
    const copy = image.slice();
    applyColourConstancy(image, 1, { method: "none" });
    expect(image).toEqual(copy);
  });

  it("corrects each image of a batch on its own", () => {
    const a = castImage([1.2, 1, 0.8]);
    const b = castImage([0.8, 1, 1.2]);
    const batch = new Uint8Array([...a, ...b]);
    applyColourConstancy(batch, 2, { method: "shades-of-grey", power: 6 });
    shadesOfGrey(a, 6);
    shadesOfGrey(b, 6);
    expect(batch).toEqual(new Uint8Array([...a, ...b]));
    expect(() => applyColourConstancy(new Uint8Array(10), 3, { method: "shades-of-grey", power: 6 })).toThrow(RangeError);
  });

  it("validates its configuration", () => {
    expect(ColourConstancySchema.safeParse({ method: "shades-of-grey", power: 6 }).success).toBe(true);
    expect(ColourConstancySchema.safeParse({ method: "shades-of-grey", power: 0 }).success).toBe(false);
    expect(ColourConstancySchema.safeParse({ method: "grey-world" }).success).toBe(false);
  });
});
