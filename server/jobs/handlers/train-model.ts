/**
 * The worker's side of a training run: starts the training process (server/jobs/training-process.ts) and waits for
 * it. Whatever way that process ends, the run does not stay "running": if it died without recording an outcome, the
 * run is marked failed here.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Db } from "../../db/client";
import { trainModelPayload } from "../queues";

const TRAINING_PROCESS = fileURLToPath(new URL("../training-process.ts", import.meta.url));
const running = new Set<ChildProcess>();

export async function handleTrainModel(options: { db: Db; databaseUrl: string; data: unknown; log: (line: string) => void }): Promise<void> {
  const { db, log } = options;
  const { trainingRunId } = trainModelPayload.parse(options.data);
  const child = spawn(process.execPath, ["--import", "tsx", TRAINING_PROCESS, trainingRunId], {
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    env: { ...process.env, DATABASE_URL: options.databaseUrl },
  });
  running.add(child);
  let lastError = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    for (const line of chunk.split("\n").filter(Boolean)) log(line);
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    const lines = chunk.split("\n").filter(Boolean);
    lastError = lines.at(-1) ?? lastError;
    for (const line of lines) log(`[training stderr] ${line}`);
  });
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
    child.on("error", (error) => {
      lastError = error.message;
      resolve({ code: null, signal: null });
    });
  });
  running.delete(child);
  const failed = await db.trainingRun.updateMany({
    where: { id: trainingRunId, status: { in: ["QUEUED", "RUNNING"] } },
    data: {
      status: "FAILED",
      finishedAt: new Date(),
      error: `The training process ended without recording an outcome (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`})${lastError ? `: ${lastError.slice(0, 500)}` : ""}.`,
      message: "Training failed; the active model is unchanged.",
    },
  });
  if (failed.count > 0) log(`training run ${trainingRunId} marked failed: its process ended without an outcome`);
}

/** Asks running training processes to stop (the worker is shutting down); they mark their runs failed. */
export function stopTrainingProcesses(): void {
  for (const child of running) child.kill("SIGTERM");
}
