/**
 * WebGPU against the CPU on the same inputs, in a process of its own (Dawn reads VK_ICD_FILENAMES once, when it
 * starts, so the Vulkan driver is chosen by whoever starts this process). Prints one JSON line.
 *
 *   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json XDG_RUNTIME_DIR=/tmp npx tsx ml/backend/webgpu-parity-check.ts
 *
 * Inference: the demo model (ml/pretrained) on real HAM10000 images through ONNX Runtime's WebGPU and CPU execution
 * providers: probabilities and pooled features. Training: a few steps of the project's own trainer (trainClassifier,
 * a small classifier at 28 px, seeded) on tfjs-backend-webgpu and on wasm, from the same initial weights.
 * ML_BACKEND=webgpu and INFERENCE_DEVICE=webgpu semantics are used: a software adapter is accepted, because on CI
 * that is the point. ml/backend/webgpu-parity.test.ts runs this and judges the numbers.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { DIAGNOSES } from "../diagnoses";
import { loadImages } from "../data/decode";
import { normalizeToFloat32 } from "../data/normalize";
import { DERMAMNIST_28_DIR, HAM10000_SAMPLE_DIR } from "../data/shared-data";
import { createEngine } from "../inference/engines/create-engine";
import { preprocessFiles } from "../inference/preprocess";
import { readModelDirectory } from "../store/read-model";
import { trainClassifier } from "../training/train-classifier";
import { initBackend } from "./init-backend";
import { probeWebGpuAdapter } from "./webgpu-adapter";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const DEMO_MODEL_DIR = path.join(repoRoot, "ml/pretrained/v20261205-064832-s0");
const IMAGES_DIR = path.join(HAM10000_SAMPLE_DIR, "images");

export interface ParityReport {
  adapter: { description: string; software: boolean } | null;
  inference: { images: string[]; backends: string[]; probabilities: number[][]; maxAbsDiffProbabilities: number; maxAbsDiffFeatures: number; webgpuMs: number; cpuMs: number };
  training: { backends: string[]; webgpuLosses: number[]; wasmLosses: number[]; webgpuMs: number; wasmMs: number };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

export async function inferenceParity(imageCount: number): Promise<ParityReport["inference"]> {
  const model = readModelDirectory(DEMO_MODEL_DIR);
  const images = readdirSync(IMAGES_DIR).filter((name) => name.endsWith(".jpg")).sort().slice(0, imageCount);
  const input = await preprocessFiles(images.map((name) => ({ file: path.join(IMAGES_DIR, name) })), model.preprocessing);
  const quiet = () => {};
  const results = [];
  for (const device of ["cpu", "webgpu"] as const) {
    const engine = await createEngine(model.artifacts, { engine: "onnx", device, log: quiet });
    const started = performance.now();
    const out = await engine.runWithFeatures(input, images.length);
    results.push({ backend: engine.backend, ms: performance.now() - started, ...out });
    await engine.dispose();
  }
  const [cpu, gpu] = results as [(typeof results)[0], (typeof results)[0]];
  const k = cpu.probabilities.length / images.length;
  return {
    images,
    backends: results.map((r) => r.backend),
    probabilities: images.map((_, i) => Array.from(gpu.probabilities.subarray(i * k, (i + 1) * k))),
    maxAbsDiffProbabilities: maxAbsDiff(cpu.probabilities, gpu.probabilities),
    maxAbsDiffFeatures: cpu.features && gpu.features ? maxAbsDiff(cpu.features, gpu.features) : NaN,
    webgpuMs: gpu.ms,
    cpuMs: cpu.ms,
  };
}

export async function trainingParity(): Promise<ParityReport["training"]> {
  // The first 16 DermaMNIST-28 training images: two batches of 8, each backend from the same seeded weights.
  const n = 16;
  const size = 28;
  const rows = readFileSync(path.join(DERMAMNIST_28_DIR, "labels.csv"), "utf8").trim().split("\n").slice(1, n + 1).map((line) => line.split(","));
  const y = Int32Array.from(rows, (row) => DIAGNOSES.indexOf(row[5] as (typeof DIAGNOSES)[number]));
  if (y.some((label) => label < 0)) throw new Error("dermamnist-28 labels.csv: unknown diagnosis in the first rows");
  const pixels = await loadImages(rows.map((row) => ({ file: path.join(DERMAMNIST_28_DIR, "images", row[0]!) })), size);
  const x = normalizeToFloat32(pixels, { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
  const run = async (backend: "webgpu" | "wasm") => {
    const choice = await initBackend({ env: { ML_BACKEND: backend } });
    const losses: number[] = [];
    const started = performance.now();
    const result = await trainClassifier({
      train: { x, y },
      val: { x, y },
      model: { inputSize: size, stageWidths: [8], convsPerStage: [1] },
      batchSize: 8,
      epochs: 2,
      learningRate: 0.01,
      seed: 7,
      augmentation: { flipHorizontal: false, flipVertical: false, rotate90: false, maxShift: 0, brightness: 0, contrast: 0 },
      labelSmoothing: 0,
      onProgress: (event) => {
        if (event.kind === "batch") losses.push(event.loss);
      },
    });
    const ms = performance.now() - started;
    result.model.dispose();
    return { backend: `tfjs/${tf.getBackend()} (${choice.name}${choice.isGpu ? ", GPU" : ""})`, losses, ms };
  };
  const gpu = await run("webgpu");
  const wasm = await run("wasm");
  return { backends: [gpu.backend, wasm.backend], webgpuLosses: gpu.losses, wasmLosses: wasm.losses, webgpuMs: gpu.ms, wasmMs: wasm.ms };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const probe = await probeWebGpuAdapter();
  const adapter = probe.ok ? { description: probe.adapter.description, software: probe.adapter.software } : null;
  if (!probe.ok) {
    console.log(JSON.stringify({ error: `no WebGPU adapter: ${probe.reason}` }));
    process.exit(2);
  }
  const report: ParityReport = { adapter, inference: await inferenceParity(Number(process.env.PARITY_IMAGES ?? 2)), training: await trainingParity() };
  console.log(JSON.stringify(report));
  // Dawn and ONNX Runtime keep native handles open; the report is out.
  process.exit(0);
}
