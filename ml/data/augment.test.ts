import { beforeAll, describe, expect, it } from "vitest";
import {
  IDENTITY_AUGMENTATION,
  applyAugmentation,
  augmentBatch,
  augmentImage,
  sampleAugmentParams,
  type AugmentParams,
} from "./augment";
import { decodeToRgb, loadImages } from "./decode";
import { createRng } from "../random";
import { readDermamnist } from "./read-dermamnist";
import { DERMAMNIST_28_DIR } from "./shared-data";

const SIZE = 28;
const records = readDermamnist(DERMAMNIST_28_DIR);
let image: Uint8Array;
beforeAll(async () => {
  image = await decodeToRgb(records[0]!.file, SIZE);
});

function apply(source: Uint8Array, params: Partial<AugmentParams>): Uint8Array {
  const target = new Uint8Array(source.length);
  applyAugmentation(source, target, SIZE, { ...IDENTITY_AUGMENTATION, ...params }, 255);
  return target;
}

/** RGB triples as sorted strings: the image's pixel multiset. */
function pixelMultiset(pixels: Uint8Array | Float32Array): string[] {
  const triples: string[] = [];
  for (let i = 0; i < pixels.length; i += 3) triples.push(`${pixels[i]},${pixels[i + 1]},${pixels[i + 2]}`);
  return triples.sort();
}

const pixelAt = (pixels: Uint8Array, y: number, x: number) => [...pixels.subarray((y * SIZE + x) * 3, (y * SIZE + x) * 3 + 3)];

describe("geometric augmentation", () => {
  it("preserves the pixel multiset under every flip and rotation", () => {
    const expected = pixelMultiset(image);
    for (const flipHorizontal of [false, true]) {
      for (const flipVertical of [false, true]) {
        for (const quarterTurns of [0, 1, 2, 3]) {
          const out = apply(image, { flipHorizontal, flipVertical, quarterTurns });
          expect(pixelMultiset(out), `${flipHorizontal} ${flipVertical} ${quarterTurns}`).toEqual(expected);
        }
      }
    }
  });

  it("moves pixels the way a mirror and a quarter turn should", () => {
    expect(pixelAt(apply(image, { flipHorizontal: true }), 3, 0)).toEqual(pixelAt(image, 3, SIZE - 1));
    expect(pixelAt(apply(image, { flipVertical: true }), 0, 5)).toEqual(pixelAt(image, SIZE - 1, 5));
    expect(apply(image, { quarterTurns: 2 })).toEqual(apply(image, { flipHorizontal: true, flipVertical: true }));
    let turned = image;
    for (let k = 0; k < 4; k++) turned = apply(turned, { quarterTurns: 1 });
    expect(turned).toEqual(image);
    expect(apply(image, { quarterTurns: 1 })).not.toEqual(image);
  });

  it("shifts by whole pixels, replicating the edge", () => {
    const shifted = apply(image, { shiftX: 1, shiftY: 0 });
    for (let y = 0; y < SIZE; y++) {
      expect(pixelAt(shifted, y, 0)).toEqual(pixelAt(image, y, 0));
      for (let x = 1; x < SIZE; x++) expect(pixelAt(shifted, y, x)).toEqual(pixelAt(image, y, x - 1));
    }
  });
});

describe("photometric augmentation", () => {
  it("adds brightness and clamps uint8 values to 0..255", () => {
    const out = apply(image, { brightnessShift: 0.1 });
    for (let i = 0; i < image.length; i++) expect(out[i]).toBe(Math.min(255, Math.round(image[i]! + 25.5)));
    expect(apply(image, { brightnessShift: 2 }).every((v) => v === 255)).toBe(true);
  });

  it("scales contrast around the image mean on float images, without clamping", () => {
    const float = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const out = new Float32Array(12);
    applyAugmentation(float, out, 2, { ...IDENTITY_AUGMENTATION, contrastFactor: 2, brightnessShift: 0.5 }, 4);
    // mean 5.5: (v - 5.5) * 2 + 5.5 + 0.5 * 4
    expect([...out]).toEqual([...float].map((v) => (v - 5.5) * 2 + 5.5 + 2));
  });
});

describe("seeded augmentation", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    const a = augmentImage(image, SIZE, createRng(5), { maxShift: 2 });
    expect(augmentImage(image, SIZE, createRng(5), { maxShift: 2 })).toEqual(a);
    const others = [6, 7, 8].map((seed) => augmentImage(image, SIZE, createRng(seed), { maxShift: 2 }));
    expect(others.some((o) => !o.every((v, i) => v === a[i]))).toBe(true);
    expect(a).not.toBe(image);
  });

  it("preserves the multiset when only flips and rotations are on", () => {
    const rng = createRng(11);
    for (let i = 0; i < 20; i++) {
      expect(pixelMultiset(augmentImage(image, SIZE, rng, { brightness: 0, contrast: 0 }))).toEqual(pixelMultiset(image));
    }
  });

  it("draws the same number of random values whatever is switched off", () => {
    const on = createRng(3);
    const off = createRng(3);
    sampleAugmentParams(on, { maxShift: 2 });
    const params = sampleAugmentParams(off, { flipHorizontal: false, flipVertical: false, rotate90: false, brightness: 0, contrast: 0 });
    expect(params).toEqual(IDENTITY_AUGMENTATION);
    expect(on()).toBe(off());
  });

  it("augmentBatch matches augmentImage image by image, in place", async () => {
    const n = 6;
    const bytes = await loadImages(records.slice(0, n), SIZE);
    const batch = Float32Array.from(bytes, (v) => v / 255);
    const original = batch.slice();
    const options = { maxShift: 1, brightness: 0.05, contrast: 0.1 };
    augmentBatch(batch, n, SIZE, createRng(9), options);
    const rng = createRng(9);
    const length = SIZE * SIZE * 3;
    for (let i = 0; i < n; i++) {
      const expected = augmentImage(original.subarray(i * length, (i + 1) * length), SIZE, rng, options);
      expect(batch.subarray(i * length, (i + 1) * length)).toEqual(expected);
    }
    expect(batch).not.toEqual(original);
  });

  it("rejects a batch of the wrong length and a fractional shift", () => {
    expect(() => augmentBatch(new Float32Array(10), 1, SIZE, createRng(1))).toThrow(/augmentBatch/);
    expect(() => sampleAugmentParams(createRng(1), { maxShift: 1.5 })).toThrow(/maxShift/);
  });
});
