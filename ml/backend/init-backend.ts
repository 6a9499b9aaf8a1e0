/**
 * Chooses the TensorFlow.js backend for training and inference at run time:
 *   1. @tensorflow/tfjs-node-gpu  (optional dependency: CUDA libtensorflow; its install fails without internet)
 *   2. @tensorflow/tfjs-node      (not a dependency; used when someone installs it)
 *   3. webgpu: @tensorflow/tfjs-backend-webgpu on Dawn (the `webgpu` package), when Dawn finds a hardware adapter.
 *      A software adapter (SwiftShader, lavapipe) is skipped: about 100x slower than wasm (./webgpu-adapter.ts).
 *   4. @tensorflow/tfjs + the wasm backend (SIMD build; one thread, as wasm threads are off in Node) with the project's
 *      own gradient kernels registered, which is what trains here.
 * tfjs's plain cpu backend is never chosen: its Conv2DBackpropFilter runs at about 1 image/s.
 *
 * The env var ML_BACKEND forces one backend ("auto" or unset: the order above, starting at `prefer` if given). A
 * forced backend that cannot start is an error, not a fallback: whoever forced it wants to know (e.g. that the GPU
 * is not being used); ML_BACKEND=webgpu also accepts a software adapter (CI's parity test runs that way). Unforced
 * failures are listed in the choice, and one line says which backend was chosen and why.
 */
