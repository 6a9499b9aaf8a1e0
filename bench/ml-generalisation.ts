/**
 * Generalisation benchmark: trains the default recipe (ml/pipeline/training-config.ts) on ham10000-200's official
 * split through trainAndEvaluate (epochs and threshold chosen on validation), then reports test, biopsied and
 * lesion-disjoint figures AND the cross-source check: the 767 ISIC 2019 images of ../shared/data/isic2019-180 that
 * are not in HAM10000 (other contributors: Barcelona, New York), scored once at the validation threshold. Nothing is
 * trained or tuned on the cross-source images. Writes bench/results/ml-generalisation.json.
 *
 *   npm run bench:ml-generalisation -- [--seeds 0] [--recipe mobilenetv2-finetune|cnn] [--models-dir models/bench]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { initBackend } from "../ml/backend";
import { readFolderLayout, type ImageRecord } from "../ml/data";
import { COLOUR_CONSTANCY_METHODS, type ColourConstancy } from "../ml/data/colour-constancy";
import { HAM10000_200_DIR, ISIC2019_180_DIR } from "../ml/data/shared-data";
import { loadDataset } from "../ml/pipeline/load-dataset";
import { trainAndEvaluate } from "../ml/pipeline/train-and-evaluate";
import { TRAINING_RECIPES, type TrainingRecipe } from "../ml/pipeline/training-config";
import { loadPredictor } from "../ml/inference/predictor";
import { NON_DERMOSCOPY_KINDS, nonDermoscopyJpeg } from "../ml/ood/non-dermoscopy-images";
import { crossSourceReport, evaluateModel } from "../ml/pipeline/evaluate-model";
import { BENCH_RESULTS_DIR, machineInfo, parseSeeds, reportFigures, round, runFigures, summary, writeResults, type RunFigures } from "./ml-bench-support";

const usage = `Usage: npm run bench:ml-generalisation -- [options]
  --seeds <a,b,c>        seeds to run (default 0); top-level figures are their means
  --recipe <${TRAINING_RECIPES.join("|")}>  default: the pipeline's default recipe
  --epochs <n>           epoch cap (default: the recipe's)
  --views <n>            pretrained recipe: cached training views per image (default: the recipe's)
  --colour-constancy <${COLOUR_CONSTANCY_METHODS.join("|")}>  default: the recipe's
  --input-size <px>      default: the recipe's
  --bootstrap <n>        bootstrap resamples for intervals (default 1000)
  --models-dir <dir>     keep the trained models there (default: a temporary folder, deleted)
  --evaluate <model dir> train nothing: evaluate a saved model version (its stored threshold and preprocessing) on
                         the same test splits and cross-source images, e.g. an older demo model for comparison
  --out <file>           results file (default bench/results/ml-generalisation.json)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seeds: { type: "string" },
      recipe: { type: "string" },
      epochs: { type: "string" },
      views: { type: "string" },
      "colour-constancy": { type: "string" },
      "input-size": { type: "string" },
      bootstrap: { type: "string" },
      "models-dir": { type: "string" },
      evaluate: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const seeds = parseSeeds(values.seeds);
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const recipe = values.recipe as TrainingRecipe | undefined;
  if (recipe !== undefined && !TRAINING_RECIPES.includes(recipe)) throw new Error(`--recipe must be one of ${TRAINING_RECIPES.join(", ")}`);
  const ccName = values["colour-constancy"];
  if (ccName !== undefined && !(COLOUR_CONSTANCY_METHODS as readonly string[]).includes(ccName)) throw new Error(`--colour-constancy must be one of ${COLOUR_CONSTANCY_METHODS.join(", ")}`);
  const colourConstancy: ColourConstancy | undefined = ccName === undefined ? undefined : ccName === "none" ? { method: "none" } : { method: "shades-of-grey", power: 6 };
  const keepModels = values["models-dir"] !== undefined;
  const modelsDir = keepModels ? path.resolve(values["models-dir"]!) : mkdtempSync(path.join(tmpdir(), "dermflag-bench-models-"));

  const machine = machineInfo();
  const started = new Date();
  const backend = await initBackend();
  const dataset = loadDataset({ root: HAM10000_200_DIR, format: "dermamnist" });
  // The folder layout marks HAM10000 images with their lesion id; the others have none: that is the cross-source set.
  const cross = readFolderLayout(ISIC2019_180_DIR, { valFraction: 0, seed: 0 }).filter((r) => r.lesionId === null && r.malignant !== null);
  if (values.evaluate !== undefined) {
    const file = await evaluateSaved(path.resolve(values.evaluate), dataset, cross, num(values.bootstrap), values.out, machine, started);
    console.error(`[ml-generalisation] wrote ${file}`);
    return;
  }
  const runs: RunFigures[] = [];
  const configs: unknown[] = [];
  try {
    for (const seed of seeds) {
      console.error(`[ml-generalisation] seed ${seed}: training on ${dataset.records.length} HAM10000 images (cross-source check: ${cross.length} images, scored after training)`);
      const result = await trainAndEvaluate({
        data: { records: dataset.records, description: dataset.description },
        crossSource: { records: cross, description: "ISIC 2019 images of ../shared/data/isic2019-180 not in HAM10000 (other contributors)." },
        modelsDir,
        seed,
        epochs: num(values.epochs),
        training: { recipe, views: num(values.views), colourConstancy, inputSize: num(values["input-size"]) },
        bootstrapResamples: num(values.bootstrap),
        backend,
        onProgress: (p) => {
          if (p.training?.kind === "epoch") {
            const t = p.training;
            console.error(`  epoch ${t.epoch}: loss ${t.loss.toFixed(3)} val AUC ${t.valAuc?.toFixed(4)} acc ${t.valAccuracy?.toFixed(4)} (${t.imagesPerSecond.toFixed(0)} img/s, ${t.elapsedSeconds.toFixed(0)} s)`);
          } else if (p.phase !== "train" && p.phase !== "decode") console.error(`  ${p.phase}: ${p.message}`);
        },
      });
      const run = { ...runFigures(seed, result), ...(await nonDermoscopyFigures(result.saved.dir)) };
      runs.push(run);
      configs.push(result.training.config);
      console.error(`  test binary AUC ${run.test_binary_auc}, macro AUC ${run.test_macro_auc}, histo AUC ${run.histo_binary_auc}, cross-source AUC ${run.cross_source_binary_auc}`);
      if (keepModels) console.error(`  saved ${result.saved.dir}`);
    }
  } finally {
    if (!keepModels) rmSync(modelsDir, { recursive: true, force: true });
  }

  const numericKeys = Object.keys(runs[0]!).filter((k) => runs.every((r) => typeof r[k as keyof typeof r] === "number") && k !== "seed");
  const means = Object.fromEntries(numericKeys.map((k) => [k, round(summary(runs.map((r) => r[k as keyof typeof r] as number)).mean)]));
  const first = configs[0] as { recipe: string; inputSize: number; backbone?: { package: string; cut: string } };
  const bars = {
    cross_source_binary_auc: { bar: ">= 0.80", value: means.cross_source_binary_auc ?? null },
    test_binary_auc: { bar: ">= 0.93", value: means.test_binary_auc ?? null },
    test_macro_auc: { bar: ">= 0.95", value: means.test_macro_auc ?? null },
    histo_binary_auc: { bar: ">= 0.85", value: means.histo_binary_auc ?? null },
    specificity_at_val_threshold: { bar: ">= 0.70", value: means.specificity_at_val_threshold ?? null },
    cross_source_sensitivity_at_val_threshold: { bar: ">= 0.90", value: means.cross_source_sensitivity_at_val_threshold ?? null },
    train_seconds: { bar: "<= 1800", value: means.train_seconds ?? null },
  };
  const met = (bar: string, value: number | null) => value !== null && (bar.startsWith(">=") ? value >= Number(bar.slice(3)) : value <= Number(bar.slice(3)));
  const results = {
    benchmark: "ml-generalisation",
    description:
      "Trained on ham10000-200 (all 10,015 HAM10000 images at 200x150, DermaMNIST's official split and labels). Epochs and the threshold (validation sensitivity >= 0.95) are chosen on validation only. test/histo/lesion_disjoint: HAM10000 test split. cross_source: the ISIC 2019 images of isic2019-180 that are not in HAM10000, scored once at the validation threshold; never used to train or tune anything.",
    cross_source_policy: "scored once after training; never used to train, choose epochs, test-time augmentation, the threshold or the recipe",
    aggregation: runs.length === 1 ? `one run (seed ${seeds[0]}), not a mean of seeds` : `mean over ${runs.length} seeds (${seeds.join(", ")}); per_seed holds each run`,
    input_size: first.inputSize,
    backbone: first.backbone === undefined ? `${first.recipe} (from scratch)` : `${first.backbone.package}, trained from ${first.backbone.cut}`,
    // One run: its figures as they are (intervals included); several: the means (each run's intervals in per_seed).
    ...(runs.length === 1 ? runs[0] : means),
    bars: Object.fromEntries(Object.entries(bars).map(([k, v]) => [k, { ...v, met: met(v.bar, v.value) }])),
    backend: `training: ${backend.name}${backend.isGpu ? " (GPU)" : ""}; inference: ${runs[0]!.inference_backend}`,
    machine,
    date: started.toISOString(),
    seeds,
    command: `npm run bench:ml-generalisation${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
    training_config: configs.length === 1 ? configs[0] : configs,
    per_seed: runs,
  };
  const file = writeResults(values.out ?? path.join(BENCH_RESULTS_DIR, "ml-generalisation.json"), results);
  console.error(`[ml-generalisation] wrote ${file}`);
}

/**
 * The OOD check on pictures that are not dermoscopy (generated: landscapes, documents, walls, rooms; 5 of each), scored
 * through the served predictor as an upload would be.
 */
