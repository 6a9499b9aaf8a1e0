import { defineConfig, devices } from "@playwright/test";

const PORT = 3100;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * End-to-end tests against the production build, started exactly as `npm start` starts it, on its own embedded
 * PostgreSQL (data in .data/e2e, wiped first) and in Debian's Chromium (no browser download).
 */
export default defineConfig({
  testDir: "e2e",
  forbidOnly: Boolean(process.env.CI),
  retries: process.env.CI ? 1 : 0,
  workers: 2,
  timeout: 60_000,
  // 20 s: on 2 cores the worker scoring uploads with the 128-px model (8 passes per image) competes with the
  // server, two browsers and the tests; answers that take 1 s idle can take 10 s then.
  expect: { timeout: 20_000 },
  reporter: process.env.CI ? [["list"], ["html", { open: "never" }]] : "list",
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
      ],
    },
  },
  projects: [
    { name: "chromium", use: { ...devices["Desktop Chrome"] }, testIgnore: /retraining\.spec\.ts/ },
    // Retraining promotes and rolls back the active model, which every other spec relies on: it runs after them.
    { name: "retraining", use: { ...devices["Desktop Chrome"] }, testMatch: /retraining\.spec\.ts/, dependencies: ["chromium"] },
  ],
  webServer: {
    command: "rm -rf .data/e2e && npx tsx e2e/prepare-shared-data.ts && npx tsx e2e/build-app.ts && npm start",
    url: `http://127.0.0.1:${PORT}/login`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      DATA_DIR: ".data/e2e",
      PORT: String(PORT),
      EMBEDDED_PG_PORT: "54339",
      DERMFLAG_DEMO: "1",
      SHARED_DATA_DIR: ".data/e2e-shared",
      DATABASE_URL: "",
      // OpenID Connect against the provider e2e/oidc.spec.ts starts on this port (discovered at the first sign-in).
      OIDC_ISSUER: "http://127.0.0.1:3109",
      OIDC_CLIENT_ID: "dermflag",
      OIDC_CLIENT_SECRET: "dermflag-test-client-secret-0123456789",
      OIDC_PROVIDER_NAME: "Test Hospital IdP",
      OIDC_ROLE_CLAIM: "groups",
      OIDC_ROLE_MAP: "dermatology=DERMATOLOGIST",
      OIDC_ALLOWED_DOMAINS: "hospital.example",
    },
  },
});
