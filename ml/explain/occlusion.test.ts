import { describe, expect, it } from "vitest";
import { createRng } from "../random";
import { defaultOcclusionGeometry, downsampleMap, occlusionSensitivity, patchStarts, pixelSensitivity, type MalignancyScorer } from "./occlusion";

const SIZE = 32;
const CHANNELS = 3;
/** The only area the fake model looks at: rows 8-15, columns 16-23. */
const REGION = { top: 8, left: 16, side: 8 };

const inRegion = (y: number, x: number) => y >= REGION.top && y < REGION.top + REGION.side && x >= REGION.left && x < REGION.left + REGION.side;

/** Background noise everywhere, 2.0 in every channel of the region. */
function syntheticInput(): Float32Array {
  const rng = createRng(11);
  const input = new Float32Array(SIZE * SIZE * CHANNELS);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      for (let c = 0; c < CHANNELS; c++) input[(y * SIZE + x) * CHANNELS + c] = inRegion(y, x) ? 2 : rng() - 0.5;
    }
  }
  return input;
}

/** P(malignant) = mean value over the region / 2: 1 for the untouched input, lower as the region is covered. */
function regionScorer(calls: number[] = []): MalignancyScorer {
  const length = SIZE * SIZE * CHANNELS;
  return async (inputs, count) => {
    calls.push(count);
    expect(inputs.length).toBe(count * length);
    return Array.from({ length: count }, (_, i) => {
      let total = 0;
      for (let y = REGION.top; y < REGION.top + REGION.side; y++) {
        for (let x = REGION.left; x < REGION.left + REGION.side; x++) {
          for (let c = 0; c < CHANNELS; c++) total += inputs[i * length + (y * SIZE + x) * CHANNELS + c]!;
        }
      }
      return total / (REGION.side * REGION.side * CHANNELS) / 2;
    });
  };
}

