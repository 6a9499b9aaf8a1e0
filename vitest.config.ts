import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("./", import.meta.url)) } },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "e2e/**", ".next/**", ".data/**"],
    environment: "node",
    // Integration tests share one PostgreSQL started in globalSetup; each test file gets its own database.
    globalSetup: ["./server/testing/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // vitest defaults to cores - 1 workers: one on CI's 2 cores. Most test time waits on PostgreSQL and child
    // processes, so two files at once use the machine better.
    maxWorkers: 2,
  },
});
