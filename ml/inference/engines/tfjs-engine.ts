/**
 * TensorFlow.js engine: the fallback when ONNX Runtime is unavailable, on whatever backend ml/backend's initBackend
 * selects (tfjs-node-gpu, tfjs-node, webgpu or wasm). Also the reference the ONNX export is tested against.
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../backend";
import { layersModelFromArtifacts, type ModelArtifactsBundle } from "../../store/model-artifacts";
import type { EngineOptions, InferenceEngine } from "./engine";

const ACCELERATED = new Set(["wasm", "tensorflow", "webgpu"]);

/** Starts a real backend once per process unless one is already active (tfjs's plain cpu backend is too slow). */
async function ensureBackend(): Promise<string> {
  if (ACCELERATED.has(tf.getBackend())) return "the process's active tfjs backend";
  return (await initBackend()).reason;
}

export async function createTfjsEngine(artifacts: ModelArtifactsBundle, options: EngineOptions = {}): Promise<InferenceEngine> {
  const reason = await ensureBackend();
  const model = await layersModelFromArtifacts(artifacts);
  const inputShape = model.inputs[0]!.shape;
  const [height, width, channels] = inputShape.slice(1) as [number, number, number];
  const imageLength = height * width * channels;
  const lastDimension = (i: number) => {
    const shape = model.outputs[i]!.shape;
    return shape[shape.length - 1] as number;
  };
  const classCount = lastDimension(0);
  // A second output carries the pooled backbone features that ml/ood scores.
  const featureSize = model.outputs.length > 1 ? lastDimension(1) : 0;
  const maxBatch = options.maxBatch ?? 256;
  const runWithFeatures = async (input: Float32Array, count: number) => {
    if (input.length !== count * imageLength) throw new RangeError(`expected ${count * imageLength} input values, got ${input.length}`);
    const probabilities = new Float32Array(count * classCount);
    const features = featureSize > 0 ? new Float32Array(count * featureSize) : null;
    for (let start = 0; start < count; start += maxBatch) {
      const n = Math.min(maxBatch, count - start);
      const outputs = tf.tidy(() => {
        const out = model.predict(tf.tensor4d(input.subarray(start * imageLength, (start + n) * imageLength), [n, height, width, channels]));
        return Array.isArray(out) ? out : [out];
      });
      probabilities.set(await outputs[0]!.data<"float32">(), start * classCount);
      if (features) features.set(await outputs[1]!.data<"float32">(), start * featureSize);
      tf.dispose(outputs);
    }
    return { probabilities, features };
  };
  return {
    kind: "tfjs",
    backend: `tfjs/${tf.getBackend()}`,
    reason,
    classCount,
    featureSize,
    runWithFeatures,
    run: async (input, count) => (await runWithFeatures(input, count)).probabilities,
    async dispose() {
      model.dispose();
    },
  };
}
