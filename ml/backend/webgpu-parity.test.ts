/**
 * The WebGPU path, exercised without a GPU: SwiftShader's software Vulkan (shipped by Debian's chromium package,
 * which CI installs for Playwright anyway) gives Dawn an adapter. Mesa's lavapipe would not do: Dawn refuses the
 * bookworm build (see webgpu-adapter.ts). The checks run in a child process because Dawn picks its Vulkan driver
 * from VK_ICD_FILENAMES once, when it starts (ml/backend/webgpu-parity-check.ts).
 *
 * In CI (CI set) a missing ICD or Vulkan loader is a failure, so the GPU path cannot silently stop being tested;
 * elsewhere the test is skipped with the reason printed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { ParityReport } from "./webgpu-parity-check";
import { SWIFTSHADER_ICD } from "./webgpu-adapter";
const CHECK_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "webgpu-parity-check.ts");

/** Same arithmetic, different summation order on the GPU: far below any clinical threshold, far above float noise. */
const PROBABILITY_TOLERANCE = 1e-4;
const FEATURE_TOLERANCE = 1e-3;
/** Per training step, relative to the loss (measured: within 2e-7). */
const LOSS_TOLERANCE = 1e-3;

function vulkanLoaderPresent(): boolean {
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? "").split(":").filter(Boolean),
    `/usr/lib/${process.arch === "arm64" ? "aarch64" : "x86_64"}-linux-gnu`,
    "/usr/lib64",
    "/usr/lib",
  ];
  return dirs.some((dir) => existsSync(path.join(dir, "libvulkan.so.1")));
}

const missing = [
  ...(existsSync(SWIFTSHADER_ICD) ? [] : [`SwiftShader's Vulkan driver ${SWIFTSHADER_ICD} (Debian package chromium)`]),
  ...(vulkanLoaderPresent() ? [] : ["the Vulkan loader libvulkan.so.1 (Debian package libvulkan1)"]),
];
const inCi = process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false" && process.env.CI !== "0";
const skip = missing.length > 0 && !inCi;
if (skip) console.warn(`[webgpu-parity] skipped outside CI: missing ${missing.join(" and ")}`);

const runtimeDir = mkdtempSync(path.join(tmpdir(), "dermflag-vk-"));
afterAll(() => rmSync(runtimeDir, { recursive: true, force: true }));

describe.skipIf(skip)("WebGPU parity on SwiftShader (demo model inference, a short training)", () => {
  it("ONNX Runtime's WebGPU provider equals its CPU provider on real images; tfjs-backend-webgpu trains like wasm", () => {
    if (missing.length > 0) {
      throw new Error(`The WebGPU parity test cannot run: missing ${missing.join(" and ")}. .ci/run installs both (apt-get install chromium libvulkan1).`);
    }
    const { ML_BACKEND: _forcedTraining, INFERENCE_DEVICE: _forcedInference, ...inherited } = process.env;
    const child = spawnSync(process.execPath, ["--import", "tsx", CHECK_SCRIPT], {
      encoding: "utf8",
      // The Vulkan loader wants a runtime dir (it only warns without one); the ICD must be set before Dawn starts.
      env: { ...inherited, VK_ICD_FILENAMES: SWIFTSHADER_ICD, XDG_RUNTIME_DIR: runtimeDir },
      timeout: 170_000,
    });
    const last = child.stdout.trim().split("\n").at(-1) ?? "";
    if (child.status !== 0) throw new Error(`parity check exited ${child.status ?? child.signal}: ${last}\n${child.stderr.slice(-2000)}`);
    const report = JSON.parse(last) as ParityReport;
    console.info(
      `[webgpu-parity] ${report.adapter?.description}: inference ${report.inference.images.length} images ${report.inference.webgpuMs.toFixed(0)} ms vs cpu ${report.inference.cpuMs.toFixed(0)} ms, ` +
        `max |diff| ${report.inference.maxAbsDiffProbabilities.toExponential(1)}; training ${report.training.webgpuMs.toFixed(0)} ms vs wasm ${report.training.wasmMs.toFixed(0)} ms`,
    );

    expect(report.adapter).toMatchObject({ software: true });
    expect(report.inference.backends).toEqual([expect.stringMatching(/^onnxruntime-node@[\d.]+\/cpu$/), expect.stringMatching(/^onnxruntime-node@[\d.]+\/webgpu$/)]);
    expect(report.inference.images.length).toBeGreaterThanOrEqual(2);
    for (const row of report.inference.probabilities) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(report.inference.maxAbsDiffProbabilities).toBeLessThanOrEqual(PROBABILITY_TOLERANCE);
    expect(report.inference.maxAbsDiffFeatures).toBeLessThanOrEqual(FEATURE_TOLERANCE);

    const { webgpuLosses, wasmLosses } = report.training;
    expect(report.training.backends[0]).toMatch(/^tfjs\/webgpu /);
    expect(report.training.backends[1]).toMatch(/^tfjs\/wasm /);
    expect(webgpuLosses.length).toBeGreaterThanOrEqual(4);
    expect(webgpuLosses).toHaveLength(wasmLosses.length);
    webgpuLosses.forEach((loss, step) => expect(Math.abs(loss - wasmLosses[step]!)).toBeLessThanOrEqual(LOSS_TOLERANCE * Math.max(1, Math.abs(loss))));
    expect(webgpuLosses.at(-1)!).toBeLessThan(webgpuLosses[0]!);
  }, 180_000);
});
