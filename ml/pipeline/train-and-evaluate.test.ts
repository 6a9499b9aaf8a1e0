/**
 * trainAndEvaluate on tiny real subsets (a few hundred 28 px images, a tiny network, one epoch; and the pretrained
 * MobileNetV2 recipe on a few hundred ham10000-200 images at 64 px): every report field is produced, the saved model
 * reproduces it, binary-only folder data trains the 7-class head through the malignancy objective, and cancellation
 * saves nothing. Speed, not accuracy: the numbers are not checked for quality.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { DERMAMNIST_28_DIR, HAM10000_200_DIR, ISIC2019_180_DIR, loadImages, readDermamnist, readFolderLayout, type ImageRecord } from "../data";
import { modelInputOfPixels, preprocessImageBytes } from "../inference/preprocess";
import { loadPredictor } from "../inference/predictor";
import { FIXTURE_PREPROCESSING, tinyClassifier } from "../store/model-fixture.test-helper";
import { evaluateModel } from "./evaluate-model";
import { readModelDirectory } from "../store/read-model";
import { labelledRecordsHash } from "../store/training-data-hash";
import type { PipelinePhase } from "./progress";
import { NON_DERMOSCOPY_KINDS, nonDermoscopyJpeg } from "../ood/non-dermoscopy-images";
import { trainAndEvaluate, type TrainAndEvaluateOptions } from "./train-and-evaluate";

let root: string;
let backend: { name: string; isGpu: boolean };
const TINY = { stageWidths: [4, 8], convsPerStage: [1, 1] };

/** The first records of each split, half malignant and half benign, so that every split has both classes. */
function take(records: readonly ImageRecord[], counts: Record<ImageRecord["split"], number>): ImageRecord[] {
  return (["train", "val", "test"] as const).flatMap((split) => {
    const inSplit = records.filter((r) => r.split === split);
    const half = Math.floor(counts[split] / 2);
    return [...inSplit.filter((r) => r.malignant === true).slice(0, half), ...inSplit.filter((r) => r.malignant === false).slice(0, counts[split] - half)];
  });
}

/** Like take, but the training images include some that share a lesion with test images (as the official split does). */
function takeWithLeakage(records: readonly ImageRecord[], counts: Record<ImageRecord["split"], number>): ImageRecord[] {
  const subset = take(records, counts);
  const testLesions = new Set(subset.filter((r) => r.split === "test").map((r) => r.lesionId));
  const leaked = records.filter((r) => r.split === "train" && testLesions.has(r.lesionId)).slice(0, 20);
  const ids = new Set(leaked.map((r) => r.id));
  return [...leaked, ...subset.filter((r) => !ids.has(r.id))];
}

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "dermflag-pipeline-"));
  backend = await initBackend({ log: () => {} });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const base = (modelsDir: string): Omit<TrainAndEvaluateOptions, "data"> => ({
  modelsDir,
  training: { recipe: "cnn" },
  model: TINY,
  epochs: 1,
  batchSize: 32,
  bootstrapResamples: 50,
  backend,
  seed: 3,
});

