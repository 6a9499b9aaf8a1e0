/**
 * Inference and training speed on this machine, written to bench/results/ml-speed.json:
 *   single_image_p50_ms      one JPEG's bytes -> P(malignant) with predictBytes (decode, normalise, run), 28 px JPEGs;
 *                            also reported for full-size 600x450 HAM10000 JPEGs (the realistic upload)
 *   batch_images_per_second  predictBatch on already decoded 28 px pixels (normalise + run), batches of 256;
 *                            also end to end from JPEG files, and on the tfjs engine for comparison
 *   train_images_per_second  trainClassifier's own throughput (forward + backward + update) on DermaMNIST train
 * The model is the default architecture with untrained weights unless --model is given: speed does not depend on
 * the weights' values.
 *
 *   npx tsx bench/ml-speed.ts [--model <dir>] [--single 300] [--batch-seconds 5] [--train-seconds 30] [--threads 1]
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { initBackend } from "../ml/backend";
import { computeTrainingChannelStats, DERMAMNIST_28_DIR, HAM10000_SAMPLE_DIR, loadImages, normalizeToFloat32, readDermamnist, readHam10000 } from "../ml/data";
import { DIAGNOSES } from "../ml/diagnoses";
import { loadPredictor, type Predictor } from "../ml/inference/predictor";
import { buildClassifier } from "../ml/model/build-classifier";
import { saveModel } from "../ml/store/save-model";
import { trainClassifier } from "../ml/training/train-classifier";
import { BENCH_RESULTS_DIR, machineInfo, percentile, round, writeResults } from "./ml-bench-support";

async function latencies(predictor: Predictor, images: readonly Uint8Array[], count: number): Promise<number[]> {
  for (const bytes of images.slice(0, 20)) await predictor.predictBytes(bytes); // warm-up
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const result = await predictor.predictBytes(images[i % images.length]!);
    times.push(performance.now() - started);
    if (!Number.isFinite(result.pMalignant)) throw new Error("non-finite P(malignant)");
  }
  return times.sort((a, b) => a - b);
}

async function throughput(seconds: number, run: () => Promise<number>): Promise<number> {
  await run(); // warm-up
  let images = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) images += await run();
  return images / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: "string" },
      single: { type: "string" },
      "batch-seconds": { type: "string" },
      "train-seconds": { type: "string" },
      threads: { type: "string" },
      out: { type: "string" },
    },
  });
  const singleCount = Number(values.single ?? 300);
  const batchSeconds = Number(values["batch-seconds"] ?? 5);
  const trainSeconds = Number(values["train-seconds"] ?? 30);
  const threads = Number(values.threads ?? 1);
  const machine = machineInfo();
  const date = new Date().toISOString();

  const records = readDermamnist(DERMAMNIST_28_DIR);
  const test = records.filter((r) => r.split === "test");
  const train = records.filter((r) => r.split === "train");
  const trainPixels = await loadImages(train, 28);
  const channelStats = computeTrainingChannelStats(trainPixels, train.length, 28);

  const temporary = mkdtempSync(path.join(tmpdir(), "dermflag-speed-"));
  try {
    let modelDir = values.model;
    const backend = await initBackend();
    if (modelDir === undefined) {
      const model = buildClassifier({ seed: 0 });
      const saved = await saveModel({
        modelsDir: temporary,
        model,
        metadata: {
          version: "speed-benchmark",
          createdAt: date,
          classes: [...DIAGNOSES],
          malignantClasses: ["akiec", "bcc", "mel"],
          labelMode: "diagnosis",
          operatingPoint: { threshold: 0.5, targetSensitivity: 0.95, chosenOn: "validation", validationSensitivity: 0, validationSpecificity: null, validationPositives: 0, validationNegatives: 0 },
          data: { trainingHash: "0".repeat(64), validationHash: "0".repeat(64), source: "untrained (speed only)", counts: { train: 0, val: 0, test: 0 } },
          code: { gitCommit: null, gitDirty: null, packageVersion: "bench" },
          backend: { name: backend.name, isGpu: backend.isGpu },
          architecture: {},
          training: {},
        },
        preprocessing: { inputSize: 28, channels: 3, layout: "NHWC", decode: { fit: "cover", kernel: "linear" }, channelStats },
        metrics: {},
        modelCard: { markdown: "", json: {} },
      });
      model.dispose();
      modelDir = saved.dir;
    }

    const onnx = await loadPredictor(modelDir, { engine: "onnx", threads });
    const small = test.slice(0, 500).map((r) => readFileSync(r.file));
    const large = readHam10000(HAM10000_SAMPLE_DIR).map((r) => readFileSync(r.file));
    const single28 = await latencies(onnx, small, singleCount);
    const singleFull = await latencies(onnx, large, singleCount);

    const size = onnx.preprocessing.inputSize;
    const testPixels = await loadImages(test, size);
    const batch = 256;
    const imageBytes = size * size * 3;
    let offset = 0;
    const nextBatch = () => {
      const count = Math.min(batch, test.length - offset);
      const pixels = testPixels.subarray(offset * imageBytes, (offset + count) * imageBytes);
      offset = (offset + count) % test.length;
      return { pixels, count };
    };
    const batchOnnx = await throughput(batchSeconds, async () => (await onnx.predictBatch(nextBatch())).count);
    const endToEnd = await throughput(batchSeconds, async () => (await onnx.predictBatch(test.slice(0, 512))).count);
    await onnx.dispose();

    const tfjs = await loadPredictor(modelDir, { engine: "tfjs" });
    const batchTfjs = await throughput(batchSeconds, async () => (await tfjs.predictBatch(nextBatch())).count);
    await tfjs.dispose();

    // Training throughput: trainClassifier's own measure over a short time-budgeted run on real training images.
    const subset = train.slice(0, 2048);
    const x = normalizeToFloat32(trainPixels.subarray(0, subset.length * 28 * 28 * 3), channelStats);
    const y = Int32Array.from(subset, (r) => DIAGNOSES.indexOf(r.diagnosis!));
    const valX = x.subarray(0, 256 * 28 * 28 * 3);
    const trained = await trainClassifier({ train: { x, y }, val: { x: valX, y: y.subarray(0, 256) }, timeBudgetSeconds: trainSeconds, seed: 0 });
    trained.model.dispose();

    const onnxBackend = onnx.backend + (threads === 1 ? " (1 thread)" : ` (${threads} threads)`);
    const results = {
      benchmark: "ml-speed",
      single_image_p50_ms: round(percentile(single28, 0.5), 3),
      batch_images_per_second: round(batchOnnx, 0),
      train_images_per_second: round(trained.imagesPerSecond, 1),
      backend: {
        single_image_p50_ms: onnxBackend,
        batch_images_per_second: onnxBackend,
        train_images_per_second: `tfjs ${backend.name}${backend.isGpu ? " (GPU)" : ""}`,
      },
      details: {
        single_image_28px_jpeg_ms: { p50: round(percentile(single28, 0.5), 3), p90: round(percentile(single28, 0.9), 3), p99: round(percentile(single28, 0.99), 3), n: single28.length },
        single_image_600x450_jpeg_ms: { p50: round(percentile(singleFull, 0.5), 3), p90: round(percentile(singleFull, 0.9), 3), p99: round(percentile(singleFull, 0.99), 3), n: singleFull.length },
        batch_images_per_second_from_pixels: { value: round(batchOnnx, 0), backend: onnxBackend, batch_size: batch, input: `${size}px decoded pixels (normalise + run)` },
        batch_images_per_second_from_jpeg_files: { value: round(endToEnd, 0), backend: onnxBackend, input: "28px JPEG files (read, decode, normalise, run), 8 decodes in flight" },
        batch_images_per_second_tfjs: { value: round(batchTfjs, 0), backend: tfjs.backend, batch_size: batch },
        training: { images_per_second: round(trained.imagesPerSecond, 1), backend: backend.name, seconds: trainSeconds, batch_size: 64, images: subset.length, epochs_run: trained.history.length },
        test_time_augmentation: `${onnx.preprocessing.testTimeAugmentation ?? "none"} (each view is one more network pass; batch figures include it)`,
        model: values.model === undefined ? "default architecture (stageWidths 32/64/128, convsPerStage 1/2/2), untrained weights" : path.resolve(values.model),
      },
      machine,
      date,
      command: `npx tsx bench/ml-speed.ts ${process.argv.slice(2).join(" ")}`.trim(),
    };
    const file = writeResults(values.out ?? path.join(BENCH_RESULTS_DIR, "ml-speed.json"), results);
    console.log(JSON.stringify(results, null, 2));
    console.error(`[ml-speed] wrote ${file}`);
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
}

await main();
