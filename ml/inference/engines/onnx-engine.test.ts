/**
 * How the ONNX engine picks its device. The WebGPU numbers themselves are checked on SwiftShader in
 * ml/backend/webgpu-parity.test.ts; here the adapter check is injected so that no test depends on a GPU.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { AdapterProbe, WebGpuAdapterSummary } from "../../backend/webgpu-adapter";
import { readModelDirectory, type VerifiedModel } from "../../store/read-model";
import { INFERENCE_DEVICES, parseInferenceDevice } from "./engine";
import { createOnnxEngine } from "./onnx-engine";

const demoModelDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../pretrained/v20261205-064832-s0");
let model: VerifiedModel;
beforeAll(() => {
  model = readModelDirectory(demoModelDir);
});

const adapter = (overrides: Partial<WebGpuAdapterSummary>): AdapterProbe => ({
  ok: true,
  gpu: { requestAdapter: async () => null },
  globals: {},
  adapter: { vendor: "google", architecture: "swiftshader", device: "swiftshader-device", description: "SwiftShader driver 5.0.0", software: true, ...overrides },
});

describe("createOnnxEngine device choice", () => {
  it("auto never runs on a software adapter: CPU, with the adapter named in the reason, announced once", async () => {
    const logs: string[] = [];
    let probed = 0;
    const probeAdapter = async () => {
      probed++;
      return adapter({});
    };
    const engine = await createOnnxEngine(model.artifacts, { device: "auto", probeAdapter, log: (m) => logs.push(m) });
    expect(probed).toBe(1);
    expect(engine.backend).toMatch(/^onnxruntime-node@\d+\.\d+\.\d+\/cpu$/);
    expect(engine.reason).toMatch(/SwiftShader driver 5\.0\.0 .*software adapter/);
    const again = await createOnnxEngine(model.artifacts, { device: "auto", probeAdapter, log: (m) => logs.push(m) });
    // Said once per process, not once per model version loaded (the first test of this file, so the first engine).
    expect(logs).toEqual([`[ml/inference] ${engine.backend}: ${engine.reason}`]);
    await Promise.all([engine.dispose(), again.dispose()]);
  });

  it("auto without an adapter runs on the CPU and says why; cpu never asks for one", async () => {
    const none = await createOnnxEngine(model.artifacts, {
      device: "auto",
      probeAdapter: async () => ({ ok: false, reason: "Dawn found no WebGPU adapter" }),
      log: () => {},
    });
    expect(none.backend).toMatch(/\/cpu$/);
    expect(none.reason).toBe("auto: no WebGPU (Dawn found no WebGPU adapter)");
    const cpu = await createOnnxEngine(model.artifacts, {
      device: "cpu",
      probeAdapter: () => Promise.reject(new Error("must not be asked")),
      log: () => {},
    });
    expect(cpu.reason).toBe("INFERENCE_DEVICE=cpu");
    await Promise.all([none.dispose(), cpu.dispose()]);
  });

  it("auto on a hardware adapter tries ONNX Runtime's WebGPU provider and keeps it only when it is faster", async () => {
    // Here ONNX Runtime's own Dawn finds no adapter (no GPU, and bookworm's lavapipe is refused), so this takes the
    // did-not-start branch; on a GPU machine it calibrates. Either way the reason says what happened.
    const engine = await createOnnxEngine(model.artifacts, {
      device: "auto",
      probeAdapter: async () => adapter({ vendor: "nvidia", architecture: "hopper", description: "NVIDIA H100", software: false }),
      log: () => {},
    });
    expect(engine.reason).toMatch(/did not start on NVIDIA H100|batch .* ms on WebGPU vs .* ms on the CPU/);
    const out = await engine.run(new Float32Array(128 * 128 * 3), 1);
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    await engine.dispose();
  });

  it("INFERENCE_DEVICE values (server/env.ts validates the same list at start)", () => {
    for (const device of INFERENCE_DEVICES) expect(parseInferenceDevice(` ${device.toUpperCase()} `)).toBe(device);
    expect(parseInferenceDevice(undefined)).toBe("auto");
    expect(() => parseInferenceDevice("cuda")).toThrow(/INFERENCE_DEVICE must be one of auto, webgpu, cpu/);
  });
});
