import { describe, expect, it } from "vitest";
import { createRng } from "../random";
import { augmentView, DEFAULT_VIEW_AUGMENTATION, ViewAugmentationSchema, type ViewAugmentation } from "./augment-view";

const SIZE = 24;
/** A lesion-like image: a dark disc off centre on light skin, so geometry changes are visible. */
function lesion(): Uint8Array {
  const image = new Uint8Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const inside = (x - 8) ** 2 + (y - 10) ** 2 < 25;
      image.set(inside ? [90, 50, 40] : [220, 170, 150], (y * SIZE + x) * 3);
    }
  }
  return image;
}

const IDENTITY: ViewAugmentation = { maxRotationDegrees: 0, minZoom: 1, maxZoom: 1, maxShift: 0, channelGain: 0, brightness: 0, contrast: 0, saturation: 0 };

describe("augmentView", () => {
  it("with every range at zero returns the image itself, or its mirror", () => {
    const image = lesion();
    const mirrored = new Uint8Array(image.length);
    for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) mirrored.set(image.subarray((y * SIZE + (SIZE - 1 - x)) * 3, (y * SIZE + (SIZE - 1 - x)) * 3 + 3), (y * SIZE + x) * 3);
    const rng = createRng(1);
    for (let i = 0; i < 6; i++) {
      const out = augmentView(image, SIZE, IDENTITY, rng);
      expect([image, mirrored].some((expected) => out.every((v, j) => v === expected[j]))).toBe(true);
    }
  });

  it("is a pure function of the image and the seed, and changes the image under the default ranges", () => {
    const image = lesion();
    const a = augmentView(image, SIZE, DEFAULT_VIEW_AUGMENTATION, createRng(7));
    const b = augmentView(image, SIZE, DEFAULT_VIEW_AUGMENTATION, createRng(7));
    const c = augmentView(image, SIZE, DEFAULT_VIEW_AUGMENTATION, createRng(8));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).not.toEqual(image);
    expect(image).toEqual(lesion());
  });

  it("keeps the lesion in frame: mirrored edges, no black corners after rotation", () => {
    const rotateOnly = { ...IDENTITY, maxRotationDegrees: 180 };
    const out = augmentView(lesion(), SIZE, rotateOnly, createRng(3));
    let darkest = 255;
    for (let i = 0; i < out.length; i++) darkest = Math.min(darkest, out[i]!);
    expect(darkest).toBeGreaterThanOrEqual(40);
    const dark = out.filter((_, i) => i % 3 === 0 && out[i]! < 150).length;
    expect(dark).toBeGreaterThan(40);
  });

  it("refuses a buffer of the wrong size and validates its options", () => {
    expect(() => augmentView(new Uint8Array(10), SIZE, IDENTITY, createRng(1))).toThrow(RangeError);
    expect(ViewAugmentationSchema.safeParse(DEFAULT_VIEW_AUGMENTATION).success).toBe(true);
    expect(ViewAugmentationSchema.safeParse({ ...DEFAULT_VIEW_AUGMENTATION, maxRotationDegrees: 400 }).success).toBe(false);
  });
});
