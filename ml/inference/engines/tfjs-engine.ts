/**
 * TensorFlow.js engine: the fallback when ONNX Runtime is unavailable, on whatever backend ml/backend's initBackend
 * selects (tfjs-node-gpu, tfjs-node or wasm). Also the reference the ONNX export is tested against.
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../backend";
import { layersModelFromArtifacts, type ModelArtifactsBundle } from "../../store/model-artifacts";
import type { EngineOptions, InferenceEngine } from "./engine";

const ACCELERATED = new Set(["wasm", "tensorflow", "webgpu"]);

/** Starts a real backend once per process unless one is already active (tfjs's plain cpu backend is too slow). */
async function ensureBackend(): Promise<void> {
  if (ACCELERATED.has(tf.getBackend())) return;
  await initBackend();
}

export async function createTfjsEngine(artifacts: ModelArtifactsBundle, options: EngineOptions = {}): Promise<InferenceEngine> {
  await ensureBackend();
  const model = await layersModelFromArtifacts(artifacts);
  const inputShape = model.inputs[0]!.shape;
  const [height, width, channels] = inputShape.slice(1) as [number, number, number];
  const imageLength = height * width * channels;
  const outShape = model.outputs[0]!.shape;
  const classCount = outShape[outShape.length - 1] as number;
  const maxBatch = options.maxBatch ?? 256;
  return {
    kind: "tfjs",
    backend: `tfjs/${tf.getBackend()}`,
    classCount,
    async run(input, count) {
      if (input.length !== count * imageLength) throw new RangeError(`expected ${count * imageLength} input values, got ${input.length}`);
      const out = new Float32Array(count * classCount);
      for (let start = 0; start < count; start += maxBatch) {
        const n = Math.min(maxBatch, count - start);
        const probabilities = tf.tidy(() => model.predict(tf.tensor4d(input.subarray(start * imageLength, (start + n) * imageLength), [n, height, width, channels])) as tf.Tensor);
        out.set(await probabilities.data<"float32">(), start * classCount);
        probabilities.dispose();
      }
      return out;
    },
    async dispose() {
      model.dispose();
    },
  };
}
