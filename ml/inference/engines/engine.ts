/** What runs the network: normalised NHWC floats in, class probabilities out. ONNX Runtime or TensorFlow.js. */
export const ENGINE_KINDS = ["auto", "onnx", "tfjs"] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

export interface InferenceEngine {
  readonly kind: "onnx" | "tfjs";
  /** Short name reported with every prediction, e.g. "onnxruntime-node/cpu" or "tfjs/wasm". */
  readonly backend: string;
  readonly classCount: number;
  /** Length of the model's second output per image (pooled backbone features for ml/ood), 0 when it has none. */
  readonly featureSize: number;
  /** `count` images of inputShape -> count x classCount probabilities (row-major). */
  run(input: Float32Array, count: number): Promise<Float32Array>;
  /** The same, plus count x featureSize features (null when the model has no feature output). */
  runWithFeatures(input: Float32Array, count: number): Promise<EngineOutput>;
  dispose(): Promise<void>;
}

export interface EngineOutput {
  probabilities: Float32Array;
  features: Float32Array | null;
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