async function nonDermoscopyFigures(dir: string) {
  const predictor = await loadPredictor(dir);
  try {
    if (predictor.ood === null) return { ood_rate_non_dermoscopy: null, non_dermoscopy_images: 0 };
    let flagged = 0;
    let count = 0;
    for (const kind of NON_DERMOSCOPY_KINDS) {
      for (let seed = 0; seed < 5; seed++, count++) {
        if ((await predictor.predictBytes(await nonDermoscopyJpeg(kind, seed))).ood?.outOfDistribution) flagged++;
      }
    }
    return { ood_rate_non_dermoscopy: round(flagged / count), non_dermoscopy_images: count };
  } finally {
    await predictor.dispose();
  }
}

/** A saved model, scored as it is served (its stored threshold, preprocessing and test-time augmentation). */
async function evaluateSaved(
  dir: string,
  dataset: { records: ImageRecord[]; description: string },
  cross: ImageRecord[],
  bootstrapResamples: number | undefined,
  out: string | undefined,
  machine: ReturnType<typeof machineInfo>,
  started: Date,
): Promise<string> {
  const predictor = await loadPredictor(dir);
  try {
    console.error(`[ml-generalisation] evaluating ${predictor.version} (threshold ${predictor.threshold}) without training`);
    const report = await evaluateModel({ scorer: predictor, records: dataset.records, threshold: predictor.threshold, modelVersion: predictor.version, binary: { bootstrapResamples } });
    const crossSource = await crossSourceReport(predictor, cross, predictor.threshold, { bootstrapResamples });
    const results = {
      benchmark: "ml-generalisation (evaluation of a saved model, no training)",
      description:
        "A saved model version evaluated at its own stored threshold (chosen on its own validation data) on ham10000-200's official test split and on the 767 cross-source images of isic2019-180. test/histo/lesion_disjoint as in ml-generalisation.json.",
      model: path.relative(process.cwd(), dir),
      model_version: predictor.version,
      input_size: predictor.preprocessing.inputSize,
      ...reportFigures({ ...report, crossSource }),
      machine,
      date: started.toISOString(),
      command: `npm run bench:ml-generalisation -- ${process.argv.slice(2).join(" ")}`,
    };
    return writeResults(out ?? path.join(BENCH_RESULTS_DIR, `ml-generalisation-evaluate-${predictor.version}.json`), results);
  } finally {
    await predictor.dispose();
  }
}

await main();
