/**
 * `npm run ml:train -- [options]`: trains a lesion classifier on a data folder, chooses its threshold on
 * validation, evaluates it on test, and saves a verified model version with its model card.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { COLOUR_CONSTANCY_METHODS } from "../data/colour-constancy";
import { HAM10000_200_DIR } from "../data/shared-data";
import { ENGINE_KINDS } from "../inference/engines/engine";
import { TTA_MODES } from "../inference/test-time-augmentation";
import { trainAndEvaluate } from "../pipeline/train-and-evaluate";
import { TRAINING_RECIPES } from "../pipeline/training-recipes";
import { nonNegativeInteger, oneOf, parseDuration, positiveInteger, probability, runCli, UsageError } from "./cli-support";
import { summarizeReport } from "./report-summary";
import { createProgressRenderer } from "./training-progress-bar";

const usage = `Usage: npm run ml:train -- [options]

Trains the lesion classifier, picks the operating threshold on validation, evaluates on test and saves
<out>/<version>/ (weights, preprocessing, metrics, model card, SHA-256 manifest).

Options:
  --data <dir>                 dataset folder (default ${path.relative(process.cwd(), HAM10000_200_DIR) || HAM10000_200_DIR})
                               DermaMNIST layout (labels.csv + images/) or folder layout (train|test/benign|malignant|unknown)
  --format <auto|dermamnist|folder>   default auto (detected)
  --val-fraction <0..1>        folder layout: share of train lesions held out for validation (default 0.15)
  --epochs <n>                 epochs (default 30 when no --time-budget)
  --time-budget <90s|15m|2h>   wall-clock budget for training; with --epochs, whichever ends first
  --patience <n>               stop after n epochs without validation improvement (best weights kept either way)
  --seed <n>                   seed for initialisation, shuffling, augmentation (default 0)
  --target-sensitivity <0..1>  sensitivity the threshold must reach on validation (default 0.95)
  --recipe <mobilenetv2-finetune|cnn>  default mobilenetv2-finetune: ImageNet MobileNetV2 (from the installed
                               nsfwjs package), blocks 14-16 fine-tuned at 128 px; cnn: the 28-px baseline
  --colour-constancy <none|shades-of-grey>  applied in the shared preprocessing (default none, chosen on validation)
  --views <n>                  mobilenetv2-finetune: cached training views per image, view 0 plain (default 3)
  --input-size <px>            model input size (default: 128 for mobilenetv2-finetune, 28 for cnn)
  --batch-size <n>             default 64
  --out <dir>                  models folder (default models)
  --version <name>             version folder name (default v<date>-<time>-s<seed>)
  --tta <choose|none|flips|dihedral>  test-time augmentation (default choose: best on validation; each view
                               costs one more network pass at inference)
  --engine <auto|onnx|tfjs>    inference engine for evaluation (default auto: ONNX Runtime, else tfjs)
  --bootstrap <n>              bootstrap resamples for AUC intervals (default 1000)
  --json                       print the result (paths, timings, report summary) as JSON
  -h, --help                   show this help

Environment: ML_BACKEND=auto|tfjs-node-gpu|tfjs-node|wasm forces the training backend.
Exit codes: 0 ok, 2 usage, 3 data folder problem, 4 model problem, 130 cancelled (Ctrl-C).`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      data: { type: "string" },
      format: { type: "string" },
      "val-fraction": { type: "string" },
      epochs: { type: "string" },
      "time-budget": { type: "string" },
      patience: { type: "string" },
      seed: { type: "string" },
      "target-sensitivity": { type: "string" },
      "input-size": { type: "string" },
      recipe: { type: "string" },
      "colour-constancy": { type: "string" },
      views: { type: "string" },
      "batch-size": { type: "string" },
      out: { type: "string" },
      version: { type: "string" },
      engine: { type: "string" },
      tta: { type: "string" },
      bootstrap: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const format = oneOf("format", values.format, ["auto", "dermamnist", "folder"] as const);
  const inputSize = positiveInteger("input-size", values["input-size"]);
  const colourConstancy = oneOf("colour-constancy", values["colour-constancy"], COLOUR_CONSTANCY_METHODS);
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort(new DOMException("cancelled by Ctrl-C", "AbortError")));
  const progress = createProgressRenderer();
  try {
    const result = await trainAndEvaluate({
      data: {
        root: path.resolve(values.data ?? HAM10000_200_DIR),
        format: format === "auto" ? undefined : format,
        valFraction: parseNumber01Exclusive(values["val-fraction"]),
      },
      modelsDir: path.resolve(values.out ?? "models"),
      version: values.version,
      seed: nonNegativeInteger("seed", values.seed),
      epochs: positiveInteger("epochs", values.epochs),
      timeBudgetSeconds: parseDuration("time-budget", values["time-budget"]),
      earlyStoppingPatience: positiveInteger("patience", values.patience),
      targetSensitivity: probability("target-sensitivity", values["target-sensitivity"]),
      training: {
        recipe: oneOf("recipe", values.recipe, TRAINING_RECIPES),
        inputSize,
        views: positiveInteger("views", values.views),
        colourConstancy: colourConstancy === undefined ? undefined : colourConstancy === "none" ? { method: "none" } : { method: "shades-of-grey", power: 6 },
      },
      batchSize: positiveInteger("batch-size", values["batch-size"]),
      engine: oneOf("engine", values.engine, ENGINE_KINDS),
      testTimeAugmentation: oneOf("tta", values.tta, ["choose", ...TTA_MODES] as const),
      bootstrapResamples: nonNegativeInteger("bootstrap", values.bootstrap),
      onProgress: progress.update,
      signal: controller.signal,
    });
    progress.stop();
    if (values.json) {
      console.log(JSON.stringify({ dir: result.saved.dir, version: result.saved.version, manifestSha256: result.saved.manifestSha256, timings: result.timings, training: { ...result.training, history: undefined }, threshold: result.report.threshold }, null, 2));
      return;
    }
    console.log(
      `Trained ${result.training.epochsRun} epochs (best ${result.training.bestEpoch}, stopped by ${result.training.stoppedBy}) in ${result.timings.trainSeconds.toFixed(0)} s at ${result.training.imagesPerSecond.toFixed(0)} img/s on ${result.metadata.backend.name}`,
    );
    console.log(`Test-time augmentation: ${result.training.testTimeAugmentation.mode}`);
    console.log(summarizeReport(result.report));
    console.log(`Model card: ${path.join(result.saved.dir, "model-card.md")}`);
  } finally {
    progress.stop();
  }
}

function parseNumber01Exclusive(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new UsageError(`--val-fraction must be between 0 and 1 (exclusive), got "${value}"`);
  return n;
}

await runCli(usage, main);
