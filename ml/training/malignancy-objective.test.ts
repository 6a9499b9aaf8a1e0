/**
 * The "malignancy" objective: its loss is the binary cross-entropy of P(malignant) = summed softmax of akiec, bcc,
 * mel, and trainClassifier trains the 7-class network with it from 0/1 labels (DermaMNIST diagnoses collapsed).
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { MALIGNANT_INDICES } from "../diagnoses";
import { loadDermamnistSplits } from "./load-dermamnist-splits";
import { malignancyObjective } from "./malignancy-objective";
import { trainClassifier } from "./train-classifier";
import type { LabeledImages, TrainingProgress } from "./training-types";

const SMALL_MODEL = { stageWidths: [8, 16], convsPerStage: [1, 1] };
let train: LabeledImages;
let val: LabeledImages;

beforeAll(async () => {
  await initBackend({ env: { ML_BACKEND: "wasm" } });
  const data = await loadDermamnistSplits({ limits: { train: 192, val: 128, test: 0 }, seed: 2 });
  const binary = (y: Int32Array) => Int32Array.from(y, (c) => (MALIGNANT_INDICES.includes(c) ? 1 : 0));
  train = { x: data.train.x, y: binary(data.train.y) };
  val = { x: data.val.x, y: binary(data.val.y) };
}, 120_000);

describe("malignancyObjective", () => {
  it("is the weighted binary cross-entropy of the summed malignant softmax", () => {
    const logits = [
      [0.5, -1, 2, 0.1, 0, 1.5, -0.3],
      [-2, 0.7, 0.2, 1, 0.4, -0.5, 0.9],
    ];
    const targets = [
      [0.1, 0.9], // mostly malignant
      [0.8, 0.2],
    ];
    const weights = [1.5, 0.5];
    const expected =
      logits.reduce((sum, row, i) => {
        const exp = row.map(Math.exp);
        const total = exp.reduce((a, b) => a + b, 0);
        const pMalignant = MALIGNANT_INDICES.reduce((a, c) => a + exp[c]!, 0) / total;
        const [tBenign, tMalignant] = targets[i]!;
        return sum - weights[i]! * (tBenign! * Math.log(1 - pMalignant) + tMalignant! * Math.log(pMalignant));
      }, 0) / logits.length;
    const loss = tf.tidy(() => malignancyObjective.loss(tf.tensor2d(logits), tf.tensor2d(targets), tf.tensor1d(weights)).dataSync()[0]!);
    expect(loss).toBeCloseTo(expected, 5);
  });

  it("rejects labels other than 0/1 and networks without the 7 DIAGNOSES outputs", () => {
    const bad = { x: new Float32Array(0), y: [0, 1, 2] };
    expect(() => malignancyObjective.checkLabels({ x: new Float32Array(0), y: [0, 1] }, bad)).toThrow(/val label 2 at 2/);
    expect(() => malignancyObjective.targetCount(5)).toThrow(RangeError);
    expect(malignancyObjective.targetCount(7)).toBe(2);
  });
});

describe("trainClassifier with the malignancy objective", () => {
  it("trains the 7-class network from 0/1 labels and reports the malignancy AUC as valAuc", async () => {
    const events: TrainingProgress[] = [];
    const result = await trainClassifier({ model: SMALL_MODEL, train, val, epochs: 2, batchSize: 32, seed: 4, objective: "malignancy", onProgress: (e) => events.push(e) });
    expect(result.model.outputs[0]!.shape).toEqual([null, 7]);
    expect(result.history).toHaveLength(2);
    for (const h of result.history) {
      expect(h.valAuc).toEqual(expect.any(Number));
      expect(h.valMalignantAuc).toBe(h.valAuc);
      // A binary log-loss, far below the 7-class chance level of ln 7.
      expect(h.loss).toBeLessThan(1);
    }
    // Progress events describe the epoch in progress, not the last validated one.
    const secondEpoch = events.filter((e) => e.kind === "batch" && e.epoch === 2);
    expect(secondEpoch).toHaveLength(192 / 32);
    expect(events.at(-1)).toMatchObject({ kind: "epoch", epoch: 2, loss: result.history[1]!.loss });
    result.model.dispose();
  });

  it("rejects diagnosis-index labels before doing any work", async () => {
    const diagnosisLabels = { x: train.x, y: Int32Array.from(train.y, (v, i) => (i === 5 ? 4 : v)) };
    await expect(trainClassifier({ train: diagnosisLabels, val, epochs: 1, objective: "malignancy" })).rejects.toThrow(/train label 4 at 5/);
  });
});
