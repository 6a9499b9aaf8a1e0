import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { DERMAMNIST_28_DIR, loadImages, normalizeToFloat32, readDermamnist } from "../data";
import { artifactsOfLayersModel } from "../store/model-artifacts";
import { FIXTURE_PREPROCESSING, tinyClassifier } from "../store/model-fixture.test-helper";
import { predictProbabilities } from "../training/predict-probabilities";
import { createScorer } from "./scorer";
import { augmentedViews, averageViews, viewCount } from "./test-time-augmentation";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("augmentedViews", () => {
  // One 2x2 single-channel image:  1 2
  //                                3 4
  const image = Float32Array.of(1, 2, 3, 4);

  it("gives the mirror images in training's order (identity, left-right, up-down, both)", () => {
    expect(Array.from(augmentedViews(image, 1, 2, 1, "flips"))).toEqual([1, 2, 3, 4, 2, 1, 4, 3, 3, 4, 1, 2, 4, 3, 2, 1]);
  });

  it("adds the four transposed views for the dihedral group, all distinct", () => {
    const views = augmentedViews(image, 1, 2, 1, "dihedral");
    expect(viewCount("dihedral")).toBe(8);
    expect(Array.from(views.subarray(16, 20))).toEqual([1, 3, 2, 4]); // transpose
    const distinct = new Set(Array.from({ length: 8 }, (_, v) => views.subarray(v * 4, v * 4 + 4).join(",")));
    expect(distinct.size).toBe(8);
  });

  it("equals the per-pixel definition of each view on 128-px RGB images (the table-driven copy changes no value)", () => {
    // The eight symmetries of the square, written out per pixel in training's order.
    const maps: ((y: number, x: number, l: number) => [number, number])[] = [
      (y, x) => [y, x],
      (y, x, l) => [y, l - x],
      (y, x, l) => [l - y, x],
      (y, x, l) => [l - y, l - x],
      (y, x) => [x, y],
      (y, x, l) => [l - x, y],
      (y, x, l) => [x, l - y],
      (y, x, l) => [l - x, l - y],
    ];
    const size = 128;
    const count = 2;
    const input = new Float32Array(count * size * size * 3).map((_, i) => Math.sin(i * 0.37) * 2);
    for (const [mode, views] of [["flips", 4], ["dihedral", 8]] as const) {
      const out = augmentedViews(input, count, size, 3, mode);
      expect(out.length).toBe(views * input.length);
      let mismatches = 0;
      for (let v = 0; v < views; v++) {
        for (let i = 0; i < count; i++) {
          for (let y = 0; y < size; y++) {
            for (let x = 0; x < size; x++) {
              const [sy, sx] = maps[v]!(y, x, size - 1);
              for (let c = 0; c < 3; c++) {
                const expected = input[((i * size + sy) * size + sx) * 3 + c]!;
                if (out[(((v * count + i) * size + y) * size + x) * 3 + c] !== expected) mismatches++;
              }
            }
          }
        }
      }
      expect(mismatches, mode).toBe(0);
    }
  });

  it("keeps channels together and lays views out view-major", () => {
    const twoPixelsRgb = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12); // 2x2 RGB
    const views = augmentedViews(twoPixelsRgb, 1, 2, 3, "flips");
    expect(Array.from(views.subarray(12, 24))).toEqual([4, 5, 6, 1, 2, 3, 10, 11, 12, 7, 8, 9]);
    const mean = averageViews(Float32Array.of(0.2, 0.8, 0.4, 0.6), 2, 1, 2);
    expect(mean[0]).toBeCloseTo(0.3, 6);
    expect(mean[1]).toBeCloseTo(0.7, 6);
  });
});

describe("Scorer with stored test-time augmentation", () => {
  it("reproduces training's predictProbabilities with the same TTA mode on real images", async () => {
    const records = readDermamnist(DERMAMNIST_28_DIR).filter((r) => r.split === "val").slice(0, 12);
    const input = normalizeToFloat32(await loadImages(records, 28), FIXTURE_PREPROCESSING.channelStats);
    const model = tinyClassifier(9);
    const artifacts = await artifactsOfLayersModel(model);
    for (const mode of ["flips", "dihedral"] as const) {
      const reference = await predictProbabilities(model, input, records.length, { tta: mode });
      const scorer = await createScorer(artifacts, { ...FIXTURE_PREPROCESSING, testTimeAugmentation: mode });
      const scored = await scorer.scoreNormalized(input, records.length);
      await scorer.dispose();
      let diff = 0;
      for (let i = 0; i < scored.length; i++) diff = Math.max(diff, Math.abs(scored[i]! - reference[i]!));
      expect(diff).toBeLessThan(1e-5);
      // And it is not the same as no augmentation (the views really differ).
      const plain = await predictProbabilities(model, input, records.length);
      expect(Array.from(scored).some((p, i) => Math.abs(p - plain[i]!) > 1e-4)).toBe(true);
    }
    model.dispose();
  });
});
