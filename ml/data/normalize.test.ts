import { beforeAll, describe, expect, it } from "vitest";
import { loadImages } from "./decode";
import { computeTrainingChannelStats, normalizeToFloat32, type ChannelStats } from "./normalize";
import { readDermamnist } from "./read-dermamnist";
import { DERMAMNIST_28_DIR } from "./shared-data";

function channelMoments(values: Float32Array): { mean: number[]; std: number[] } {
  const sums = [0, 0, 0];
  const squares = [0, 0, 0];
  for (let i = 0; i < values.length; i++) {
    sums[i % 3]! += values[i]!;
    squares[i % 3]! += values[i]! ** 2;
  }
  const n = values.length / 3;
  const mean = sums.map((s) => s / n);
  return { mean, std: squares.map((s, c) => Math.sqrt(s / n - mean[c]! ** 2)) };
}

describe("channel statistics on the dermamnist-28 training split", () => {
  const records = readDermamnist(DERMAMNIST_28_DIR);
  const train = records.filter((r) => r.split === "train");
  const val = records.filter((r) => r.split === "val");
  let trainPixels: Uint8Array;
  let stats: ChannelStats;
  beforeAll(async () => {
    trainPixels = await loadImages(train, 28);
    stats = computeTrainingChannelStats(trainPixels, train.length, 28);
  });

  it("are finite and plausible for dermoscopy (reddish skin: R brightest)", () => {
    for (let c = 0; c < 3; c++) {
      expect(stats.mean[c]).toBeGreaterThan(0.3);
      expect(stats.mean[c]).toBeLessThan(0.9);
      expect(stats.std[c]).toBeGreaterThan(0.05);
      expect(stats.std[c]).toBeLessThan(0.4);
    }
    expect(stats.mean[0]).toBeGreaterThan(stats.mean[1]);
    expect(stats.mean[0]).toBeGreaterThan(stats.mean[2]);
  });

  it("standardise the training pixels to mean 0, std 1 per channel", () => {
    const { mean, std } = channelMoments(normalizeToFloat32(trainPixels, stats));
    for (let c = 0; c < 3; c++) {
      expect(Math.abs(mean[c]!)).toBeLessThan(1e-3);
      expect(Math.abs(std[c]! - 1)).toBeLessThan(1e-3);
    }
  });

  it("are applied unchanged to val, which is therefore only close to mean 0", async () => {
    const { mean } = channelMoments(normalizeToFloat32(await loadImages(val, 28), stats));
    for (let c = 0; c < 3; c++) expect(Math.abs(mean[c]!)).toBeLessThan(0.1);
    expect(mean.some((m) => Math.abs(m) > 1e-3)).toBe(true);
  });
});

describe("computeTrainingChannelStats / normalizeToFloat32", () => {
  it("compute exact values on a hand-made example", () => {
    // Two 1x1 images: black and white, so every channel has mean 0.5 and std 0.5.
    const stats = computeTrainingChannelStats(new Uint8Array([0, 0, 0, 255, 255, 255]), 2, 1);
    expect(stats).toEqual({ mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
    expect([...normalizeToFloat32(new Uint8Array([0, 255, 51]), stats)].map((v) => Number(v.toFixed(5)))).toEqual([-1, 1, -0.6]);
  });

  it("write into a caller's buffer", () => {
    const stats: ChannelStats = { mean: [0, 0, 0], std: [1, 1, 1] };
    const out = new Float32Array(3);
    expect(normalizeToFloat32(new Uint8Array([255, 0, 0]), stats, out)).toBe(out);
    expect(out[0]).toBe(1);
  });

  it("reject mismatched sizes, an empty training set and a zero std", () => {
    expect(() => computeTrainingChannelStats(new Uint8Array(10), 1, 2)).toThrow(/expected 1x2x2x3/);
    expect(() => computeTrainingChannelStats(new Uint8Array(0), 0, 28)).toThrow(/no training images/);
    expect(() => computeTrainingChannelStats(new Uint8Array(12).fill(7), 4, 1)).toThrow();
    expect(() => normalizeToFloat32(new Uint8Array(3), { mean: [0, 0, 0], std: [1, 0, 1] })).toThrow();
    expect(() => normalizeToFloat32(new Uint8Array(3), { mean: [0, 0, 0], std: [1, 1, 1] }, new Float32Array(6))).toThrow(/output/);
  });
});
