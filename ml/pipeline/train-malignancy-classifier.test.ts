/** trainMalignancyClassifier is trainClassifier with the "malignancy" objective: same seed, same run. */
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { MALIGNANT_INDICES } from "../diagnoses";
import { loadDermamnistSplits } from "../training/load-dermamnist-splits";
import { trainClassifier } from "../training/train-classifier";
import type { LabeledImages } from "../training/training-types";
import { trainMalignancyClassifier } from "./train-malignancy-classifier";

let data: { train: LabeledImages; val: LabeledImages };

beforeAll(async () => {
  await initBackend({ env: { ML_BACKEND: "wasm" } });
  const splits = await loadDermamnistSplits({ limits: { train: 96, val: 64, test: 0 }, seed: 3 });
  const binary = (y: Int32Array) => Int32Array.from(y, (c) => (MALIGNANT_INDICES.includes(c) ? 1 : 0));
  data = { train: { x: splits.train.x, y: binary(splits.train.y) }, val: { x: splits.val.x, y: binary(splits.val.y) } };
}, 120_000);

describe("trainMalignancyClassifier", () => {
  it("gives the same history and weights as trainClassifier with objective 'malignancy'", async () => {
    const options = { model: { stageWidths: [8, 16], convsPerStage: [1, 1] }, ...data, epochs: 1, batchSize: 32, seed: 6 };
    const wrapped = await trainMalignancyClassifier(options);
    const direct = await trainClassifier({ ...options, objective: "malignancy" });
    const strip = (h: typeof wrapped.history) => h.map(({ elapsedSeconds: _elapsed, ...rest }) => rest);
    expect(strip(wrapped.history)).toEqual(strip(direct.history));
    expect(wrapped.model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(direct.model.getWeights().map((w) => Array.from(w.dataSync())));
    // Binary labels with the default objective would be read as diagnosis classes 0/1: a different run.
    const asDiagnoses = await trainClassifier(options);
    expect(asDiagnoses.history[0]!.loss).not.toBe(wrapped.history[0]!.loss);
    for (const r of [wrapped, direct, asDiagnoses]) r.model.dispose();
  });
});
