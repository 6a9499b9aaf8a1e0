/**
 * Issue 15: on a machine without a usable WebGPU adapter, Dawn's Vulkan diagnostics ("Warning: vkCreateInstance:
 * Found no drivers!" with a C++ source frame) went straight to the worker's stderr, reading as an error although the
 * CPU was simply chosen. The adapter check runs in a real child process here, with no Vulkan driver to find.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { dawnComplaint } from "./webgpu-adapter";

const PROBE = `import { probeWebGpuAdapter } from "./ml/backend/webgpu-adapter.ts";
const probe = await probeWebGpuAdapter();
process.stdout.write(JSON.stringify(probe.ok ? { ok: true } : probe));`;

describe("the WebGPU adapter check", () => {
  it("says in its reason why there is no adapter, and lets none of Dawn's diagnostics reach stderr", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", PROBE], {
      env: { ...process.env, VK_ICD_FILENAMES: "/nonexistent/no-vulkan-driver.json" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe("");
    const probe = JSON.parse(run.stdout) as { ok: boolean; reason?: string };
    expect(probe.ok).toBe(false);
    // Where the webgpu package is installed (it is a dependency), the reason carries Dawn's own first complaint.
    expect(probe.reason).toMatch(/^Dawn found no WebGPU adapter: no Vulkan driver it accepts; Dawn says: \S|not installed/);
  });

  it("keeps Dawn's message and drops its source frames", () => {
    const stderr = [
      "Warning: vkCreateInstance: Found no drivers!",
      "    at CheckVkSuccessImpl (/dawn/src/dawn/native/vulkan/VulkanError.cpp:106)",
    ].join("\n");
    expect(dawnComplaint(stderr)).toBe("vkCreateInstance: Found no drivers!");
    expect(dawnComplaint("error: XDG_RUNTIME_DIR is invalid or not set in the environment.\n")).toBeUndefined();
  });
});
