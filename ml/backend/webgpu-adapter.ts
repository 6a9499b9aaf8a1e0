/**
 * The WebGPU adapter as Dawn sees it, through the `webgpu` npm package (dawn.node, prebuilt inside its tarball).
 * Used twice: by initBackend to run tfjs-backend-webgpu on it (training), and by the ONNX engine to decide whether
 * ONNX Runtime's own WebGPU execution provider is worth trying (inference). ONNX Runtime links its own Dawn; both ask
 * Vulkan for the default adapter, so they see the same device.
 *
 * Software adapters (SwiftShader, Mesa's lavapipe/llvmpipe) are correct but run this project's models about 100x
 * slower than the CPU backends (measured: 8 images of the 128-px demo model 17 s on SwiftShader vs 0.15 s on ONNX
 * Runtime's CPU provider), so "auto" never picks one; they exist here for CI parity tests only. Dawn reports such an
 * adapter as a fallback adapter (its Vulkan physical device type is CPU); the name check covers older Dawn builds.
 *
 * Mesa's lavapipe on Debian bookworm (mesa-vulkan-drivers 22.3.6) gives no adapter at all: Dawn refuses it
 * ("Vulkan shaderUniform*ArrayDynamicIndexing required"). SwiftShader's Vulkan ICD, which Debian's chromium package
 * ships, works: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json, set before Dawn starts.
 *
 * Dawn writes its driver diagnostics straight to the process's stderr, past any logger: "error: XDG_RUNTIME_DIR is
 * invalid", "Warning: Vulkan shaderUniform*ArrayDynamicIndexing required" with a C++ source frame. On a server without
 * a usable adapter (most) the worker's log then looked as if something had failed. So the first look at the adapter
 * is taken in a short-lived child process whose output is kept: this process loads Dawn only when the child found an
 * adapter, and Dawn's complaint goes into the one reason line instead.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

/** SwiftShader's Vulkan driver as Debian's chromium package installs it: CI's WebGPU adapter (parity tests only). */
export const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

export interface WebGpuAdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation of WebGPU: never chosen unless forced. */
  software: boolean;
}

/** The parts of dawn.node used here (the package's own types would pull @webgpu/types into every program). */
export interface DawnGpu {
  requestAdapter(options?: { powerPreference?: "high-performance" | "low-power" }): Promise<DawnAdapter | null>;
}
interface DawnAdapter {
  readonly info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  readonly isFallbackAdapter?: boolean;
}
interface DawnModule {
  create(flags: string[]): DawnGpu;
  globals: Record<string, unknown>;
}

export type AdapterProbe =
  | { ok: true; gpu: DawnGpu; globals: Record<string, unknown>; adapter: WebGpuAdapterSummary }
  | { ok: false; reason: string };

const SOFTWARE_NAMES = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i;

export function summariseAdapter(adapter: DawnAdapter): WebGpuAdapterSummary {
  const info = adapter.info ?? {};
  const summary = {
    vendor: info.vendor ?? "",
    architecture: info.architecture ?? "",
    device: info.device ?? "",
    description: info.description ?? "",
  };
  const named = Object.values(summary).some((value) => SOFTWARE_NAMES.test(value));
  return { ...summary, software: info.isFallbackAdapter === true || adapter.isFallbackAdapter === true || named };
}

/** "SwiftShader driver 5.0.0 (google swiftshader, software)" */
export function describeAdapter(adapter: WebGpuAdapterSummary): string {
  const name = adapter.description || adapter.device || "unnamed adapter";
  const maker = [adapter.vendor, adapter.architecture].filter(Boolean).join(" ");
  return `${name}${maker ? ` (${maker}${adapter.software ? ", software" : ""})` : adapter.software ? " (software)" : ""}`;
}

// A variable specifier keeps bundlers and the type checker from resolving a native package at build time.
const importByName = (specifier: string): Promise<unknown> => import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);

let cached: Promise<AdapterProbe> | undefined;

/**
 * Dawn's default adapter, once per process (an adapter does not come and go while a process runs). Never throws:
 * a missing package, a missing Vulkan loader (libvulkan.so.1) or no adapter is a reason, not an error.
 */
