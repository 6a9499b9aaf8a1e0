/**
 * `npm start`: the one process an operator runs. It validates the configuration, provides the database (embedded
 * PostgreSQL unless DATABASE_URL is set), applies the committed migrations, bootstraps the first admin and the demo
 * data when asked, then runs the Next.js server as a child process and stops everything cleanly on SIGINT/SIGTERM.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { createPrismaClient } from "../db/client";
import { env as loadEnv, InvalidEnvironmentError } from "../env";
import { ensureFirstAdmin } from "./first-admin";
import { applyMigrations, provideDatabase } from "./database";
import { resolveAuthSecret } from "./secrets";
import { seedDemo } from "../../prisma/seed-demo";

const log = (line: string) => console.log(`[dermflag] ${line}`);

async function main() {
  const env = loadEnv();
  const authSecret = resolveAuthSecret(env);
  if (!existsSync(path.resolve(".next/BUILD_ID"))) {
    throw new Error("No production build found: run `npm run build` first (`npm run demo` does both).");
  }

  const database = await provideDatabase(env, log);
  const children: { next?: ChildProcess; worker?: ChildProcess } = {};
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    children.next?.kill("SIGTERM");
    children.worker?.kill("SIGTERM");
    await Promise.all(
      [children.next, children.worker].map(
        (child) => new Promise((resolve) => (!child || child.exitCode !== null ? resolve(null) : child.once("exit", resolve))),
      ),
    );
    await database.embedded?.stop().catch(() => {});
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));

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
  } catch (error) {
    console.error(`[dermflag] Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
    await stop(1);
    return;
  }

  const childEnv = { ...process.env, DATABASE_URL: database.url, AUTH_SECRET: authSecret, NODE_ENV: "production" } as const;
  const worker = spawn(process.execPath, ["--import", "tsx", path.resolve("server/jobs/run-worker.ts")], {
    stdio: "inherit",
    env: childEnv,
  });
  children.worker = worker;
  worker.on("exit", (code) => {
    if (!stopping) {
      console.error(`[dermflag] The background worker exited (code ${code}).`);
      void stop(code ?? 1);
    }
  });

  const nextBin = path.resolve("node_modules/next/dist/bin/next");
  const nextServer = spawn(process.execPath, [nextBin, "start", "--port", String(env.PORT), "--hostname", "127.0.0.1"], {
    stdio: "inherit",
    env: childEnv,
  });
  children.next = nextServer;
  nextServer.on("exit", (code) => {
    if (!stopping) {
      console.error(`[dermflag] The web server exited (code ${code}).`);
      void stop(code ?? 1);
    }
  });
  log(`DermFlag is starting on http://localhost:${env.PORT}`);
}

main().catch((error: unknown) => {
  if (error instanceof InvalidEnvironmentError) {
    console.error(`[dermflag] ${error.message}`);
  } else {
    console.error(`[dermflag] Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
