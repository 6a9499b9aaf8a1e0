/** What runs the network: normalised NHWC floats in, class probabilities out. ONNX Runtime or TensorFlow.js. */
export const ENGINE_KINDS = ["auto", "onnx", "tfjs"] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

export interface InferenceEngine {
  readonly kind: "onnx" | "tfjs";
  /** Short name reported with every prediction, e.g. "onnxruntime-node/cpu" or "tfjs/wasm". */
  readonly backend: string;
  readonly classCount: number;
  /** `count` images of inputShape -> count x classCount probabilities (row-major). */
  run(input: Float32Array, count: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export interface EngineOptions {
  /** "auto" (default): ONNX Runtime, falling back to tfjs if it cannot load or convert the model. */
  engine?: EngineKind;
  /** ONNX Runtime intra-op threads (default 1: on a shared 2-core machine a second thread mostly adds contention). */
  threads?: number;
  /** Largest batch sent to the engine at once (default 256). */
  maxBatch?: number;
  /** Told why "auto" fell back to tfjs. Default console.warn. */
  log?: (message: string) => void;
}
