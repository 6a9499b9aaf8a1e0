/**
 * The web server as several processes on one port (issue 17): one Next.js server process is one core, and a
 * reviewer's queue page is thirty requests. The launcher (start.ts) runs this file as its one "web server" child;
 * it forks WEB_PROCESSES copies of the given server script with Node's cluster module, which listens once and hands
 * each new connection to the next process in turn. Everything the processes share lives in PostgreSQL (sessions are
 * tokens, the sign-in limiter and the audit are tables), so any process can answer any request.
 *
 *   node web-cluster.mjs <processes> <server script> [server arguments...]
 *
 * Supervision follows the launcher's rule: when one server process dies however it dies, this process stops the
 * others and exits non-zero, and the launcher then stops everything for the supervisor to restart. On SIGTERM or
 * SIGINT it stops the server processes gracefully (SIGTERM each, SIGKILL after the grace period) and exits 0. If this
 * process itself is killed, the server processes lose their IPC channel and Node's cluster module exits them.
 */
import cluster from "node:cluster";

const [count, script, ...scriptArgs] = process.argv.slice(2);
const processes = Number(count);
if (!Number.isInteger(processes) || processes < 1 || !script) {
  console.error("[dermflag] web-cluster: usage: web-cluster.mjs <processes >= 1> <server script> [arguments...]");
  process.exit(2);
}

/** Longer than Next.js takes to finish its requests in flight; then SIGKILL. */
const STOP_GRACE_MS = 20_000;
let stopping = false;

// The server processes are this process's children, not the launcher's: exit-with-launcher.mjs (preloaded here)
// watches the launcher for this process only, so execArgv is cleared for them.
cluster.setupPrimary({ exec: script, args: scriptArgs, execArgv: [] });

function stopAll(code) {
  if (stopping) return;
  stopping = true;
  const running = Object.values(cluster.workers ?? {}).filter((worker) => worker && !worker.isDead());
  if (running.length === 0) process.exit(code);
  let left = running.length;
  const kill = setTimeout(() => running.forEach((worker) => worker.process.kill("SIGKILL")), STOP_GRACE_MS);
  for (const worker of running) {
    worker.once("exit", () => {
      left -= 1;
      if (left === 0) {
        clearTimeout(kill);
        process.exit(code);
      }
    });
    worker.process.kill("SIGTERM");
  }
}

cluster.on("exit", (worker, code, signal) => {
  if (stopping) return;
  console.error(
    `[dermflag] Web server process ${worker.process.pid} exited (${signal ? `killed by ${signal}` : `code ${code}`}); stopping the web server.`,
  );
  stopAll(1);
});
process.on("SIGTERM", () => stopAll(0));
process.on("SIGINT", () => stopAll(0));

const pids = [];
for (let index = 0; index < processes; index += 1) pids.push(cluster.fork().process.pid);
console.log(`[dermflag] Web server: ${processes} process${processes === 1 ? "" : "es"} (pids ${pids.join(", ")})`);
