/**
 * The launcher (`npm start`) as a real process tree: launcher, embedded PostgreSQL, worker and web server (web-cluster.mjs
 * with two server processes, each a stand-in for Next.js: launcher-stand-in.ts), killed with real signals.
 *
 * - A child killed by a signal (kill -9, the OOM killer) has a null exit code: the launcher used to wait for a code
 *   forever, with the site down and PostgreSQL up. Now it stops the rest and exits non-zero for its supervisor.
 * - A killed launcher used to leave all three behind, and the next start failed with "Start-up failed: undefined".
 *   Now the children stop themselves and the next start stops the PostgreSQL it left.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, superuserPasswordFile } from "../db/embedded-postgres";
import { APP_ROLE } from "../runtime/app-role";
import { waitFor, withinMs } from "./wait-for";

const dataDir = path.resolve(".data", `launcher-${process.pid}-${randomBytes(4).toString("hex")}`);
const postgresDir = path.join(dataDir, "postgres");
const seen = new Set<number>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie (exited, not yet reaped by whoever inherited it) holds nothing.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
  } catch {
    return false;
  }
}

const gone = (pids: number[], seconds: number) =>
  waitFor(async () => (pids.every((pid) => !alive(pid)) ? true : null), {
    seconds,
    what: () => `processes ${pids.filter(alive).join(", ")} to exit`,
    everyMs: 50,
  });

interface Launcher {
  pid: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits for the launcher's "starting" line (PostgreSQL, migrations and the app role are done, children spawned) and
   * the web server's line naming its server processes. */
  started(): Promise<{ web: number; webProcesses: number[]; worker: number; postgres: number }>;
}

async function startLauncher(ports: { web: number; postgres: number }): Promise<Launcher> {
  const child = spawn(process.execPath, ["--import", "tsx", path.resolve("server/faults/launcher-stand-in.ts")], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(ports.web),
      EMBEDDED_PG_PORT: String(ports.postgres),
      DATABASE_URL: "",
      // Two server processes behind the web server (web-cluster.mjs), whatever this machine's core count.
      WEB_PROCESSES: "2",
      DERMFLAG_DEMO: "",
      FIRST_ADMIN_EMAIL: "",
      FIRST_ADMIN_PASSWORD: "",
      AUTH_SECRET: randomBytes(48).toString("base64url"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  seen.add(child.pid!);
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  let done = false;
  void exited.then(() => (done = true));
  return {
    pid: child.pid!,
    output: () => output,
    exited,
    async started() {
      const match = await waitFor(
        async () => {
          const found = /web server pid (\d+), worker pid (\d+)/.exec(output);
          const servers = /Web server: 2 processes \(pids (\d+), (\d+)\)/.exec(output);
          if (found && servers) return [found, servers] as const;
          if (done) throw new Error(`the launcher exited before starting:\n${output}`);
          return null;
        },
        { seconds: 150, what: () => `the launcher's start; so far:\n${output}`, everyMs: 50 },
      );
      const postgres = Number.parseInt(readFileSync(path.join(postgresDir, "postmaster.pid"), "utf8").split("\n")[0]!, 10);
      const [launched, servers] = match;
      const pids = { web: Number(launched[1]), webProcesses: [Number(servers[1]), Number(servers[2])], worker: Number(launched[2]), postgres };
      for (const pid of [pids.web, ...pids.webProcesses, pids.worker, postgres]) seen.add(pid);
      return pids;
    },
  };
}

afterAll(async () => {
  // Whatever a failed test left behind: PostgreSQL gets a fast shutdown, the node processes a kill.
  const postgres = (() => {
    try {
      return Number.parseInt(readFileSync(path.join(postgresDir, "postmaster.pid"), "utf8").split("\n")[0]!, 10);
    } catch {
      return NaN;
    }
  })();
  for (const pid of seen) {
    if (!alive(pid)) continue;
    try {
      process.kill(pid, pid === postgres ? "SIGINT" : "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
  await gone([...seen], 30).catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe("the launcher's process tree under kill -9", () => {
  // Two launcher starts in all (each runs the migrations): the second test goes on with the first one's second start.
  type Tree = { launcher: Launcher; web: number; webProcesses: number[]; worker: number; postgres: number };
  let running: Tree | undefined;
  const startTree = async (ports: { web: number; postgres: number }): Promise<Tree> => {
    const launcher = await startLauncher(ports);
    return { launcher, ...(await launcher.started()) };
  };

  it("a killed launcher's children stop themselves, and the next start stops the PostgreSQL it left and starts", async () => {
    const ports = { web: await freePort(), postgres: await freePort() };
    const first = await startLauncher(ports);
    const { web, webProcesses, worker, postgres } = await first.started();
    process.kill(first.pid, "SIGKILL");
    await first.exited;

    // Re-parented, the worker and the web server notice within half a second and stop gracefully; the web server stops
    // its server processes.
    await gone([web, ...webProcesses, worker], 20);
    expect(alive(postgres)).toBe(true);

    running = await startTree(ports);
    const second = running.launcher;
    expect(second.output()).toContain(`Stopping the embedded PostgreSQL (pid ${postgres}) that a killed DermFlag process left running`);
    expect(second.output()).not.toContain("undefined");
    expect(alive(postgres)).toBe(false);
  }, 400_000);

  it("kill -9 of one web server process: the web server and the launcher stop the rest and exit non-zero", async () => {
    // Run alone (-t), it starts its own.
    const tree = running ?? (await startTree({ web: await freePort(), postgres: await freePort() }));
    const { launcher } = tree;
    expect([tree.web, ...tree.webProcesses, tree.worker, tree.postgres].every(alive)).toBe(true);

    // The worker, connected as the app's role (no DDL, no superuser), starts its queue and does its start-up sweep.
    await waitFor(async () => (/"component":"worker".*"msg":"ready"|\[worker\] ready/.test(launcher.output()) ? true : null), {
      seconds: 120,
      what: () => `the worker's start; so far:\n${launcher.output()}`,
    });
    // The app runs as its own role, with a password of its own.
    const environ = readFileSync(`/proc/${tree.worker}/environ`, "utf8").split("\0");
    const appUrl = new URL(environ.find((entry) => entry.startsWith("DATABASE_URL="))!.slice("DATABASE_URL=".length));
    expect(appUrl.username).toBe(APP_ROLE);
    expect(decodeURIComponent(appUrl.password)).not.toBe(readFileSync(superuserPasswordFile(postgresDir), "utf8").trim());

    // One of the two server processes: the other keeps the port open, so nothing but supervision would notice.
    const [killed, other] = tree.webProcesses as [number, number];
    process.kill(killed, "SIGKILL");
    const { code } = await withinMs(launcher.exited, 30_000, "the launcher's exit after a web server process was killed");
    expect(code).not.toBe(0);
    expect(launcher.output()).toContain(`Web server process ${killed} exited (killed by SIGKILL); stopping the web server.`);
    expect(launcher.output()).toContain("The web server exited (code 1); stopping DermFlag.");
    await gone([other, tree.web, tree.worker, tree.postgres], 20);
  }, 400_000);
});
