/**
 * What running the launcher and the worker through tsx costs (issue 16: "npm start serves compiled server code, or the
 * README says why not"). The web server is Next.js's compiled build either way; the launcher (server/runtime/start.ts)
 * and the worker (server/jobs/run-worker.ts) are TypeScript that tsx transpiles as each file is loaded, once per
 * process start, with an on-disk cache. This loads the worker's whole module graph (jobs, inference, training,
 * database, logging) in fresh Node processes three ways and reports the load time and memory of each:
 *   tsx, cache off   the first start after an install or upgrade (TSX_DISABLE_CACHE=1)
 *   tsx, cached      every later start
 *   compiled         the same graph bundled ahead of time by esbuild (what a compile step would give), packages external
 *
 *   npx tsx bench/start-cost.ts      # writes bench/results/start-cost.json
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { machineInfo, writeResults } from "./ml-bench-support";
import { quantile, REPO_ROOT } from "./load-support";

const RUNS = 7;
const ENTRY = path.join(REPO_ROOT, "server/jobs/worker.ts");

interface Sample {
  /** From starting the process to its exit once the graph is loaded: Node's start, tsx's own loading, the graph. */
  processMs: number;
  /** Inside the process, from the import to the graph being ready (leaves out Node's start and tsx's registration). */
  ms: number;
  rssMb: number;
}

function loadOnce(nodeArgs: string[], module: string, env: Record<string, string>, probe: string): Sample {
  const started = performance.now();
  const output = execFileSync(process.execPath, [...nodeArgs, probe, module], { cwd: REPO_ROOT, env: { ...process.env, ...env }, encoding: "utf8" });
  const processMs = performance.now() - started;
  const line = output.trim().split("\n").pop()!;
  return { processMs, ...(JSON.parse(line) as { ms: number; rssMb: number }) };
}

function summary(samples: Sample[]) {
  const sorted = (pick: (sample: Sample) => number) => samples.map(pick).sort((a, b) => a - b);
  const processMs = sorted((sample) => sample.processMs);
  const ms = sorted((sample) => sample.ms);
  const rss = sorted((sample) => sample.rssMb);
  return {
    process_start_to_ready_ms_p50: Math.round(quantile(processMs, 0.5)),
    process_start_to_ready_ms_min: Math.round(processMs[0]!),
    process_start_to_ready_ms_max: Math.round(processMs.at(-1)!),
    load_ms_p50: Math.round(quantile(ms, 0.5)),
    load_ms_min: Math.round(ms[0]!),
    load_ms_max: Math.round(ms.at(-1)!),
    rss_mb_p50: Math.round(quantile(rss, 0.5)),
    runs: samples.length,
  };
}

function main(): void {
  // Inside the repository, so that the bundle's package imports resolve from node_modules.
  mkdirSync(path.join(REPO_ROOT, ".data"), { recursive: true });
  const work = mkdtempSync(path.join(REPO_ROOT, ".data", "start-cost-"));
  try {
    const probe = path.join(work, "probe.mjs");
    // Time from the import to the graph being ready, and the resident memory then; exits before the worker's main runs.
    writeFileSync(
      probe,
      "const t = performance.now(); await import(process.argv[2]); console.log(JSON.stringify({ ms: performance.now() - t, rssMb: process.memoryUsage().rss / 1e6 })); process.exit(0);\n",
    );
    const bundle = path.join(work, "worker.mjs");
    execFileSync(
      path.join(REPO_ROOT, "node_modules/.bin/esbuild"),
      [ENTRY, "--bundle", "--platform=node", "--format=esm", "--packages=external", `--outfile=${bundle}`, "--log-level=warning"],
      { cwd: REPO_ROOT },
    );
    const variants = {
      tsx_cache_off: () => loadOnce(["--import", "tsx"], ENTRY, { TSX_DISABLE_CACHE: "1" }, probe),
      tsx_cached: () => loadOnce(["--import", "tsx"], ENTRY, {}, probe),
      compiled_bundle: () => loadOnce([], bundle, {}, probe),
    };
    loadOnce(["--import", "tsx"], ENTRY, {}, probe); // fills tsx's cache
    const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, [] as Sample[]]));
    // Interleaved, so that a busy moment on the machine falls on every variant alike.
    for (let run = 0; run < RUNS; run++) for (const [name, load] of Object.entries(variants)) samples[name]!.push(load());
    const result = {
      benchmark: "start-up cost of running the launcher's and worker's TypeScript through tsx (issue 16)",
      module_graph: "server/jobs/worker.ts and everything it imports (the worker's code; the launcher's graph is a subset plus the demo seed)",
      variants: Object.fromEntries(Object.entries(samples).map(([name, list]) => [name, summary(list)])),
      note: "Per process start, not per request or job: the web server runs Next.js's compiled build (.next) in every variant. process_start_to_ready is the whole cost a start pays (Node's own start and tsx's registration included); load_ms is the graph's import alone, inside the process.",
      machine: machineInfo(),
      date: new Date().toISOString(),
      command: "npx tsx bench/start-cost.ts",
    };
    console.log(JSON.stringify(result, null, 2));
    writeResults(path.join(REPO_ROOT, "bench/results/start-cost.json"), result);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
