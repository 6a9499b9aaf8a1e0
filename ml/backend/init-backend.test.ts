import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { BackendUnavailableError, DEFAULT_ORDER, initBackend, parseBackendName, type BackendName } from "./init-backend";
import { wasmTrainingKernelsRegistered } from "./wasm-gradients/register";

const missing = (specifier: string) => Object.assign(new Error(`Cannot find package '${specifier}'`), { code: "ERR_MODULE_NOT_FOUND" });
/** A loader for which no optional package is installed. */
const nothingInstalled = async (specifier: string): Promise<unknown> => {
  throw missing(specifier);
};

const PACKAGE_OF: Record<BackendName, string> = {
  "tfjs-node-gpu": "@tensorflow/tfjs-node-gpu",
  "tfjs-node": "@tensorflow/tfjs-node",
  webgpu: "webgpu",
  wasm: "@tensorflow/tfjs-backend-wasm",
};
const TFJS_BACKEND_OF: Record<BackendName, string> = { "tfjs-node-gpu": "tensorflow", "tfjs-node": "tensorflow", webgpu: "webgpu", wasm: "wasm" };
const installed = (specifier: string): boolean => {
  try {
    createRequire(import.meta.url).resolve(specifier);
    return true;
  } catch {
    return false;
  }
};

afterEach(async () => {
  if (tf.findBackendFactory("tensorflow") !== null) tf.removeBackend("tensorflow");
  await tf.setBackend("wasm");
});

