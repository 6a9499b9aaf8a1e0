/**
 * The "ensembles" route of the generalisation work, measured without training anything: saved model versions (each
 * with its own input size, preprocessing and test-time augmentation) score the same images, their probabilities are
 * averaged, and the average is evaluated exactly like one model: threshold chosen on validation, reported on test,
 * biopsied and lesion-disjoint test, and the cross-source images (scored once, never used to choose anything).
 * Each member is reported the same way beside it, so the choice can be made on validation alone.
 *
 *   npx tsx bench/ml-ensemble.ts --models <dir>,<dir>[,...] [--out bench/results/ml-ensemble.json]
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { readFolderLayout, type ImageRecord } from "../ml/data";
import { HAM10000_200_DIR, ISIC2019_180_DIR } from "../ml/data/shared-data";
import { DIAGNOSES } from "../ml/diagnoses";
import { loadPredictor } from "../ml/inference/predictor";
import { evaluateProbabilities, subsetReport } from "../ml/pipeline/evaluate-probabilities";
import { loadDataset } from "../ml/pipeline/load-dataset";
import { BENCH_RESULTS_DIR, machineInfo, reportFigures, writeResults } from "./ml-bench-support";

const { values } = parseArgs({ options: { models: { type: "string" }, out: { type: "string" } } });
if (!values.models) throw new Error("--models <dir>,<dir>[,...] is required");
const dirs = values.models.split(",").map((d) => path.resolve(d.trim()));
if (dirs.length < 2) throw new Error("an ensemble needs at least two models");

const started = new Date();
const dataset = loadDataset({ root: HAM10000_200_DIR, format: "dermamnist" });
const records = dataset.records;
const scored = records.filter((r) => (r.split === "val" || r.split === "test") && r.malignant !== null);
const cross = readFolderLayout(ISIC2019_180_DIR, { valFraction: 0, seed: 0 }).filter((r): r is ImageRecord & { malignant: boolean } => r.lesionId === null && r.malignant !== null);
const k = DIAGNOSES.length;

const byId = (list: readonly ImageRecord[], probabilities: Float32Array) => new Map(list.map((r, i) => [r.id, probabilities.subarray(i * k, (i + 1) * k)] as const));

/** One report (threshold on validation) for probabilities of the val/test records and the cross-source ones. */
function evaluate(name: string, main: Float32Array, crossProbabilities: Float32Array, backend: string) {
  const report = evaluateProbabilities({ records, probabilitiesById: byId(scored, main), backend, labelMode: "diagnosis", modelVersion: name });
  const crossSource = subsetReport("cross-source", cross, byId(cross, crossProbabilities), report.threshold.value, {});
  return { name, ...reportFigures({ ...report, crossSource }) };
}

const members: { version: string; main: Float32Array; cross: Float32Array; backend: string }[] = [];
for (const dir of dirs) {
  const predictor = await loadPredictor(dir);
  try {
    console.error(`[ml-ensemble] scoring with ${predictor.version} (${predictor.preprocessing.inputSize} px)`);
    members.push({ version: predictor.version, main: await predictor.scoreRecords(scored), cross: await predictor.scoreRecords(cross), backend: predictor.backend });
  } finally {
    await predictor.dispose();
  }
}
const average = (pick: (m: (typeof members)[number]) => Float32Array) => {
  const out = new Float32Array(pick(members[0]!).length);
  for (const m of members) pick(m).forEach((v, i) => (out[i] = out[i]! + v / members.length));
  return out;
};

const results = {
  benchmark: "ml-ensemble",
  description:
    "Saved model versions averaged (mean of their per-diagnosis probabilities), evaluated like one model: the threshold (validation sensitivity >= 0.95) chosen on validation, figures on ham10000-200's test split and on the 767 cross-source ISIC 2019 images (scored once, never used for a choice). Each member is evaluated the same way (its threshold re-chosen on validation here, so its row can differ slightly from its own report). Choose on val_binary_auc.",
  members: members.map((m) => m.version),
  ensemble: evaluate(`mean of ${members.map((m) => m.version).join(" + ")}`, average((m) => m.main), average((m) => m.cross), members[0]!.backend),
  each: members.map((m) => evaluate(m.version, m.main, m.cross, m.backend)),
  machine: machineInfo(),
  date: started.toISOString(),
  command: `npx tsx bench/ml-ensemble.ts ${process.argv.slice(2).join(" ")}`,
};
console.error(`[ml-ensemble] wrote ${writeResults(values.out ?? path.join(BENCH_RESULTS_DIR, "ml-ensemble.json"), results)}`);
