/**
 * Measures training throughput (images/s through forward + backward + AdamW update, batch assembly and augmentation
 * included, validation excluded) of the classifier on the active backend, on real DermaMNIST-28 training images.
 *
 *   nice npx tsx ml/training/measure-throughput.ts [--batches 40] [--batch-size 64] [--repeats 3]
 *        [--model '{"stageWidths":[32,64,128]}'] [--profile]
 *
 * Each repeat trains two epochs of `batches` batches and reports the second (warm) epoch. Reports every repeat (the
 * machine's 2 cores are shared, so the best repeat is the least disturbed one) and with --profile the per-kernel
 * time of one step.
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend";
import { buildClassifier, LOGITS_LAYER, type ClassifierOptions } from "../model";
import { AdamW } from "./adamw";
import { jsonArg, numberArg, readArgs } from "./cli-args";
import { useFusedBatchNormForTraining } from "./fused-batch-norm";
import { loadDermamnistSplits } from "./load-dermamnist-splits";
import { trainClassifier } from "./train-classifier";

const args = readArgs();
const batches = numberArg(args, "batches", 40);
const batchSize = numberArg(args, "batch-size", 64);
const repeats = numberArg(args, "repeats", 3);
const model = jsonArg<ClassifierOptions>(args, "model", {});

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
console.log(
  `model ${JSON.stringify(model)} params ${params.countParams()}: best ${Math.max(...rates).toFixed(0)} images/s, ` +
    `median ${rates.sort((a, b) => a - b)[Math.floor(rates.length / 2)]!.toFixed(0)} images/s`,
);

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
  for (const [name, ms] of [...kernels].filter(([n]) => !n.endsWith("__op") && n !== "unnamed scope").sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`  ${name.padEnd(36)} ${ms.toFixed(1)}`);
  }
}
params.dispose();