describe("initBackend", () => {
  it("falls back from a missing tfjs-node-gpu, tfjs-node and webgpu to wasm, saying why in one line", async () => {
    const logs: string[] = [];
    const tried: string[] = [];
    const choice = await initBackend({
      env: {},
      log: (m) => logs.push(m),
      importModule: async (specifier) => {
        tried.push(specifier);
        return nothingInstalled(specifier);
      },
    });
    expect(tried).toEqual(["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node", "webgpu"]);
    expect(choice.name).toBe("wasm");
    expect(choice.isGpu).toBe(false);
    expect(choice.fallbacks.map((f) => f.name)).toEqual(["tfjs-node-gpu", "tfjs-node", "webgpu"]);
    expect(choice.fallbacks[0]!.error).toContain("ERR_MODULE_NOT_FOUND");
    expect(choice.reason).toMatch(/^fallback after tfjs-node-gpu \(not installed\), tfjs-node \(not installed\), webgpu \(the webgpu package \(Dawn\) is not installed\)$/);
    // One line, and no module-not-found noise for optional packages that are simply not installed.
    expect(logs).toEqual([`[ml/backend] tfjs backend: wasm, ${choice.reason}`]);
    expect(logs[0]).not.toContain("ERR_MODULE_NOT_FOUND");
    expect(tf.getBackend()).toBe("wasm");
    expect(wasmTrainingKernelsRegistered()).toBe(true);
  });

  it("with the real loader, takes the first backend in order that starts and says why it passed over each before it", async () => {
    // Whatever this machine has (a GPU package, a hardware adapter or neither), the same rule must hold: the test never
    // asserts one machine's answer, so it can pass and fail on any machine.
    const choice = await initBackend({ env: {}, log: () => {} });
    expect(DEFAULT_ORDER).toContain(choice.name);
    expect(choice.fallbacks.map((f) => f.name)).toEqual(DEFAULT_ORDER.slice(0, DEFAULT_ORDER.indexOf(choice.name)));
    for (const fallback of choice.fallbacks) {
      // A package that is not installed is said to be so; an installed one that failed says why.
      expect(fallback.error).toMatch(installed(PACKAGE_OF[fallback.name]) ? /\S/ : /not installed|MODULE_NOT_FOUND/);
    }
    expect(tf.getBackend()).toBe(TFJS_BACKEND_OF[choice.name]);
    if (choice.name === "wasm") {
      expect(choice.wasm).toMatchObject({ simd: true, threads: 1 });
      expect(choice.wasm?.binaryFolder).toMatch(/tfjs-backend-wasm/);
    }
  });

  it("auto skips a software WebGPU adapter (SwiftShader, lavapipe): correct but ~100x slower than wasm", async () => {
    const tried: string[] = [];
    const softwareDawn = {
      globals: {},
      create: () => ({
        requestAdapter: async () => ({ info: { vendor: "google", architecture: "swiftshader", description: "SwiftShader driver 5.0.0", isFallbackAdapter: true } }),
      }),
    };
    const choice = await initBackend({
      env: {},
      log: () => {},
      importModule: async (specifier) => {
        tried.push(specifier);
        if (specifier === "webgpu") return softwareDawn;
        throw missing(specifier);
      },
    });
    expect(choice.name).toBe("wasm");
    expect(choice.fallbacks[2]).toEqual({ name: "webgpu", error: expect.stringMatching(/^SwiftShader driver 5\.0\.0 \(google swiftshader, software\) is a software adapter/) });
    // Refused before tfjs-backend-webgpu is imported: navigator.gpu is never set to a software adapter.
    expect(tried).not.toContain("@tensorflow/tfjs-backend-webgpu");
  });

  it("uses tfjs-node when it loads and registers its backend", async () => {
    const choice = await initBackend({
      env: {},
      log: () => {},
      importModule: async (specifier) => {
        if (specifier !== "@tensorflow/tfjs-node") throw missing(specifier);
        // Stand-in for the native package: registers a "tensorflow" backend as tfjs-node does on import.
        tf.registerBackend("tensorflow", tf.findBackendFactory("cpu")!);
        return {};
      },
    });
    expect(choice).toMatchObject({ name: "tfjs-node", tfBackend: "tensorflow", isGpu: false });
    expect(choice.fallbacks.map((f) => f.name)).toEqual(["tfjs-node-gpu"]);
    expect(tf.getBackend()).toBe("tensorflow");
  });

  it("ML_BACKEND forces a backend and skips the others", async () => {
    const tried: string[] = [];
    const choice = await initBackend({
      env: { ML_BACKEND: "wasm" },
      importModule: async (s) => {
        tried.push(s);
        return {};
      },
    });
    expect(choice).toMatchObject({ name: "wasm", reason: "forced by ML_BACKEND=wasm", fallbacks: [] });
    expect(tried).toEqual([]);
  });

  it("a forced backend that cannot start is an error naming it, not a silent fallback", async () => {
    const run = initBackend({ env: { ML_BACKEND: "tfjs-node-gpu" }, importModule: nothingInstalled });
    await expect(run).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(initBackend({ env: { ML_BACKEND: "tfjs-node-gpu" }, importModule: nothingInstalled })).rejects.toThrow(
      /ML_BACKEND=tfjs-node-gpu cannot start: ERR_MODULE_NOT_FOUND/,
    );
    await expect(initBackend({ env: { ML_BACKEND: "webgpu" }, importModule: nothingInstalled })).rejects.toThrow(/webgpu/);
  });

  it("prefer tries the preferred backend first, then the default order", async () => {
    const tried: string[] = [];
    const choice = await initBackend({
      env: { ML_BACKEND: "auto" },
      prefer: "webgpu",
      log: () => {},
      importModule: async (s) => {
        tried.push(s);
        throw missing(s);
      },
    });
    expect(tried).toEqual(["webgpu", "@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]);
    expect(choice.name).toBe("wasm");
    const direct = await initBackend({ env: {}, prefer: "wasm", importModule: nothingInstalled });
    expect(direct).toMatchObject({ name: "wasm", reason: "preferred by caller", fallbacks: [] });
  });

  it("rejects unknown ML_BACKEND values", async () => {
    expect(parseBackendName(" WASM ")).toBe("wasm");
    expect(parseBackendName("auto")).toBe("auto");
    expect(() => parseBackendName("cpu")).toThrow(/ML_BACKEND must be one of/);
    await expect(initBackend({ env: { ML_BACKEND: "cpu" } })).rejects.toThrow(RangeError);
  });
});