describe("occlusionSensitivity", () => {
  it("lights up exactly the patches that cover the area the model depends on", async () => {
    const grid = await occlusionSensitivity(regionScorer(), syntheticInput(), { size: SIZE, patch: 4, stride: 2 });
    expect(grid.baseline).toBeCloseTo(1, 6);
    expect(grid.starts).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28]);
    const n = grid.starts.length;
    expect(grid.drops).toHaveLength(n * n);
    grid.starts.forEach((top, row) => {
      grid.starts.forEach((left, column) => {
        const drop = grid.drops[row * n + column]!;
        const overlapY = Math.max(0, Math.min(top + 4, REGION.top + REGION.side) - Math.max(top, REGION.top));
        const overlapX = Math.max(0, Math.min(left + 4, REGION.left + REGION.side) - Math.max(left, REGION.left));
        // Covering k of the region's 64 pixels with the fill (0) removes k/64 of the score.
        expect(drop).toBeCloseTo((overlapY * overlapX) / 64, 5);
      });
    });
  });

  it("gives a per-pixel map whose hot area is the region and whose far corners are zero", async () => {
    const grid = await occlusionSensitivity(regionScorer(), syntheticInput(), { size: SIZE, patch: 4, stride: 2 });
    const map = pixelSensitivity(grid);
    expect(map).toHaveLength(SIZE * SIZE);
    let inside = 0;
    let outside = 0;
    let hottest = 0;
    for (let i = 0; i < map.length; i++) {
      const y = Math.floor(i / SIZE);
      const x = i % SIZE;
      if (inRegion(y, x)) inside += map[i]! / 64;
      else outside += map[i]! / (SIZE * SIZE - 64);
      if (map[i]! > map[hottest]!) hottest = i;
    }
    expect(inRegion(Math.floor(hottest / SIZE), hottest % SIZE)).toBe(true);
    expect(inside).toBeGreaterThan(20 * outside);
    for (const [y, x] of [[0, 0], [0, SIZE - 1], [SIZE - 1, 0], [SIZE - 1, SIZE - 1], [REGION.top, 0]] as const) expect(map[y * SIZE + x]).toBe(0);
  });

  it("scores in batches of at most batchSize and leaves the input untouched", async () => {
    const input = syntheticInput();
    const before = input.slice();
    const calls: number[] = [];
    const grid = await occlusionSensitivity(regionScorer(calls), input, { size: SIZE, patch: 8, stride: 4, batchSize: 10 });
    const positions = grid.starts.length ** 2;
    expect(calls[0]).toBe(1); // the baseline
    expect(calls.slice(1).every((count) => count <= 10)).toBe(true);
    expect(calls.slice(1).reduce((a, b) => a + b, 0)).toBe(positions);
    expect(input).toEqual(before);
  });

  it("covers with the fill value: covering with the region's own value changes nothing", async () => {
    const grid = await occlusionSensitivity(regionScorer(), syntheticInput(), { size: SIZE, patch: 4, stride: 4, fill: 2 });
    expect(Math.max(...Array.from(grid.drops, Math.abs))).toBeLessThan(1e-6);
  });

  it("finds a region on the right and bottom edges when the stride does not divide the size", async () => {
    const size = 11;
    const input = new Float32Array(size * size * 3);
    const edge = (y: number, x: number) => y >= 9 && x >= 9;
    for (let i = 0; i < size * size; i++) if (edge(Math.floor(i / size), i % size)) input.fill(1, i * 3, i * 3 + 3);
    const scorer: MalignancyScorer = async (inputs, count) =>
      Array.from({ length: count }, (_, k) => inputs[k * size * size * 3 + (10 * size + 10) * 3]!);
    const grid = await occlusionSensitivity(scorer, input, { size, patch: 4, stride: 3 });
    expect(grid.starts).toEqual([0, 3, 6, 7]);
    const map = pixelSensitivity(grid);
    expect(map[10 * size + 10]).toBeCloseTo(1, 6);
    expect(map[0]).toBe(0);
  });

  it("refuses a wrong input length, an impossible patch and a scorer that returns nonsense", async () => {
    const input = syntheticInput();
    await expect(occlusionSensitivity(regionScorer(), input.subarray(1), { size: SIZE, patch: 4, stride: 2 })).rejects.toThrow(RangeError);
    await expect(occlusionSensitivity(regionScorer(), input, { size: SIZE, patch: 33, stride: 2 })).rejects.toThrow(/patch/);
    await expect(occlusionSensitivity(regionScorer(), input, { size: SIZE, patch: 4, stride: 0 })).rejects.toThrow(/stride/);
    const broken: MalignancyScorer = async (_inputs, count) => new Array<number>(count).fill(Number.NaN);
    await expect(occlusionSensitivity(broken, input, { size: SIZE, patch: 4, stride: 2 })).rejects.toThrow(/non-finite/);
    const short: MalignancyScorer = async (_inputs, count) => new Array<number>(count === 1 ? 1 : count - 1).fill(0.5);
    await expect(occlusionSensitivity(short, input, { size: SIZE, patch: 4, stride: 2 })).rejects.toThrow(/returned/);
  });
});

describe("geometry helpers", () => {
  it("places patches every stride and one flush with the far edge", () => {
    expect(patchStarts(28, 4, 2)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24]);
    expect(patchStarts(10, 4, 3)).toEqual([0, 3, 6]);
    expect(patchStarts(11, 4, 3)).toEqual([0, 3, 6, 7]);
    expect(patchStarts(5, 5, 1)).toEqual([0]);
  });

  it("picks about 13-15 positions per side for the model sizes in use", () => {
    for (const size of [28, 64, 128, 224]) {
      const { patch, stride } = defaultOcclusionGeometry(size);
      const positions = patchStarts(size, patch, stride).length;
      expect(positions).toBeGreaterThanOrEqual(12);
      expect(positions).toBeLessThanOrEqual(16);
    }
    expect(defaultOcclusionGeometry(28)).toEqual({ patch: 4, stride: 2 });
  });

  it("averages a map into display cells", () => {
    const map = Float32Array.from({ length: 16 }, (_, i) => i); // 4x4: rows 0-3, 4-7, 8-11, 12-15
    expect(Array.from(downsampleMap(map, 4, 2))).toEqual([2.5, 4.5, 10.5, 12.5]);
    expect(Array.from(downsampleMap(map, 4, 4))).toEqual(Array.from(map));
    expect(() => downsampleMap(map, 4, 5)).toThrow(RangeError);
  });
});
