/**
 * A full training run on DermaMNIST-28: trains on the official train split with validation-based early stopping,
 * picks the test-time augmentation on validation, then reports validation and test metrics. Test numbers are a
 * final report only; nothing here is chosen on them.
 *
 *   nice npx tsx ml/training/train-dermamnist.ts [--minutes 20] [--epochs N] [--seed 1] [--batch-size 64]
 *        [--model '{"stageWidths":[32,64,128]}'] [--train '{"classWeighting":"sqrt"}'] [--out report.json]
 *        [--skip-test]   (model selection runs: report validation only)
 *
 * Test metrics come for the official test split (comparable with published tables), its lesion-disjoint part (test
 * lesions never seen in train/val) and its biopsied part (dx_type histo), as the data README asks.
 */
import { writeFileSync } from "node:fs";
import { initBackend } from "../backend";
import { lesionDisjointTestRecords } from "../data";
import type { ClassifierOptions } from "../model";
import { jsonArg, numberArg, readArgs } from "./cli-args";
import { loadDermamnistSplits, type DermamnistSplit } from "./load-dermamnist-splits";
import { predictProbabilities, type TestTimeAugmentation } from "./predict-probabilities";
import { DEFAULT_AUGMENTATION, trainClassifier } from "./train-classifier";
import type { TrainClassifierOptions } from "./training-types";
import { evaluateProbabilities, type ValidationMetrics } from "./validate";

const args = readArgs();
const minutes = numberArg(args, "minutes", 20);
const epochs = args.has("epochs") ? numberArg(args, "epochs", 0) : undefined;
const seed = numberArg(args, "seed", 1);
const batchSize = numberArg(args, "batch-size", 64);
const model = jsonArg<ClassifierOptions>(args, "model", {});
const trainOverrides = jsonArg<Partial<TrainClassifierOptions>>(args, "train", {});

const backend = await initBackend();
console.log(`backend ${backend.name} (${backend.reason})`);
const loadStart = performance.now();
const data = await loadDermamnistSplits();
console.log(`loaded train ${data.train.y.length} / val ${data.val.y.length} / test ${data.test.y.length} in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);

// Brightness is specified as a fraction of the pixel range; on standardised pixels that range is about 1/std.
const valueRange = 3 / (data.stats.std[0] + data.stats.std[1] + data.stats.std[2]);
const result = await trainClassifier({
  model,
  train: data.train,
  val: data.val,
  timeBudgetSeconds: minutes * 60,
  ...(epochs !== undefined ? { epochs } : {}),
  batchSize,
  seed,
  augmentation: { ...DEFAULT_AUGMENTATION, valueRange },
  earlyStopping: { patience: 8, metric: "valMacroAuc" },
  ...trainOverrides,
  onProgress: (e) => {
    if (e.kind !== "epoch") return;
    console.log(
      `epoch ${e.epoch}: loss ${e.loss.toFixed(4)} lr ${e.learningRate.toExponential(2)} | val loss ${e.valLoss?.toFixed(4)} ` +
        `macro AUC ${e.valAuc?.toFixed(4)} acc ${e.valAccuracy?.toFixed(4)} | ${e.imagesPerSecond.toFixed(0)} img/s, ` +
        `${e.elapsedSeconds.toFixed(0)} s, eta ${e.etaSeconds?.toFixed(0) ?? "?"} s`,
    );
  },
});
console.log(`stopped by ${result.stoppedBy} after ${result.history.length} epochs; best epoch ${result.bestEpoch}; ${result.imagesPerSecond.toFixed(0)} img/s`);

const ttaModes: TestTimeAugmentation[] = ["none", "flips", "dihedral"];
const metricsOf = async (split: DermamnistSplit, tta: TestTimeAugmentation, keep?: (index: number) => boolean): Promise<ValidationMetrics & { cases: number }> => {
  const probabilities = await predictProbabilities(result.model, split.x, split.y.length, { tta });
  const indices = split.records.flatMap((_, i) => (keep === undefined || keep(i) ? [i] : []));
  const p = new Float32Array(indices.length * 7);
  indices.forEach((i, k) => p.set(probabilities.subarray(i * 7, i * 7 + 7), k * 7));
  return { ...evaluateProbabilities(p, Int32Array.from(indices, (i) => split.y[i]!), 7), cases: indices.length };
};

const validation: Record<string, ValidationMetrics & { cases: number }> = {};
for (const tta of ttaModes) validation[tta] = await metricsOf(data.val, tta);
const chosenTta = ttaModes.reduce((best, tta) => ((validation[tta]!.macroAuc ?? 0) > (validation[best]!.macroAuc ?? 0) ? tta : best), "none" as TestTimeAugmentation);
console.log(`validation by TTA: ${ttaModes.map((t) => `${t} AUC ${validation[t]!.macroAuc?.toFixed(4)} acc ${validation[t]!.accuracy?.toFixed(4)}`).join(" | ")}; chosen: ${chosenTta}`);

const skipTest = args.has("skip-test");
const disjoint = new Set(lesionDisjointTestRecords([...data.train.records, ...data.val.records, ...data.test.records]).map((r) => r.id));
const test = skipTest
  ? null
  : {
      official: await metricsOf(data.test, chosenTta),
      lesionDisjoint: await metricsOf(data.test, chosenTta, (i) => disjoint.has(data.test.records[i]!.id)),
      biopsied: await metricsOf(data.test, chosenTta, (i) => data.test.records[i]!.dxType === "histo"),
    };
const line = (name: string, m: ValidationMetrics & { cases: number }) =>
  `${name.padEnd(16)} n=${String(m.cases).padStart(4)}  macro AUC ${m.macroAuc?.toFixed(4)}  acc ${m.accuracy?.toFixed(4)}  P(malignant) AUC ${m.malignantAuc?.toFixed(4)}`;
console.log(line("val", validation[chosenTta]!));
if (test !== null) {
  console.log(line("test (official)", test.official));
  console.log(line("test disjoint", test.lesionDisjoint));
  console.log(line("test biopsied", test.biopsied));
}

const report = {
  backend: { name: backend.name, wasm: backend.wasm },
  options: { minutes, epochs, seed, batchSize, model, trainOverrides },
  stoppedBy: result.stoppedBy,
  bestEpoch: result.bestEpoch,
  imagesPerSecond: result.imagesPerSecond,
  elapsedSeconds: result.elapsedSeconds,
  history: result.history,
  validation,
  chosenTta,
  test,
};
const out = args.get("out");
if (out !== undefined) {
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`report written to ${out}`);
}
result.model.dispose();
