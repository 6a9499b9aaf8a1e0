/**
 * Measures training throughput (images/s through forward + backward + AdamW update, batch assembly and augmentation
 * included, validation excluded) of the classifier on the active backend, on real DermaMNIST-28 training images.
 *
 *   nice npx tsx ml/training/measure-throughput.ts [--batches 40] [--batch-size 64] [--repeats 3]
 *        [--model '{"stageWidths":[32,64,128]}'] [--profile] [--out bench/results/training-throughput.json]
 *
 * Each repeat trains two epochs of `batches` batches and reports the second (warm) epoch. Reports every repeat (the
 * machine's 2 cores are shared, so the best repeat is the least disturbed one) and with --profile the per-kernel
 * time of one step. It also prints the FLOPs a training image costs (training-flops.ts), the GFLOP/s that the best
 * repeat achieved, and the ceiling they imply at the backend's own GEMM speed (a matrix product shaped like the
 * model's largest convolution as im2col, measured here): images/s cannot exceed that GEMM rate / FLOPs per image.
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend";
import { buildClassifier, LOGITS_LAYER, type ClassifierOptions } from "../model";
import { AdamW } from "./adamw";
import { jsonArg, numberArg, readArgs } from "./cli-args";
import { useFusedBatchNormForTraining } from "./fused-batch-norm";
import { loadDermamnistSplits } from "./load-dermamnist-splits";
import { trainClassifier } from "./train-classifier";
import { trainingFlopsPerImage } from "./training-flops";
import { machineInfo, writeResults } from "../../bench/ml-bench-support";

const args = readArgs();
const batches = numberArg(args, "batches", 40);
const batchSize = numberArg(args, "batch-size", 64);
const repeats = numberArg(args, "repeats", 3);
const model = jsonArg<ClassifierOptions>(args, "model", {});
/** Where to write what this run measured (JSON), besides printing it. */
const out = args.get("out");
const report: Record<string, unknown> = {};

const backend = await initBackend();
console.log(`backend ${backend.name} (${backend.reason}) ${JSON.stringify(backend.wasm ?? {})}`);
const data = await loadDermamnistSplits({ limits: { train: batches * batchSize, val: batchSize, test: 0 } });

// Two epochs per repeat; the rate reported is the second epoch's (the first pays for JIT and operator setup).
const rates: number[] = [];
for (let r = 0; r < repeats; r++) {
  const perEpoch: number[] = [];
  const result = await trainClassifier({
    model,
    train: data.train,
    val: data.val,
    epochs: 2,
    batchSize,
    seed: r,
    onProgress: (e) => {
      if (e.kind === "epoch") perEpoch.push(e.imagesPerSecond);
    },
  });
  const images = batches * batchSize;
  const [first, both] = perEpoch as [number, number];
  const second = images / ((2 * images) / both - images / first);
  rates.push(second);
  console.log(`repeat ${r + 1}: ${second.toFixed(0)} images/s (first epoch ${first.toFixed(0)}), ${batches} batches of ${batchSize}`);
  result.model.dispose();
}
const params = buildClassifier(model);
Object.assign(report, {
  backend: backend.name,
  batches,
  batch_size: batchSize,
  model,
  parameters: params.countParams(),
  images_per_second_by_repeat: rates.map((rate) => Math.round(rate)),
  best_images_per_second: Math.round(Math.max(...rates)),
});
console.log(
  `model ${JSON.stringify(model)} params ${params.countParams()}: best ${Math.max(...rates).toFixed(0)} images/s, ` +
    `median ${rates.sort((a, b) => a - b)[Math.floor(rates.length / 2)]!.toFixed(0)} images/s`,
);

