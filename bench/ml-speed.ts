/**
 * Inference and training speed on this machine, written to bench/results/ml-speed.json:
 *   single_image_p50_ms      one JPEG's bytes -> P(malignant) with predictBytes (decode, normalise, run), 28 px JPEGs;
 *                            also reported for full-size 600x450 HAM10000 JPEGs (the realistic upload)
 *   batch_images_per_second  predictBatch on already decoded 28 px pixels (normalise + run), batches of 256;
 *                            also end to end from JPEG files, and on the tfjs engine for comparison
 *   train_images_per_second  trainClassifier's own throughput (forward + backward + update) on DermaMNIST train
 *   end_to_end_fraction_of_raw_ort  the scoring jobs' path (predictEach: 600x450 JPEG bytes -> P(malignant), decode
 *                            overlapped with inference, test-time views included) as a fraction of the raw ONNX
 *                            Runtime session on the same graph, batch (one image's views per run, as predictEach
 *                            runs) and thread settings, fed ready float tensors: the engine's ceiling here. Both
 *                            count images, i.e. runs x batch / views per image. Measured with 1 and 2 intra-op threads.
 * The model is the default architecture with untrained weights unless --model is given: speed does not depend on
 * the weights' values.
 *
 *   npx tsx bench/ml-speed.ts [--model <dir>] [--single 300] [--batch-seconds 5] [--train-seconds 30] [--threads 1]
 *                             [--pipeline-threads 1,2] [--skip-train]
 *
 * The demo model: --model ml/pretrained/v20261205-064832-s0 --out bench/results/ml-speed-mobilenetv2.json. The 28-px
 * baseline (the demo model until ebee2a2) comes back from git: mkdir -p /tmp/dermflag-28px && git archive ebee2a2~1
 * ml/pretrained/v20261126-090422-s0 | tar -x -C /tmp/dermflag-28px, then --model /tmp/dermflag-28px/ml/pretrained/
 * v20261126-090422-s0 (writes bench/results/ml-speed.json).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { initBackend } from "../ml/backend";
import { computeTrainingChannelStats, DERMAMNIST_28_DIR, HAM10000_SAMPLE_DIR, loadImages, normalizeToFloat32, readDermamnist, readHam10000 } from "../ml/data";
import { DIAGNOSES } from "../ml/diagnoses";
import { onnxSessionOptions } from "../ml/inference/engines/onnx-engine";
import { exportLayersModelToOnnx } from "../ml/inference/onnx/export-onnx";
import { loadPredictor, type Predictor } from "../ml/inference/predictor";
import { viewCount } from "../ml/inference/test-time-augmentation";
import { readModelDirectory } from "../ml/store/read-model";
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

/**
 * The engine's ceiling: ort.InferenceSession.run alone on a ready float tensor of `batch` views, with the engine's
 * own session settings; each run counts batch / viewsPerImage images, like the end-to-end figure.
 */
async function openRawOrt(modelDir: string, threads: number, batch: number, viewsPerImage: number): Promise<{ run: () => Promise<number>; release: () => Promise<void> }> {
  const exported = exportLayersModelToOnnx(readModelDirectory(modelDir).artifacts);
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(exported.bytes, onnxSessionOptions("cpu", threads));
  const [height, width, channels] = exported.inputShape;
  // Values in the normalised range: they do not change the work.
  const tensor = new ort.Tensor("float32", new Float32Array(batch * height * width * channels).map((_, i) => Math.sin(i * 0.001)), [batch, height, width, channels]);
  return {
    run: async () => {
      const result = await session.run({ [exported.inputName]: tensor });
      for (const output of Object.values(result)) output.dispose();
      return batch / viewsPerImage;
    },
    release: () => session.release(),
  };
}

/**
 * predictEach (the scoring jobs' path) over JPEG bytes held in memory, as the image store hands them over: each call
 * scores the next `chunk` images (cycling), so that measuring windows stay short; the prefetch restarts per chunk,
 * which slightly understates a long batch.
 */
function pipelinedRun(predictor: Predictor, images: readonly Uint8Array[], chunk = 24): () => Promise<number> {
  let offset = 0;
  return async () => {
    const slice = Array.from({ length: Math.min(chunk, images.length) }, (_, i) => images[(offset + i) % images.length]!);
    offset = (offset + slice.length) % images.length;
    let count = 0;
    for await (const result of predictor.predictEach(slice, async (bytes) => ({ bytes }))) {
      if ("error" in result) throw result.error;
      if (!Number.isFinite(result.prediction.pMalignant)) throw new Error("non-finite P(malignant)");
      count++;
    }
    return count;
  };
}

/**
 * Images/s of each run, measured in alternating short windows (`rounds` each, `seconds` in all per run) so that a
 * ratio between them compares the same machine state: on a shared machine the load drifts within seconds.
 */