export function probeWebGpuAdapter(load: (specifier: string) => Promise<unknown> = importByName): Promise<AdapterProbe> {
  if (load !== importByName) return probe(load);
  cached ??= probe(load);
  return cached;
}

/** Dawn's default adapter as a child process sees it: "adapter", "none" (with Dawn's first complaint) or a reason it could not tell. */
type ChildScreen = { found: true } | { found: false; reason: string };

const SCREEN_TIMEOUT_MS = 30_000;

// Run by `node --input-type=module -e`, with the webgpu package's file URL as its argument.
const SCREEN_SCRIPT = `const { create } = await import(process.argv[1]);
const adapter = await create([]).requestAdapter({ powerPreference: "high-performance" });
process.stdout.write(adapter ? "adapter" : "none");
process.exit(0);`;

/** Dawn's own warning, without its source frames: "Vulkan shaderUniform*ArrayDynamicIndexing required". */
export function dawnComplaint(stderr: string): string | undefined {
  return /^(?:Warning|Error): (.+?)\.?$/m.exec(stderr)?.[1]?.trim();
}

async function screenAdapterInChild(): Promise<ChildScreen> {
  let entry: string;
  try {
    // Resolved by Node at run time, also inside the Next.js server bundle (which must not turn it into a module id).
    entry = createRequire(import.meta.url).resolve(/* turbopackIgnore: true */ "webgpu");
  } catch {
    return { found: false, reason: "the webgpu package (Dawn) is not installed" };
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", SCREEN_SCRIPT, pathToFileURL(entry).href], {
      stdio: ["ignore", "pipe", "pipe"],
      timeout: SCREEN_TIMEOUT_MS,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", (error) => resolve({ found: false, reason: `Dawn could not start: ${firstLine(error)}` }));
    child.on("close", (code, signal) => {
      if (stdout === "adapter") return resolve({ found: true });
      const complaint = dawnComplaint(stderr);
      if (stdout === "none") {
        return resolve({ found: false, reason: `Dawn found no WebGPU adapter: no Vulkan driver it accepts${complaint ? `; Dawn says: ${complaint}` : ""}` });
      }
      const ended = signal ? `ended by ${signal}` : `exited with code ${code ?? "?"}`;
      resolve({ found: false, reason: `Dawn could not start: its check ${ended}${complaint ? ` (${complaint})` : ""}` });
    });
  });
}

async function probe(load: (specifier: string) => Promise<unknown>): Promise<AdapterProbe> {
  if (load === importByName) {
    const screen = await screenAdapterInChild();
    if (!screen.found) return { ok: false, reason: screen.reason };
  }
  let dawn: DawnModule;
  try {
    dawn = (await load("webgpu")) as DawnModule;
  } catch (error) {
    if ((error as { code?: unknown }).code === "ERR_MODULE_NOT_FOUND") return { ok: false, reason: "the webgpu package (Dawn) is not installed" };
    return { ok: false, reason: `the webgpu package (Dawn) cannot load: ${firstLine(error)}` };
  }
  try {
    const gpu = dawn.create([]);
    const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
    if (adapter === null) return { ok: false, reason: "Dawn found no WebGPU adapter: no Vulkan driver it accepts" };
    return { ok: true, gpu, globals: dawn.globals, adapter: summariseAdapter(adapter) };
  } catch (error) {
    return { ok: false, reason: `Dawn could not start: ${firstLine(error)}` };
  }
}

/**
 * Makes Dawn the page-less "browser" tfjs-backend-webgpu expects: navigator.gpu and the GPUBufferUsage-style
 * constants on globalThis. Must run before the backend is imported (it registers itself only if navigator.gpu exists).
 */
export function installNavigatorGpu(gpu: DawnGpu, globals: Record<string, unknown>): void {
  const scope = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(globals)) if (!(name in scope)) scope[name] = value;
  const navigator = scope.navigator as Record<string, unknown> | undefined;
  if (navigator === undefined) scope.navigator = { gpu };
  else if (navigator.gpu === undefined) Object.defineProperty(navigator, "gpu", { value: gpu, configurable: true });
}

function firstLine(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${typeof code === "string" ? `${code}: ` : ""}${error.message.split("\n")[0]}`;
  }
  return String(error);
}