{
  const flops = trainingFlopsPerImage(params);
  const best = Math.max(...rates);
  // The third stage's 3x3 conv at 7x7 for a batch of 64, as im2col: [64*7*7, 9*128] x [9*128, 128]; the second stage's
  // at 14x14 is [64*14*14, 9*64] x [9*64, 64]. The faster of the two is the most any conv here can reach.
  const gemm = async (m: number, k: number, n: number) => {
    const a = tf.randomNormal([m, k], 0, 1, "float32", 1);
    const b = tf.randomNormal([k, n], 0, 1, "float32", 2);
    for (let i = 0; i < 3; i++) tf.matMul(a, b).dispose();
    let runs = 0;
    const started = performance.now();
    while (performance.now() - started < 1500) {
      const c = tf.matMul(a, b);
      await c.data(); // asynchronous: webgpu cannot read synchronously in Node
      c.dispose();
      runs++;
    }
    const seconds = (performance.now() - started) / 1000;
    a.dispose();
    b.dispose();
    return (2 * m * k * n * runs) / seconds / 1e9;
  };
  const peak = Math.max(await gemm(64 * 7 * 7, 9 * 128, 128), await gemm(64 * 14 * 14, 9 * 64, 64));
  Object.assign(report, {
    training_flops_per_image_millions: Number((flops / 1e6).toFixed(1)),
    best_repeat_gflops: Number(((best * flops) / 1e9).toFixed(1)),
    gemm_gflops: Number(peak.toFixed(1)),
    ceiling_images_per_second: Math.round((peak * 1e9) / flops),
  });
  console.log(
    `training FLOPs per image ${(flops / 1e6).toFixed(1)} M (conv + dense, forward + both gradients); best repeat ` +
      `${((best * flops) / 1e9).toFixed(1)} GFLOP/s; ${tf.getBackend()} GEMM here ${peak.toFixed(1)} GFLOP/s => at most ` +
      `${((peak * 1e9) / flops).toFixed(0)} images/s if every FLOP ran at GEMM speed and nothing else took time`,
  );
}

if (args.has("profile")) {
  const net = params;
  useFusedBatchNormForTraining(net);
  const logits = tf.model({ inputs: net.inputs, outputs: net.getLayer(LOGITS_LAYER).output as tf.SymbolicTensor });
  const variables = net.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = new AdamW(variables);
  const x = tf.tensor4d(data.train.x.subarray(0, batchSize * 28 * 28 * 3), [batchSize, 28, 28, 3]);
  const y = tf.oneHot(tf.tensor1d(Array.from(data.train.y.subarray(0, batchSize)), "int32"), 7).toFloat();
  // The loss is read asynchronously, as in trainClassifier (tfjs-backend-webgpu has no synchronous read in Node).
  const step = async () => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, logits.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, variables);
      optimizer.applyGradients(grads, 1e-3);
      return value;
    });
    await loss.data();
    loss.dispose();
  };
  for (let i = 0; i < 3; i++) await step();
  const kernels = new Map<string, number>();
  const profile = await tf.profile(async () => {
    await step();
  });
  for (const k of profile.kernels) kernels.set(k.name, (kernels.get(k.name) ?? 0) + Number(k.kernelTimeMs));
  console.log("kernel time in one step (ms):");
  // Op wrappers ("__op") and custom-gradient scopes ("unnamed scope") contain kernels already listed.
  const listed = [...kernels].filter(([n]) => !n.endsWith("__op") && n !== "unnamed scope").sort((a, b) => b[1] - a[1]);
  const stepKernelMs = listed.reduce((sum, [, ms]) => sum + ms, 0);
  for (const [name, ms] of listed.slice(0, 15)) console.log(`  ${name.padEnd(36)} ${ms.toFixed(1)}`);
  report.one_step_kernels = {
    batch_size: batchSize,
    total_ms: Number(stepKernelMs.toFixed(1)),
    share_by_kernel: Object.fromEntries(listed.slice(0, 15).map(([name, ms]) => [name, Number((ms / stepKernelMs).toFixed(3))])),
  };
}
if (out) {
  const command = `npx tsx ml/training/measure-throughput.ts ${process.argv.slice(2).join(" ")}`;
  console.log(`wrote ${writeResults(out, { benchmark: "training throughput of the 28-px classifier (issue 17)", ...report, machine: machineInfo(), date: new Date().toISOString(), command })}`);
}
params.dispose();
