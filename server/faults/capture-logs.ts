/**
 * Everything this process logs from now on: console.* (muted) and direct writes to stdout and stderr (passed
 * through), so a test can read back exactly what an operator's log would hold.
 */
import { format } from "node:util";
import { vi } from "vitest";

export interface CapturedLogs {
  text(): string;
  restore(): void;
}

const CONSOLE_METHODS = ["log", "info", "warn", "error", "debug", "trace"] as const;

export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  const spies = CONSOLE_METHODS.map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(`console.${method}: ${format(...args)}`);
    }),
  );
  const originals = { stdout: process.stdout.write, stderr: process.stderr.write };
  for (const stream of ["stdout", "stderr"] as const) {
    const original = originals[stream];
    process[stream].write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      lines.push(`${stream}: ${typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8")}`);
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof process.stdout.write;
  }
  return {
    text: () => lines.join("\n"),
    restore() {
      for (const spy of spies) spy.mockRestore();
      process.stdout.write = originals.stdout;
      process.stderr.write = originals.stderr;
    },
  };
}