describe("trainAndEvaluate on DermaMNIST", () => {
  it("trains, evaluates every report field, saves and reloads a verified model version", async () => {
    const records = takeWithLeakage(readDermamnist(DERMAMNIST_28_DIR), { train: 160, val: 96, test: 160 });
    const trainCount = records.filter((r) => r.split === "train").length;
    const phases: PipelinePhase[] = [];
    const modelsDir = path.join(root, "dermamnist");
    const result = await trainAndEvaluate({
      ...base(modelsDir),
      data: { records, description: "DermaMNIST subset" },
      version: "v-test",
      onProgress: (p) => {
        if (phases.at(-1) !== p.phase) phases.push(p.phase);
      },
    });
    expect(phases).toEqual(["load-data", "decode", "train", "evaluate", "save", "verify", "done"]);
    expect(result.saved.dir).toBe(path.join(modelsDir, "v-test"));

    const { report, metadata } = result;
    expect(report.backend).toMatch(/onnxruntime/);
    expect(report.labelMode).toBe("diagnosis");
    expect(report.threshold.chosenOn).toBe("validation");
    expect(report.threshold.validation!.sensitivity).toBeGreaterThanOrEqual(0.95);
    for (const subset of [report.test, report.lesionDisjointTest!, report.histoTest!]) {
      expect(subset.n).toBeGreaterThan(0);
      expect(subset.multiclass?.accuracy).toEqual(expect.any(Number));
      expect(subset.multiclass?.macroAuc).toEqual(expect.any(Number));
      expect(subset.multiclass?.confusionMatrix.rows).toHaveLength(7);
      expect(subset.binary.auc).toEqual(expect.any(Number));
      expect(subset.binary.aucInterval?.lower).toEqual(expect.any(Number));
      for (const m of ["sensitivity", "specificity", "ppv", "npv"] as const) expect(subset.binary.metrics[m].trials).toBeGreaterThan(0);
      expect(subset.binary.roc!.length).toBeGreaterThan(2);
      expect(subset.binary.ece).toEqual(expect.any(Number));
      expect(subset.subgroups.sex.length).toBeGreaterThan(0);
      expect(subset.subgroups.ageBand.length).toBeGreaterThan(0);
      expect(subset.subgroups.site.length).toBeGreaterThan(0);
      expect(subset.biopsy?.perImage.avoidableRate.trials).toBeGreaterThan(0);
      expect(subset.biopsy?.perLesion.benignBiopsied).toBeGreaterThan(0);
    }
    expect(report.lesionDisjointTest!.n).toBeLessThan(report.test.n);

    // Metadata: threshold from validation, hashes of exactly the training/validation records, provenance.
    const train = records.filter((r) => r.split === "train");
    expect(metadata.operatingPoint).toMatchObject({ threshold: report.threshold.value, targetSensitivity: 0.95, chosenOn: "validation" });
    expect(metadata.data.trainingHash).toBe(labelledRecordsHash(train));
    expect(metadata.data.counts).toEqual({ train: trainCount, val: 96, test: 160 });
    expect(metadata.backend.name).toBe(backend.name);
    expect(metadata.code.gitCommit).toMatch(/^[0-9a-f]{40}$/);

    // The directory holds the same report and a card that says what a reviewer needs.
    const verified = readModelDirectory(result.saved.dir);
    expect(verified.metrics).toEqual(JSON.parse(JSON.stringify(report)));
    const card = readFileSync(path.join(result.saved.dir, "model-card.md"), "utf8");
    for (const heading of ["## Intended use", "## Operating threshold", "## Performance", "## Calibration", "## Subgroups", "## Avoidable biopsies", "## Limitations"]) {
      expect(card).toContain(heading);
    }
    expect(card).toContain(report.threshold.value.toFixed(4));
    expect(card).toMatch(/Fitzpatrick skin type:\*\* Not available/);
    expect(card).toMatch(/never decides autonomously/);
    expect(verified.modelCard).toMatchObject({ title: "DermFlag lesion classifier v-test", operatingPoint: { threshold: report.threshold.value } });

    // Test-time augmentation was chosen on validation and is stored with the preprocessing.
    const tta = result.training.testTimeAugmentation;
    expect("validationMetric" in tta && Object.keys(tta.validationMetric)).toEqual(["none", "flips", "dihedral"]);
    expect(verified.preprocessing.testTimeAugmentation).toBe(tta.mode);

    const predictor = await loadPredictor(result.saved.dir);
    expect(predictor.threshold).toBe(report.threshold.value);
    await predictor.dispose();
  });

  it("saves nothing when cancelled during training", async () => {
    const records = take(readDermamnist(DERMAMNIST_28_DIR), { train: 96, val: 32, test: 32 });
    const controller = new AbortController();
    const modelsDir = path.join(root, "cancelled");
    await expect(
      trainAndEvaluate({
        ...base(modelsDir),
        data: { records, description: "subset" },
        onProgress: (p) => {
          if (p.phase === "train") controller.abort();
        },
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ name: "AbortError" });
    expect(existsSync(modelsDir) ? readdirSync(modelsDir) : []).toEqual([]);
  });
});

describe("trainAndEvaluate on the folder layout (benign/malignant only)", () => {
  it("trains the 7-class head through P(malignant), never on unknown images, and marks the model binary-only", async () => {
    const layout = readFolderLayout(ISIC2019_180_DIR, { valFraction: 0.2, seed: 1 });
    const records = take(layout, { train: 128, val: 64, test: 64 });
    // An image with no confirmed outcome, as an `unknown` folder would give: never a label.
    const unknown: ImageRecord = { ...records[0]!, id: "train/unknown/x.jpg", malignant: null };
    const result = await trainAndEvaluate({ ...base(path.join(root, "folder")), data: { records: [...records, unknown], description: "ISIC subset" } });
    expect(result.metadata.labelMode).toBe("malignancy");
    expect(result.metadata.data.counts.train).toBe(128);
    expect(result.metadata.data.trainingHash).toBe(labelledRecordsHash(records.filter((r) => r.split === "train")));
    expect(result.training.objective).toMatch(/binary cross-entropy on P\(malignant\)/);
    expect(result.report.test.multiclass).toBeNull();
    expect(result.report.test.binary.auc).toEqual(expect.any(Number));
    expect(result.training.history[0]!.valAuc).toEqual(expect.any(Number));
    const card = readFileSync(path.join(result.saved.dir, "model-card.md"), "utf8");
    expect(card).toMatch(/benign\/malignant labels only/);
  });
});

describe("trainAndEvaluate with the pretrained MobileNetV2 recipe", () => {
  it("fine-tunes on real ham10000-200 images, reports the cross-source subset and saves its whole configuration", async () => {
    const records = take(readDermamnist(HAM10000_200_DIR), { train: 160, val: 64, test: 64 });
    const others = readFolderLayout(ISIC2019_180_DIR, { valFraction: 0, seed: 0 }).filter((r) => r.lesionId === null);
    const cross = [...others.filter((r) => r.malignant === true).slice(0, 20), ...others.filter((r) => r.malignant === false).slice(0, 20)];
    const colourConstancy = { method: "shades-of-grey" as const, power: 6 };
    const result = await trainAndEvaluate({
      modelsDir: path.join(root, "mobilenet"),
      data: { records, description: "ham10000-200 subset" },
      crossSource: { records: cross, description: "ISIC subset" },
      training: { recipe: "mobilenetv2-finetune", inputSize: 64, views: 2, colourConstancy },
      epochs: 1,
      bootstrapResamples: 20,
      backend,
      seed: 1,
    });
    const config = result.training.config;
    expect(config).toMatchObject({ recipe: "mobilenetv2-finetune", inputSize: 64, views: 2, colourConstancy, epochs: 1 });
    expect(result.training.cacheSeconds).toBeGreaterThan(0);
    expect(result.metadata.training.config).toEqual(config);
    expect(result.metadata.architecture).toMatchObject({ recipe: "mobilenetv2-finetune", trainedFrom: "block_13_project_BN" });

    const cs = result.report.crossSource!;
    expect(cs.name).toBe("cross-source");
    expect(cs.n).toBe(cross.filter((r) => r.malignant !== null).length);
    expect(cs.binary.auc).toEqual(expect.any(Number));
    expect(cs.binary.sensitivityInterval?.lower).toEqual(expect.any(Number));
    expect(result.report.notes.join(" ")).toMatch(/nothing was trained or tuned on it/);

    // What was saved is what the upload path uses: colour constancy included, identical floats for the same file.
    const verified = readModelDirectory(result.saved.dir);
    expect(verified.preprocessing).toMatchObject({ inputSize: 64, colourConstancy, channelStats: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } });
    const [record] = records.filter((r) => r.split === "test");
    const upload = await preprocessImageBytes(readFileSync(record!.file), verified.preprocessing);
    const trained = modelInputOfPixels(await loadImages([record!], 64, verified.preprocessing.decode), 1, verified.preprocessing);
    expect(Array.from(upload)).toEqual(Array.from(trained));
    const corrected = modelInputOfPixels(await loadImages([record!], 64, verified.preprocessing.decode), 1, { ...verified.preprocessing, colourConstancy: { method: "none" } });
    expect(Array.from(upload)).not.toEqual(Array.from(corrected));

    // The card states the configuration and the cross-source figures.
    const card = readFileSync(path.join(result.saved.dir, "model-card.md"), "utf8");
    expect(card).toContain("| cross-source |");
    expect(card).toMatch(/On images from other sources \(\d+ images/);
    expect(card).toContain('"recipe":"mobilenetv2-finetune"');
    expect(card).toMatch(/shades-of-grey colour constancy \(p = 6\)/);

    // The out-of-distribution detector: fitted on the training features, threshold on validation, rates reported.
    expect(verified.ood).toMatchObject({ method: "mahalanobis-min-class", dim: 160, thresholdChosenOn: "validation", trainingImages: 160, validationImages: 64 });
    const ood = result.report.ood!;
    expect(ood.subsets.map((s) => s.name)).toEqual(["validation", "test", "test-histo", "cross-source"]);
    expect(ood.subsets[0]!.flagged).toBeLessThanOrEqual(Math.floor(0.01 * 64));
    expect(card).toMatch(/Out-of-distribution check: Mahalanobis distance/);

    // Save -> load: the served predictor gives the evaluated probabilities.
    const predictor = await loadPredictor(result.saved.dir);
    try {
      const single = await predictor.predictBytes(readFileSync(record!.file));
      const batch = await predictor.predictBatch([record!]);
      expect(single.pMalignant).toBeCloseTo(batch.pMalignant[0]!, 6);
      expect(single.ood!.score).toBeCloseTo(batch.ood![0]!.score, 3);
      expect(single.ood!.threshold).toBe(verified.ood!.threshold);
      // Pictures that are not dermoscopy lie far outside the training features, even for this small model.
      for (const kind of NON_DERMOSCOPY_KINDS) {
        const photo = await predictor.predictBytes(await nonDermoscopyJpeg(kind));
        expect(photo.ood, kind).toMatchObject({ outOfDistribution: true });
      }
    } finally {
      await predictor.dispose();
    }
  }, 240_000);
});

describe("evaluateModel", () => {
  it("also evaluates an unsaved model with its preprocessing, choosing the threshold on validation", async () => {
    const records = takeWithLeakage(readDermamnist(DERMAMNIST_28_DIR), { train: 40, val: 64, test: 64 });
    const model = tinyClassifier(2);
    try {
      const report = await evaluateModel({ scorer: { model, preprocessing: FIXTURE_PREPROCESSING }, records, binary: { bootstrapResamples: 20 } });
      expect(report.backend).toMatch(/onnxruntime/);
      expect(report.threshold.chosenOn).toBe("validation");
      expect(report.test.n).toBe(64);
      expect(report.validation!.n).toBe(64);
    } finally {
      model.dispose();
    }
  });
});
