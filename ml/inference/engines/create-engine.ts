/** Picks the inference engine: ONNX Runtime when it can run the model, else TensorFlow.js (or whichever is forced). */
import type { ModelArtifactsBundle } from "../../store/model-artifacts";
import type { EngineOptions, InferenceEngine } from "./engine";

export async function createEngine(artifacts: ModelArtifactsBundle, options: EngineOptions = {}): Promise<InferenceEngine> {
  const kind = options.engine ?? "auto";
  // Each engine is imported only when chosen: the ONNX path never loads TensorFlow.js, and vice versa.
  if (kind === "tfjs") return (await import("./tfjs-engine")).createTfjsEngine(artifacts, options);
  if (kind === "onnx") return (await import("./onnx-engine")).createOnnxEngine(artifacts, options);
  try {
    return await (await import("./onnx-engine")).createOnnxEngine(artifacts, options);
  } catch (error) {
    const log = options.log ?? ((message: string) => console.warn(message));
    log(`[ml/inference] ONNX Runtime unavailable for this model (${error instanceof Error ? error.message : String(error)}); using TensorFlow.js`);
    return (await import("./tfjs-engine")).createTfjsEngine(artifacts, options);
  }
}