async function interleavedThroughput<K extends string>(seconds: number, rounds: number, runs: Record<K, () => Promise<number>>): Promise<Record<K, number>> {
  const names = Object.keys(runs) as K[];
  const totals = new Map(names.map((name) => [name, { images: 0, ms: 0 }]));
  for (const name of names) await runs[name](); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const name of names) {
      const total = totals.get(name)!;
      const started = performance.now();
      while (performance.now() - started < (seconds * 1000) / rounds) total.images += await runs[name]();
      total.ms += performance.now() - started;
    }
  }
  return Object.fromEntries(names.map((name) => [name, totals.get(name)!.images / (totals.get(name)!.ms / 1000)])) as Record<K, number>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: "string" },
      single: { type: "string" },
      "batch-seconds": { type: "string" },
      "train-seconds": { type: "string" },
      threads: { type: "string" },
      "pipeline-threads": { type: "string" },
      "skip-train": { type: "boolean" },
      out: { type: "string" },
    },
  });
  const singleCount = Number(values.single ?? 300);
  const batchSeconds = Number(values["batch-seconds"] ?? 5);
  const trainSeconds = Number(values["train-seconds"] ?? 30);
  const threads = Number(values.threads ?? 1);
  const pipelineThreads = (values["pipeline-threads"] ?? "1,2").split(",").map(Number);
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

    const onnx = await loadPredictor(modelDir, { engine: "onnx", device: "cpu", threads });
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

    // The scoring jobs' path against the raw session, per intra-op thread count, on full-size uploads.
    const views = viewCount(onnx.preprocessing.testTimeAugmentation ?? "none");
    const ceiling: Record<string, unknown> = {};
    let headline: { fraction: number; threads: number } | null = null;
    for (const t of pipelineThreads) {
      const predictor = await loadPredictor(modelDir, { engine: "onnx", device: "cpu", threads: t });
      const singleTimes = await latencies(predictor, large, Math.min(singleCount, 200));
      const rawOrt = await openRawOrt(modelDir, t, views, views);
      // The 28-px JPEGs: decoding nearly free, so what is left is the path's own overhead over the engine.
      const rates = await interleavedThroughput(batchSeconds, 3, {
        raw: rawOrt.run,
        endToEnd: pipelinedRun(predictor, large),
        endToEndSmall: pipelinedRun(predictor, small.slice(0, 256)),
      });
      await rawOrt.release();
      await predictor.dispose();
      const { raw, endToEnd, endToEndSmall } = rates;
      const raw256Ort = await openRawOrt(modelDir, t, 256, views);
      const raw256 = await throughput(batchSeconds, raw256Ort.run);
      await raw256Ort.release();
      const fraction = endToEnd / raw;
      if (t === threads || headline === null) headline = { fraction, threads: t };
      ceiling[`threads_${t}`] = {
        raw_ort_images_per_second: round(raw, 1),
        raw_ort_batch_views: views,
        end_to_end_images_per_second: round(endToEnd, 1),
        end_to_end_fraction_of_raw: round(fraction, 3),
        end_to_end_images_per_second_28px_jpeg: round(endToEndSmall, 1),
        end_to_end_fraction_of_raw_28px_jpeg: round(endToEndSmall / raw, 3),
        raw_ort_images_per_second_at_256_views: round(raw256, 1),
        single_image_600x450_p50_ms: round(percentile(singleTimes, 0.5), 3),
        single_image_600x450_p90_ms: round(percentile(singleTimes, 0.9), 3),
      };
    }

    const tfjs = await loadPredictor(modelDir, { engine: "tfjs" });
    const batchTfjs = await throughput(batchSeconds, async () => (await tfjs.predictBatch(nextBatch())).count);
    await tfjs.dispose();

    // Training throughput: trainClassifier's own measure over a short time-budgeted run on real training images.
    let trained: Awaited<ReturnType<typeof trainClassifier>> | null = null;
    const subset = train.slice(0, 2048);
    if (!values["skip-train"]) {
      const x = normalizeToFloat32(trainPixels.subarray(0, subset.length * 28 * 28 * 3), channelStats);
      const y = Int32Array.from(subset, (r) => DIAGNOSES.indexOf(r.diagnosis!));
      const valX = x.subarray(0, 256 * 28 * 28 * 3);
      trained = await trainClassifier({ train: { x, y }, val: { x: valX, y: y.subarray(0, 256) }, timeBudgetSeconds: trainSeconds, seed: 0 });
      trained.model.dispose();
    }

    const onnxBackend = onnx.backend + (threads === 1 ? " (1 thread)" : ` (${threads} threads)`);
    const results = {
      benchmark: "ml-speed",
      single_image_p50_ms: round(percentile(single28, 0.5), 3),
      batch_images_per_second: round(batchOnnx, 0),
      end_to_end_fraction_of_raw_ort: round(headline!.fraction, 3),
      train_images_per_second: trained ? round(trained.imagesPerSecond, 1) : null,
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
        inference_ceiling: {
          ...ceiling,
          headline_threads: headline!.threads,
          input: "70 HAM10000 600x450 JPEGs as bytes in memory; end to end = predictEach (the scoring jobs' path: decode overlapped with inference, test-time views included) over 24 images per call; raw and end to end measured in 3 alternating windows each",
          raw: `ort.InferenceSession.run on a ready float tensor of ${views} views (one image's test-time views, what predictEach runs at once) with the engine's session options; also 256 views for reference`,
        },
        training: trained ? { images_per_second: round(trained.imagesPerSecond, 1), backend: backend.name, seconds: trainSeconds, batch_size: 64, images: subset.length, epochs_run: trained.history.length } : "skipped (--skip-train)",
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
