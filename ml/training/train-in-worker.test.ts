/**
 * trainClassifier inside a worker thread, cancelled from the main thread: the way a job runner keeps training off
 * the server's event loop. The worker is bootstrapped with tsx (the repo runs TypeScript sources directly).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), "dermflag-train-worker-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const url = (file: string) => JSON.stringify(pathToFileURL(file).href);
// tsx's ESM register API (the package's "import" export of ./esm/api), by absolute path: the temp dir has no node_modules.
const tsxPackageJson = createRequire(import.meta.url).resolve("tsx/package.json");
const tsxApi = path.join(path.dirname(tsxPackageJson), "dist/esm/api/index.mjs");

describe("trainClassifier in a worker thread", () => {
  it("trains, reports progress to the main thread and stops when the main thread cancels", () => {
    writeFileSync(
      path.join(dir, "worker.mts"),
      `import { parentPort } from "node:worker_threads";
import { initBackend } from ${url(path.join(here, "../backend/index.ts"))};
import { trainClassifier } from ${url(path.join(here, "train-classifier.ts"))};
const backend = await initBackend({ env: { ML_BACKEND: "wasm" } });
const n = 128;
const x = new Float32Array(n * 28 * 28 * 3).map((_, i) => Math.sin(i * 0.37));
const y = Int32Array.from({ length: n }, (_, i) => i % 7);
const data = { train: { x, y }, val: { x, y }, model: { stageWidths: [8], convsPerStage: [1] }, batchSize: 32 };
const finished = await trainClassifier({ ...data, epochs: 2 });
parentPort.postMessage({ kind: "finished", backend: backend.name, epochs: finished.history.length });
finished.model.dispose();
const controller = new AbortController();
parentPort.on("message", () => controller.abort());
try {
  await trainClassifier({ ...data, epochs: 500, signal: controller.signal, onProgress: (e) => parentPort.postMessage({ kind: "progress", batch: e.batch }) });
  parentPort.postMessage({ kind: "not-cancelled" });
} catch (error) {
  parentPort.postMessage({ kind: "cancelled", name: error.name });
}
process.exit(0);
`,
    );
    writeFileSync(path.join(dir, "boot.mjs"), `import { register } from ${url(tsxApi)};\nregister();\nawait import("./worker.mts");\n`);
    writeFileSync(
      path.join(dir, "main.mjs"),
      `import { Worker } from "node:worker_threads";
const worker = new Worker(new URL("./boot.mjs", import.meta.url));
const seen = [];
let progress = 0;
worker.on("message", (m) => {
  seen.push(m.kind === "progress" ? "progress" : JSON.stringify(m));
  if (m.kind === "progress" && ++progress === 3) worker.postMessage("cancel");
  if (m.kind === "cancelled" || m.kind === "not-cancelled") console.log(JSON.stringify({ seen: [...new Set(seen)], progress }));
});
worker.on("error", (e) => { console.error(e); process.exit(1); });
`,
    );
    const run = spawnSync(process.execPath, [path.join(dir, "main.mjs")], { cwd: path.join(here, "../.."), encoding: "utf8", timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { seen: string[]; progress: number };
    expect(report.seen).toContain(JSON.stringify({ kind: "finished", backend: "wasm", epochs: 2 }));
    expect(report.seen).toContain(JSON.stringify({ kind: "cancelled", name: "AbortError" }));
    // Cancelled within a few batches of the request (500 epochs x 4 batches were planned).
    expect(report.progress).toBeLessThan(10);
  }, 60_000);
});
