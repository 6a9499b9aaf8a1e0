/**
 * The committed demo model's out-of-distribution check, as uploads meet it: full-size HAM10000 photographs (the
 * source it was trained on, at another resolution) pass; ordinary pictures that are not dermoscopy are flagged.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HAM10000_SAMPLE_DIR } from "../data/shared-data";
import { loadPredictor, type Predictor } from "../inference/predictor";
import { listModelVersions } from "../store";
import { NON_DERMOSCOPY_KINDS, nonDermoscopyJpeg } from "./non-dermoscopy-images";

const PRETRAINED = fileURLToPath(new URL("../pretrained", import.meta.url));
let predictor: Predictor;

beforeAll(async () => {
  const latest = listModelVersions(PRETRAINED).at(-1);
  if (!latest) throw new Error(`no model in ${PRETRAINED}`);
  predictor = await loadPredictor(latest.dir);
});
afterAll(() => predictor?.dispose());

describe("the demo model's out-of-distribution check", () => {
  it("ships a detector fitted on its training split, with the threshold chosen on validation", () => {
    expect(predictor.ood).toMatchObject({ method: "mahalanobis-min-class", thresholdChosenOn: "validation", validationFalseAlarmRate: 0.01 });
    expect(predictor.ood!.trainingImages).toBeGreaterThan(5000);
  });

  it("flags every generated non-dermoscopy picture and passes nearly every real HAM10000 photograph", async () => {
    for (const kind of NON_DERMOSCOPY_KINDS) {
      for (const seed of [0, 1]) {
        const result = await predictor.predictBytes(await nonDermoscopyJpeg(kind, seed));
        expect(result.ood, `${kind} ${seed}`).toMatchObject({ outOfDistribution: true });
      }
    }
    const images = path.join(HAM10000_SAMPLE_DIR, "images");
    const photos = readdirSync(images).filter((f) => f.endsWith(".jpg"));
    expect(photos.length).toBe(70);
    let flagged = 0;
    for (const file of photos) if ((await predictor.predictBytes(readFileSync(path.join(images, file)))).ood!.outOfDistribution) flagged++;
    // The threshold flags 1% of validation images; a few of 70 full-size originals may cross it, not many.
    expect(flagged).toBeLessThanOrEqual(4);
  }, 120_000);
});
