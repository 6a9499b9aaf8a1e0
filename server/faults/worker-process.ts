/**
 * A real worker process (`npm run worker`'s entry, server/jobs/run-worker.ts) for fault tests, with everything it
 * writes to stdout and stderr kept, so a test can wait for a line, read the logs, or kill it like an OOM killer would.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { waitFor } from "./wait-for";

export interface WorkerDirs {
  databaseUrl: string;
  /** DATA_DIR: where the worker keeps local state. */
  dataDir: string;
  imageStoreDir: string;
  modelStoreDir: string;
  /** SHARED_DATA_DIR: the import root (imports launched from the admin page read data sets from here). */
  sharedDataDir?: string;
}

export interface WorkerProcess {
  child: ChildProcess;
  /** stdout and stderr, interleaved as they arrived. */
  output(): string;
  /** Resolves when the process has exited (with its code, or the signal that ended it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForOutput(pattern: RegExp, seconds: number): Promise<void>;
  /** kill -9 of the worker and anything it started (its own process group). */
  killHard(): void;
  /** SIGTERM: the worker's own graceful stop. */
  stop(): Promise<void>;
}

export function startWorkerProcess(dirs: WorkerDirs): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", path.resolve("server/jobs/run-worker.ts")], {
    env: {
      ...process.env,
      DATABASE_URL: dirs.databaseUrl,
      DATA_DIR: dirs.dataDir,
      IMAGE_STORE_DIR: dirs.imageStoreDir,
      MODEL_STORE_DIR: dirs.modelStoreDir,
      SHARED_DATA_DIR: dirs.sharedDataDir ?? path.join(dirs.dataDir, "shared"),
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so that a hard kill takes anything it started with it.
    detached: true,
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const killHard = () => {
    if (gone || !child.pid) return;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  return {
    child,
    output: () => output,
    exited,
    async waitForOutput(pattern, seconds) {
      await waitFor(
        async () => {
          if (pattern.test(output)) return true;
          if (gone) throw new Error(`the worker exited before writing ${pattern}:\n${output}`);
          return null;
        },
        { seconds, what: () => `worker output ${pattern}; so far:\n${output}` },
      );
    },
    killHard,
    async stop() {
      if (gone) return;
      child.kill("SIGTERM");
      // Its graceful stop waits up to 10 s for running jobs; past that, it is stuck.
      const timer = setTimeout(killHard, 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
