/**
 * ONNX Runtime engine: the tfjs model is exported to ONNX in memory (ml/inference/onnx) and run by onnxruntime-node,
 * imported dynamically so that a machine without its native binary still loads this module and can fall back to
 * tfjs. It runs on the CPU execution provider or on the WebGPU one that onnxruntime-node 1.30 has built in (its own
 * Dawn, over Vulkan on Linux): see chooseDevice for how "auto" decides.
 */
import type * as Ort from "onnxruntime-node";
import { describeAdapter, probeWebGpuAdapter } from "../../backend/webgpu-adapter";
import { exportLayersModelToOnnx, type LayersModelArtifacts, type OnnxExport } from "../onnx/export-onnx";
import { parseInferenceDevice, type EngineOptions, type InferenceEngine } from "./engine";

/** One upload's batch: a single image's 8 dihedral test-time-augmentation views, what a clinic waits on. */
const CALIBRATION_BATCH = 8;

type Device = "cpu" | "webgpu";

interface Chosen {
  session: Ort.InferenceSession;
  device: Device;
  reason: string;
}

/** The engine's session settings, exported so that bench/ml-speed.ts measures the raw session with the same ones. */
export function onnxSessionOptions(device: Device, threads: number): Ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [device],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    executionMode: "sequential",
    // Errors only: on WebGPU it otherwise warns, for every model, that shape ops stay on the CPU (by design).
    logSeverityLevel: 3,
  };
}

/** Said once per process and backend string (a worker loads several model versions; one line is enough). */
const announced = new Set<string>();

