/**
 * `npm run ml:eval -- --model <dir> [options]`: evaluates a saved model version on a data folder with the model's
 * stored threshold (or one re-chosen on this data's validation split) and prints / writes the full report.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { DERMAMNIST_28_DIR } from "../data/shared-data";
import { ENGINE_KINDS } from "../inference/engines/engine";
import { loadPredictor } from "../inference/predictor";
import { evaluateModel } from "../pipeline/evaluate-model";
import { loadDataset } from "../pipeline/load-dataset";
import { resolveModelDir } from "../store/find-models";
import { labelledRecordsHash } from "../store/training-data-hash";
import { nonNegativeInteger, oneOf, probability, runCli, UsageError } from "./cli-support";
import { summarizeReport } from "./report-summary";

const usage = `Usage: npm run ml:eval -- [options]

Evaluates a saved model on a dataset's validation and test splits (official test, lesion-disjoint part,
biopsied part), with 95% intervals, calibration, subgroups and the avoidable-biopsy analysis.

Options:
  --model <dir>                a model version folder, or a models folder (newest version) (default models)
  --data <dir>                 dataset folder (default ${path.relative(process.cwd(), DERMAMNIST_28_DIR) || DERMAMNIST_28_DIR})
  --format <auto|dermamnist|folder>   default auto
  --val-fraction <0..1>        folder layout: validation share carved from train (default 0.15)
  --threshold <stored|validation>     stored (default): the model's own threshold;
                               validation: re-choose it on this data's validation split
  --target-sensitivity <0..1>  with --threshold validation (default: the model's target)
  --engine <auto|onnx|tfjs>    default auto
  --bootstrap <n>              bootstrap resamples (default 1000)
  --out <file.json>            also write the full report there
  --json                       print the full report as JSON instead of the summary
  -h, --help                   show this help

Exit codes: 0 ok, 2 usage, 3 data folder problem, 4 model missing/corrupt.`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      model: { type: "string" },
      data: { type: "string" },
      format: { type: "string" },
      "val-fraction": { type: "string" },
      threshold: { type: "string" },
      "target-sensitivity": { type: "string" },
      engine: { type: "string" },
      bootstrap: { type: "string" },
      out: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const thresholdMode = oneOf("threshold", values.threshold, ["stored", "validation"] as const) ?? "stored";
  const format = oneOf("format", values.format, ["auto", "dermamnist", "folder"] as const);
  const valFraction = probability("val-fraction", values["val-fraction"]);
  const bootstrap = nonNegativeInteger("bootstrap", values.bootstrap);
  const targetSensitivity = probability("target-sensitivity", values["target-sensitivity"]);
  const engine = oneOf("engine", values.engine, ENGINE_KINDS);

  const predictor = await loadPredictor(resolveModelDir(values.model ?? "models"), { engine });
  try {
    const dataset = loadDataset({ root: path.resolve(values.data ?? DERMAMNIST_28_DIR), format: format === "auto" ? undefined : format, valFraction });
    const trainRecords = dataset.records.filter((r) => r.split === "train" && r.malignant !== null);
    const sameTraining = labelledRecordsHash(trainRecords) === predictor.metadata.data.trainingHash;
    if (!sameTraining) {
      console.error(
        "Note: this dataset's training split differs from the model's (training-data hash mismatch); the lesion-disjoint part is computed against this dataset's train/val.",
      );
    }
    const report = await evaluateModel({
      scorer: predictor,
      records: dataset.records,
      threshold: thresholdMode === "stored" ? predictor.threshold : undefined,
      targetSensitivity: targetSensitivity ?? predictor.targetSensitivity,
      modelVersion: predictor.version,
      labelMode: predictor.labelMode,
      binary: { bootstrapResamples: bootstrap },
    });
    if (values.out !== undefined) writeFileSync(path.resolve(values.out), `${JSON.stringify(report, null, 2)}\n`);
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
      return;
    }
    console.log(`Model ${predictor.version} on ${dataset.description}`);
    console.log(summarizeReport(report));
    if (values.out !== undefined) console.log(`Full report: ${path.resolve(values.out)}`);
  } finally {
    await predictor.dispose();
  }
}

await runCli(usage, main);
