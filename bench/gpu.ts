/**
 * WebGPU against the CPU on one machine, written to bench/results/gpu.json: the prepared script for a GPU machine.
 *   inference  the demo model (ml/pretrained, 128 px) through ONNX Runtime: images/s at --batch on the WebGPU
 *              execution provider vs the CPU one (all cores), and ms for one upload's batch (8 TTA views)
 *   training   trainClassifier's own throughput (forward + backward + update) at 28 px on DermaMNIST train images,
 *              on tfjs-backend-webgpu (Dawn) vs tfjs wasm (the project's kernels)
 * The result records the machine, the adapter and the date. It is written only for a hardware adapter: numbers
 * from a software one (SwiftShader, what CI has) say nothing about a GPU, so they are printed, not saved.
 *
 *   npx tsx bench/gpu.ts                       # on the GPU machine (about 2 minutes)
 *   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json XDG_RUNTIME_DIR=/tmp npx tsx bench/gpu.ts --smoke
 *                                              # smoke run on software Vulkan: tiny sizes, prints, writes nothing
 */
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { initBackend } from "../ml/backend/init-backend";
import { describeAdapter, probeWebGpuAdapter } from "../ml/backend/webgpu-adapter";
import { DERMAMNIST_28_DIR, HAM10000_SAMPLE_DIR, loadImages, normalizeToFloat32, readDermamnist, readHam10000 } from "../ml/data";
import { DIAGNOSES } from "../ml/diagnoses";
import { createEngine } from "../ml/inference/engines/create-engine";
import { preprocessFiles } from "../ml/inference/preprocess";
import { readModelDirectory } from "../ml/store/read-model";
import { trainClassifier } from "../ml/training/train-classifier";
import { BENCH_RESULTS_DIR, machineInfo, percentile, round, writeResults } from "./ml-bench-support";

const DEMO_MODEL = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../ml/pretrained/v20261205-064832-s0");
const UPLOAD_BATCH = 8;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: "string" },
      batch: { type: "string" },
      "inference-seconds": { type: "string" },
      "train-seconds": { type: "string" },
      smoke: { type: "boolean" },
      out: { type: "string" },
    },
  });
  const smoke = values.smoke === true;
  const batch = Number(values.batch ?? (smoke ? UPLOAD_BATCH : 64));
  const inferenceSeconds = Number(values["inference-seconds"] ?? (smoke ? 0 : 10));
  const trainSeconds = Number(values["train-seconds"] ?? 30);
  const machine = machineInfo();
  const date = new Date().toISOString();

  const probe = await probeWebGpuAdapter();
  if (!probe.ok) throw new Error(`no WebGPU adapter, nothing to compare: ${probe.reason}`);
  console.log(`adapter: ${describeAdapter(probe.adapter)}${smoke ? " (smoke run)" : ""}`);

  // Inference: real HAM10000 images at the model's size, repeated to fill the batch.
  const model = readModelDirectory(values.model ?? DEMO_MODEL);
  const records = readHam10000(HAM10000_SAMPLE_DIR);
  const images = await preprocessFiles(records, model.preprocessing);
  const imageLength = images.length / records.length;
  const input = new Float32Array(batch * imageLength);
  for (let i = 0; i < batch; i++) input.set(images.subarray((i % records.length) * imageLength, ((i % records.length) + 1) * imageLength), i * imageLength);
  const inference: Record<string, { backend: string; reason: string; images_per_second: number | null; upload_batch_ms_p50: number | null; batch: number }> = {};
  for (const device of ["cpu", "webgpu"] as const) {
    const engine = await createEngine(model.artifacts, { engine: "onnx", device, threads: os.availableParallelism(), log: () => {} });
    await engine.run(input, batch); // warm-up: shader compilation on WebGPU, allocation on both
    let done = 0;
    const started = performance.now();
    do {
      await engine.run(input, batch);
      done += batch;
    } while (performance.now() - started < inferenceSeconds * 1000);
    const imagesPerSecond = done / ((performance.now() - started) / 1000);
    const upload = input.subarray(0, UPLOAD_BATCH * imageLength);
    await engine.run(upload, UPLOAD_BATCH);
    const uploadTimes: number[] = [];
    for (let i = 0; i < (smoke ? 1 : 50); i++) {
      const t0 = performance.now();
      await engine.run(upload, UPLOAD_BATCH);
      uploadTimes.push(performance.now() - t0);
    }
    inference[device] = {
      backend: engine.backend,
      reason: engine.reason,
      images_per_second: round(imagesPerSecond, 1),
      upload_batch_ms_p50: round(percentile(uploadTimes.sort((a, b) => a - b), 0.5), 2),
      batch,
    };
    console.log(`inference ${engine.backend}: ${imagesPerSecond.toFixed(1)} images/s at batch ${batch}; one upload (${UPLOAD_BATCH} views) ${inference[device].upload_batch_ms_p50} ms`);
    await engine.dispose();
  }

  // Training: the same seeded run on both backends; the smoke run trains a tiny network for one epoch.
  const train = readDermamnist(DERMAMNIST_28_DIR).filter((r) => r.split === "train").slice(0, smoke ? 32 : 2048);
  const x = normalizeToFloat32(await loadImages(train, 28), { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
  const y = Int32Array.from(train, (r) => DIAGNOSES.indexOf(r.diagnosis!));
  const valCount = Math.min(256, train.length);
  const training: Record<string, { backend: string; images_per_second: number | null; steps: number; batch_size: number }> = {};
  for (const backend of ["webgpu", "wasm"] as const) {
    const choice = await initBackend({ env: { ML_BACKEND: backend } });
    const batchSize = smoke ? 8 : 64;
    let steps = 0;
    const result = await trainClassifier({
      train: { x, y },
      val: { x: x.subarray(0, valCount * 28 * 28 * 3), y: y.subarray(0, valCount) },
      ...(smoke ? { epochs: 1, model: { stageWidths: [8], convsPerStage: [1] } } : { timeBudgetSeconds: trainSeconds }),
      batchSize,
      seed: 0,
      onProgress: (event) => {
        if (event.kind === "batch") steps++;
      },
    });
    result.model.dispose();
    const name = `tfjs/${choice.tfBackend}${choice.adapter ? ` on ${describeAdapter(choice.adapter)}` : ""}`;
    training[backend] = { backend: name, images_per_second: round(result.imagesPerSecond, 1), steps, batch_size: batchSize };
    console.log(`training ${name}: ${result.imagesPerSecond.toFixed(1)} images/s (${steps} steps of ${batchSize})`);
  }

  const results = {
    benchmark: "gpu",
    date,
    machine,
    adapter: probe.adapter,
    inference,
    training,
    speedup: {
      inference: round((inference.webgpu?.images_per_second ?? NaN) / (inference.cpu?.images_per_second ?? NaN), 2),
      training: round((training.webgpu?.images_per_second ?? NaN) / (training.wasm?.images_per_second ?? NaN), 2),
    },
    command: `npx tsx bench/gpu.ts${smoke ? " --smoke" : ""}`,
  };
  if (smoke || probe.adapter.software) {
    console.log(JSON.stringify(results, null, 2));
    console.log(`not written: ${smoke ? "smoke run" : "software adapter"} (bench/results/gpu.json holds hardware numbers only)`);
    return;
  }
  console.log(`written to ${writeResults(values.out ?? path.join(BENCH_RESULTS_DIR, "gpu.json"), results)}`);
}

await main();
// Dawn and ONNX Runtime keep native handles open.
process.exit(0);