import * as tf from "@tensorflow/tfjs";
import { getThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { findWasmBinaryFolder } from "./wasm-binaries";
import { describeAdapter, installNavigatorGpu, probeWebGpuAdapter, type WebGpuAdapterSummary } from "./webgpu-adapter";
import { registerWasmTrainingKernels } from "./wasm-gradients/register";

export const BACKEND_NAMES = ["tfjs-node-gpu", "tfjs-node", "wasm", "webgpu"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export const DEFAULT_ORDER: readonly BackendName[] = ["tfjs-node-gpu", "tfjs-node", "webgpu", "wasm"];

export interface BackendAttempt {
  name: BackendName;
  error: string;
}

export interface BackendChoice {
  name: BackendName;
  /** tfjs's own name for the active backend ("tensorflow", "wasm", "webgpu"). */
  tfBackend: string;
  isGpu: boolean;
  /** Why this one: forced, preferred, or first available after the listed fallbacks. */
  reason: string;
  /** Backends tried before this one, with why each failed. */
  fallbacks: BackendAttempt[];
  /** For wasm: which binary runs and with how many threads. */
  wasm?: { simd: boolean; threads: number; binaryFolder: string | null };
  /** For webgpu: the adapter Dawn gave (isGpu is false on a software one). */
  adapter?: WebGpuAdapterSummary;
}

export interface InitBackendOptions {
  prefer?: BackendName;
  /** Environment to read ML_BACKEND from (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where the line saying which backend was chosen and why goes (default console.info; not written when forced). */
  log?: (message: string) => void;
  /** Module loader for the optional packages (tests inject failures or fakes; default dynamic import). */
  importModule?: (specifier: string) => Promise<unknown>;
}

export class BackendUnavailableError extends Error {
  constructor(
    message: string,
    readonly attempts: BackendAttempt[],
  ) {
    super(message);
    this.name = "BackendUnavailableError";
  }
}

// A variable specifier keeps bundlers and the type checker from requiring packages that are optional.
const importByName = (specifier: string): Promise<unknown> => import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);

export function parseBackendName(value: string): BackendName | "auto" {
  const v = value.trim().toLowerCase();
  if (v === "auto" || v === "") return "auto";
  if ((BACKEND_NAMES as readonly string[]).includes(v)) return v as BackendName;
  throw new RangeError(`ML_BACKEND must be one of auto, ${BACKEND_NAMES.join(", ")}; got "${value}"`);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${typeof code === "string" ? `${code}: ` : ""}${error.message.split("\n")[0]}`;
  }
  return String(error);
}

async function activate(tfBackend: string): Promise<void> {
  const ok = await tf.setBackend(tfBackend);
  if (!ok || tf.getBackend() !== tfBackend) throw new Error(`tf.setBackend("${tfBackend}") failed`);
  await tf.ready();
}

/** An optional package that is simply not installed: expected, so summarised as such rather than as an error. */
function notInstalled(error: string): boolean {
  return error.startsWith("ERR_MODULE_NOT_FOUND");
}

async function start(
  name: BackendName,
  load: (specifier: string) => Promise<unknown>,
  forced: boolean,
): Promise<Omit<BackendChoice, "reason" | "fallbacks">> {
  switch (name) {
    case "tfjs-node-gpu":
    case "tfjs-node": {
      await load(name === "tfjs-node-gpu" ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node");
      // Both packages register themselves as "tensorflow" on import.
      if (tf.findBackendFactory("tensorflow") === null) throw new Error(`${name} loaded but registered no "tensorflow" backend`);
      await activate("tensorflow");
      return { name, tfBackend: "tensorflow", isGpu: name === "tfjs-node-gpu" };
    }
    case "webgpu": {
      const probe = await probeWebGpuAdapter(load === importByName ? undefined : load);
      if (!probe.ok) throw new Error(probe.reason);
      if (probe.adapter.software && !forced) {
        throw new Error(`${describeAdapter(probe.adapter)} is a software adapter, far slower than wasm (ML_BACKEND=webgpu forces it)`);
      }
      // tfjs-backend-webgpu registers itself on import only where navigator.gpu exists.
      installNavigatorGpu(probe.gpu, probe.globals);
      await load("@tensorflow/tfjs-backend-webgpu");
      if (tf.findBackendFactory("webgpu") === null) throw new Error("tfjs-backend-webgpu registered no backend");
      await activate("webgpu");
      return { name, tfBackend: "webgpu", isGpu: !probe.adapter.software, adapter: probe.adapter };
    }
    case "wasm": {
      const binaryFolder = findWasmBinaryFolder();
      if (binaryFolder !== null && tf.findBackend("wasm") === null) setWasmPaths(binaryFolder);
      registerWasmTrainingKernels();
      await activate("wasm");
      const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) === true;
      return { name, tfBackend: "wasm", isGpu: false, wasm: { simd, threads: getThreadsCount(), binaryFolder } };
    }
  }
}

export async function initBackend(options: InitBackendOptions = {}): Promise<BackendChoice> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((message: string) => console.info(message));
  const load = options.importModule ?? importByName;
  const forced = env.ML_BACKEND === undefined ? "auto" : parseBackendName(env.ML_BACKEND);

  if (forced !== "auto") {
    try {
      return { ...(await start(forced, load, true)), reason: `forced by ML_BACKEND=${forced}`, fallbacks: [] };
    } catch (error) {
      const attempt = { name: forced, error: describe(error) };
      throw new BackendUnavailableError(`ML_BACKEND=${forced} cannot start: ${attempt.error}`, [attempt]);
    }
  }

  const order = options.prefer === undefined ? DEFAULT_ORDER : [options.prefer, ...DEFAULT_ORDER.filter((n) => n !== options.prefer)];
  const fallbacks: BackendAttempt[] = [];
  for (const name of order) {
    try {
      const started = await start(name, load, false);
      const reason =
        fallbacks.length === 0
          ? options.prefer === name
            ? "preferred by caller"
            : "first in the default order"
          : `fallback after ${fallbacks.map((f) => `${f.name} (${notInstalled(f.error) ? "not installed" : f.error})`).join(", ")}`;
      const on = started.adapter ? ` on ${describeAdapter(started.adapter)}` : "";
      log(`[ml/backend] tfjs backend: ${name}${on}, ${reason}`);
      return { ...started, reason, fallbacks };
    } catch (error) {
      fallbacks.push({ name, error: describe(error) });
    }
  }
  throw new BackendUnavailableError(`no TensorFlow.js backend could start: ${fallbacks.map((f) => `${f.name}: ${f.error}`).join("; ")}`, fallbacks);
}
