/**
 * `npm start`: the one process an operator runs. It validates the configuration, provides the database (embedded
 * PostgreSQL unless DATABASE_URL is set), applies the committed migrations, bootstraps the first admin and the demo
 * data when asked, then runs the Next.js server and the background worker as child processes, connected as the
 * app's own database role (app-role.ts), and stops everything cleanly on SIGINT/SIGTERM.
 *
 * When a child dies however it dies (an exit, kill -9, the OOM killer), the launcher stops the other child and the
 * database and exits non-zero, so a supervisor (systemd Restart=on-failure, a container restart policy) starts all
 * of it again. It does not restart the child itself: a crash loop should be seen and stop, not hide in here. If the
 * launcher itself is killed, its children stop themselves (exit-with-launcher.mjs) and the next start stops the
 * PostgreSQL it left behind (embedded-postgres.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createPrismaClient } from "../db/client";
import { env as loadEnv, InvalidEnvironmentError, type Env } from "../env";
import { ensureFirstAdmin } from "./first-admin";
import { appDatabaseUrl, applyMigrations, provideDatabase } from "./database";
import { resolveAuthSecret } from "./secrets";
import { seedDemo } from "../../prisma/seed-demo";

const log = (line: string) => console.log(`[dermflag] ${line}`);
/** How long a child may take over its graceful stop (the worker waits up to 10 s for running jobs) before SIGKILL. */
const CHILD_STOP_GRACE_MS = 30_000;

const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Never "undefined": embedded-postgres and others have rejected with nothing at all. */
function describeError(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  if (error === undefined || error === null || error === "") return "unknown error (no message; see the lines above)";
  return String(error);
}

export interface LauncherOptions {
  /** One web server process: its script and arguments (WEB_PROCESSES of them run); throws when it cannot run (no build). */
  webServer(env: Env): string[];
}

/** Next.js's production server. */
function nextWebServer(env: Env): string[] {
  if (!existsSync(path.resolve(".next/BUILD_ID"))) {
    throw new Error("No production build found: run `npm run build` first (`npm run demo` does both).");
  }
  return [path.resolve("node_modules/next/dist/bin/next"), "start", "--port", String(env.PORT), "--hostname", "127.0.0.1"];
}

async function main(options: LauncherOptions) {
  const env = loadEnv();
  const authSecret = resolveAuthSecret(env);
  const webServerArgs = options.webServer(env);

  const database = await provideDatabase(env, log);
  const children: { next?: ChildProcess; worker?: ChildProcess } = {};
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    // A child that already died (by a signal too: its exitCode stays null) is not waited for.
    const running = [children.next, children.worker].filter((child): child is ChildProcess => !!child && !hasExited(child));
    await Promise.all(
      running.map(
        (child) =>
          new Promise<void>((resolve) => {
            const kill = setTimeout(() => child.kill("SIGKILL"), CHILD_STOP_GRACE_MS);
            child.once("exit", () => {
              clearTimeout(kill);
              resolve();
            });
            child.kill("SIGTERM");
          }),
      ),
    );
    await database.embedded?.stop().catch(() => {});
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  void database.embedded?.died.then(({ code, signal }) => {
    if (stopping) return;
    console.error(`[dermflag] The embedded PostgreSQL exited (${signal ? `killed by ${signal}` : `code ${code}`}); stopping DermFlag.`);
    void stop(1);
  });
  const watch = (child: ChildProcess, name: string) => {
    child.on("error", (error) => {
      if (stopping) return;
      console.error(`[dermflag] The ${name} could not be started: ${error.message}`);
      void stop(1);
    });
    child.on("exit", (code, signal) => {
      if (stopping) return;
      console.error(`[dermflag] The ${name} exited (${signal ? `killed by ${signal}` : `code ${code}`}); stopping DermFlag.`);
      // Non-zero even for an exit 0 nobody asked for, so that a supervisor restarts it.
      void stop(code || 1);
    });
  };

  let appUrl: string;
  try {
    log("Applying database migrations…");
    await applyMigrations(database.url);
    const db = createPrismaClient(database.url, { max: 2 });
    try {
      await ensureFirstAdmin(db, env, log);
      if (env.DERMFLAG_DEMO && (await db.user.count()) === 0) {
        log("Empty database in demo mode: seeding demo users and data…");
        await seedDemo({ db, sharedDataDir: env.SHARED_DATA_DIR, imageStoreDir: env.IMAGE_STORE_DIR, modelStoreDir: env.MODEL_STORE_DIR, log });
      }
    } finally {
      await db.$disconnect();
    }
    appUrl = await appDatabaseUrl(env, database);
  } catch (error) {
    console.error(`[dermflag] Start-up failed: ${describeError(error)}`);
    await stop(1);
    return;
  }

  const childEnv = {
    ...process.env,
    DATABASE_URL: appUrl,
    AUTH_SECRET: authSecret,
    NODE_ENV: "production",
    DERMFLAG_LAUNCHER_PID: String(process.pid),
  } as const;
  const exitWithLauncher = pathToFileURL(path.resolve("server/runtime/exit-with-launcher.mjs")).href;
  const worker = spawn(process.execPath, ["--import", "tsx", "--import", exitWithLauncher, path.resolve("server/jobs/run-worker.ts")], {
    stdio: "inherit",
    env: childEnv,
  });
  children.worker = worker;
  watch(worker, "background worker");

  // One web server child, which runs WEB_PROCESSES server processes on the one port (web-cluster.mjs).
  const webCluster = path.resolve("server/runtime/web-cluster.mjs");
  const nextServer = spawn(process.execPath, ["--import", exitWithLauncher, webCluster, String(env.WEB_PROCESSES), ...webServerArgs], {
    stdio: "inherit",
    env: childEnv,
  });
  children.next = nextServer;
  watch(nextServer, "web server");
  log(`DermFlag is starting on http://localhost:${env.PORT} (web server pid ${nextServer.pid}, worker pid ${worker.pid})`);
}

/** Runs the launcher in this process. `npm start` runs it with Next.js's server; the launcher's process tests
 * (server/faults/launcher.test.ts) with a stand-in, since the unit tests run before any production build exists. */
export function runLauncher(options: LauncherOptions): void {
  main(options).catch((error: unknown) => {
    if (error instanceof InvalidEnvironmentError) {
      console.error(`[dermflag] ${error.message}`);
    } else {
      console.error(`[dermflag] Start-up failed: ${describeError(error)}`);
    }
    process.exit(1);
  });
}

// Real paths on both sides: Node resolves symlinks in import.meta.url, not in argv (an install under a linked folder).
if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  runLauncher({ webServer: nextWebServer });
}
