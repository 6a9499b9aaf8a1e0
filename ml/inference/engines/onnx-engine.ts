/**
 * ONNX Runtime (CPU) engine: the tfjs model is exported to ONNX in memory (ml/inference/onnx) and run by
 * onnxruntime-node, imported dynamically so that a machine without its native binary still loads this module and
 * can fall back to tfjs.
 */
import type * as Ort from "onnxruntime-node";
import { exportLayersModelToOnnx, type LayersModelArtifacts } from "../onnx/export-onnx";
import type { EngineOptions, InferenceEngine } from "./engine";

export async function createOnnxEngine(artifacts: LayersModelArtifacts, options: EngineOptions = {}): Promise<InferenceEngine> {
  const exported = exportLayersModelToOnnx(artifacts);
  const ort: typeof Ort = await import("onnxruntime-node");
  const threads = options.threads ?? 1;
  const session = await ort.InferenceSession.create(exported.bytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    executionMode: "sequential",
  });
  const [height, width, channels] = exported.inputShape;
  const imageLength = height * width * channels;
  const maxBatch = options.maxBatch ?? 256;
  const classCount = exported.outputSize;
  const featureSize = exported.features?.size ?? 0;
  const runWithFeatures = async (input: Float32Array, count: number) => {
    if (input.length !== count * imageLength) throw new RangeError(`expected ${count * imageLength} input values, got ${input.length}`);
    const probabilities = new Float32Array(count * classCount);
    const features = exported.features ? new Float32Array(count * featureSize) : null;
    for (let start = 0; start < count; start += maxBatch) {
      const n = Math.min(maxBatch, count - start);
      const tensor = new ort.Tensor("float32", input.subarray(start * imageLength, (start + n) * imageLength), [n, height, width, channels]);
      const result = await session.run({ [exported.inputName]: tensor });
      tensor.dispose();
      const copyOut = (name: string, into: Float32Array, length: number) => {
        const value = result[name];
        if (value === undefined || !(value.data instanceof Float32Array)) throw new Error(`ONNX Runtime returned no float ${name}`);
        into.set(value.data, start * length);
        value.dispose();
      };
      copyOut(exported.outputName, probabilities, classCount);
      if (features && exported.features) copyOut(exported.features.name, features, featureSize);
    }
    return { probabilities, features };
  };
  return {
    kind: "onnx",
    backend: `onnxruntime-node@${ort.env.versions.node ?? "?"}/cpu`,
    classCount,
    featureSize,
    runWithFeatures,
    run: async (input, count) => (await runWithFeatures(input, count)).probabilities,
    async dispose() {
      await session.release();
    },
  };
}
