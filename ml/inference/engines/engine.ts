/** What runs the network: normalised NHWC floats in, class probabilities out. ONNX Runtime or TensorFlow.js. */
import type { AdapterProbe } from "../../backend/webgpu-adapter";

export const ENGINE_KINDS = ["auto", "onnx", "tfjs"] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

/**
 * Where ONNX Runtime runs the network (INFERENCE_DEVICE): "webgpu" (its WebGPU execution provider; an error if it
 * cannot start), "cpu", or "auto" (default): WebGPU on a hardware adapter when a calibration batch runs faster there
 * than on the CPU, else the CPU (onnx-engine.ts says why).
 */
export const INFERENCE_DEVICES = ["auto", "webgpu", "cpu"] as const;
export type InferenceDevice = (typeof INFERENCE_DEVICES)[number];

export function parseInferenceDevice(value: string | undefined): InferenceDevice {
  const v = (value ?? "").trim().toLowerCase();
  if (v === "") return "auto";
  if ((INFERENCE_DEVICES as readonly string[]).includes(v)) return v as InferenceDevice;
  throw new RangeError(`INFERENCE_DEVICE must be one of ${INFERENCE_DEVICES.join(", ")}; got "${value}"`);
}

export interface InferenceEngine {
  readonly kind: "onnx" | "tfjs";
  /** Short name reported with every prediction, e.g. "onnxruntime-node@1.30.0/webgpu" or "tfjs/wasm". */
  readonly backend: string;
  /** Why this backend: forced, or what "auto" found (the adapter, the calibration times). */
  readonly reason: string;
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
  /** Where ONNX Runtime runs (default: the INFERENCE_DEVICE env var, validated by server/env.ts; unset: "auto"). */
  device?: InferenceDevice;
  /** Dawn's adapter check (tests inject one; default ml/backend's probeWebGpuAdapter). */
  probeAdapter?: () => Promise<AdapterProbe>;
  /**
   * ONNX Runtime intra-op threads. Default 1, chosen for 2 cores: the other core decodes the next images (predictEach)
   * and serves the web processes. With the demo model on a quiet 2-core machine (bench/results/ml-speed-mobilenetv2.json,
   * inference_ceiling), 2 threads gave a faster single image (p50 17.3 vs 26.6 ms) but fewer images/s on the scoring
   * path (55.6 vs 62: the second thread competes with the decoding), and the web processes share that core too.
   */
  threads?: number;
  /** Largest batch sent to the engine at once (default 256). */
  maxBatch?: number;
  /** Told, once per process and backend, which backend runs and why; and why "auto" fell back to tfjs. */
  log?: (message: string) => void;
}