export async function createOnnxEngine(artifacts: LayersModelArtifacts, options: EngineOptions = {}): Promise<InferenceEngine> {
  const exported = exportLayersModelToOnnx(artifacts);
  const ort: typeof Ort = await import("onnxruntime-node");
  const [height, width, channels] = exported.inputShape;
  const imageLength = height * width * channels;
  const threads = options.threads ?? 1;
  const open = (device: Device) => ort.InferenceSession.create(exported.bytes, onnxSessionOptions(device, threads));
  const runOnce = async (session: Ort.InferenceSession, input: Float32Array, count: number) => {
    const tensor = new ort.Tensor("float32", input, [count, height, width, channels]);
    const result = await session.run({ [exported.inputName]: tensor });
    tensor.dispose();
    return result;
  };

  const chosen = await chooseDevice(options, open, (session) => calibrate(session, exported, runOnce));
  const { session } = chosen;
  const maxBatch = options.maxBatch ?? 256;
  const classCount = exported.outputSize;
  const featureSize = exported.features?.size ?? 0;
  const runWithFeatures = async (input: Float32Array, count: number) => {
    if (input.length !== count * imageLength) throw new RangeError(`expected ${count * imageLength} input values, got ${input.length}`);
    const probabilities = new Float32Array(count * classCount);
    const features = exported.features ? new Float32Array(count * featureSize) : null;
    for (let start = 0; start < count; start += maxBatch) {
      const n = Math.min(maxBatch, count - start);
      const result = await runOnce(session, input.subarray(start * imageLength, (start + n) * imageLength), n);
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
  const backend = `onnxruntime-node@${ort.env.versions.node ?? "?"}/${chosen.device}`;
  if (!announced.has(backend)) {
    announced.add(backend);
    // A diagnostic, so stderr by default: a CLI's stdout carries its results (`ml predict --json` prints JSON lines).
    (options.log ?? ((message: string) => console.warn(message)))(`[ml/inference] ${backend}: ${chosen.reason}`);
  }
  return {
    kind: "onnx",
    backend,
    reason: chosen.reason,
    classCount,
    featureSize,
    runWithFeatures,
    run: async (input, count) => (await runWithFeatures(input, count)).probabilities,
    async dispose() {
      await session.release();
    },
  };
}

/**
 * INFERENCE_DEVICE=cpu|webgpu is obeyed (a forced webgpu that cannot start is an error, never a silent CPU run).
 * "auto" asks Dawn for the adapter first, because ONNX Runtime cannot say what it runs on and a software adapter
 * costs a great deal to find out by timing (SwiftShader: ~40 s for the first 128-px image on a busy 2-core machine,
 * mostly shader compilation): no adapter or a software one means the CPU, at once. On a hardware adapter both
 * providers run the same calibration batch (after a warm-up, which compiles the shaders) and the faster one is kept:
 * a small integrated GPU can lose to the CPU on a model this small, and the clinic waits on exactly such a batch.
 */
async function chooseDevice(
  options: EngineOptions,
  open: (device: Device) => Promise<Ort.InferenceSession>,
  calibrate: (session: Ort.InferenceSession) => Promise<number>,
): Promise<Chosen> {
  const device = options.device ?? parseInferenceDevice(process.env.INFERENCE_DEVICE);
  const probeAdapter = options.probeAdapter ?? (() => probeWebGpuAdapter());
  if (device === "cpu") return { session: await open("cpu"), device: "cpu", reason: "INFERENCE_DEVICE=cpu" };
  if (device === "webgpu") {
    const probe = await probeAdapter();
    let session: Ort.InferenceSession;
    try {
      session = await open("webgpu");
    } catch (error) {
      throw new Error(`INFERENCE_DEVICE=webgpu cannot start: ${firstLine(error)}${probe.ok ? "" : ` (${probe.reason})`}`, { cause: error });
    }
    return { session, device: "webgpu", reason: `INFERENCE_DEVICE=webgpu${probe.ok ? ` on ${describeAdapter(probe.adapter)}` : ""}` };
  }

  const probe = await probeAdapter();
  if (!probe.ok) return { session: await open("cpu"), device: "cpu", reason: `auto: no WebGPU (${probe.reason})` };
  const adapter = describeAdapter(probe.adapter);
  if (probe.adapter.software) {
    return { session: await open("cpu"), device: "cpu", reason: `auto: ${adapter} is a software adapter, far slower than the CPU` };
  }
  let gpu: Ort.InferenceSession;
  try {
    gpu = await open("webgpu");
  } catch (error) {
    return { session: await open("cpu"), device: "cpu", reason: `auto: ONNX Runtime's WebGPU provider did not start on ${adapter} (${firstLine(error)})` };
  }
  const cpu = await open("cpu");
  let gpuMs: number;
  try {
    gpuMs = await calibrate(gpu);
  } catch (error) {
    await gpu.release();
    return { session: cpu, device: "cpu", reason: `auto: WebGPU on ${adapter} failed its calibration batch (${firstLine(error)})` };
  }
  const cpuMs = await calibrate(cpu);
  const times = `${CALIBRATION_BATCH}-image batch ${gpuMs.toFixed(1)} ms on WebGPU vs ${cpuMs.toFixed(1)} ms on the CPU`;
  if (gpuMs < cpuMs) {
    await cpu.release();
    return { session: gpu, device: "webgpu", reason: `auto: ${adapter}, ${times}` };
  }
  await gpu.release();
  return { session: cpu, device: "cpu", reason: `auto: the CPU is faster than ${adapter} here (${times})` };
}

/** Best of 3 timed runs of CALIBRATION_BATCH images, after one warm-up run. */
async function calibrate(
  session: Ort.InferenceSession,
  exported: OnnxExport,
  runOnce: (session: Ort.InferenceSession, input: Float32Array, count: number) => Promise<Ort.InferenceSession.ReturnType>,
): Promise<number> {
  const [height, width, channels] = exported.inputShape;
  // A smooth pattern in the normalised range: the values do not change the work, only NaN/denormals could.
  const input = new Float32Array(CALIBRATION_BATCH * height * width * channels).map((_, i) => Math.sin(i * 0.001));
  const release = (result: Ort.InferenceSession.ReturnType) => Object.values(result).forEach((tensor) => tensor.dispose());
  release(await runOnce(session, input, CALIBRATION_BATCH));
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    release(await runOnce(session, input, CALIBRATION_BATCH));
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!.slice(0, 300);
}
