/**
 * OpenID Connect sign-in in the browser: the app's "Sign in with ..." button, the real provider's own login and
 * consent pages (oidc-provider on loopback, started here), and back into DermFlag. The server's OIDC_* settings in
 * playwright.config.ts point at this provider; Auth.js discovers it at the first sign-in, so it may start after the
 * server. One identity has no mapped role and waits for access until it is granted one; one maps to a role.
 */
import { randomUUID } from "node:crypto";
import { startTestOidcProvider, type TestOidcProvider } from "../server/testing/oidc-provider";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

// The same port, client and provider name as the OIDC_* lines in playwright.config.ts.
const OIDC_PORT = 3109;
// The app on "localhost" for one identity and on 127.0.0.1 for the other: Next.js rewrites a loopback address to
// localhost in route handlers' URLs, which made the callback's redirect URI differ from the sign-in's for an app
// opened as 127.0.0.1 (invalid_grant; server/auth/request-origin.ts). The provider is on 127.0.0.1 either way.
const APP = "http://localhost:3100";
const APP_BY_ADDRESS = "http://127.0.0.1:3100";
const PROVIDER_NAME = "Test Hospital IdP";

let idp: TestOidcProvider;
const run = randomUUID().slice(0, 8);
const newcomer = `new.${run}`;
const clinician = `clinician.${run}`;

test.beforeAll(async () => {
  idp = await startTestOidcProvider({
    port: OIDC_PORT,
    redirectUris: [`${APP}/api/auth/callback/oidc`, `${APP_BY_ADDRESS}/api/auth/callback/oidc`],
    accounts: {
      [newcomer]: { email: `${newcomer}@hospital.example`, email_verified: true, name: "Nia Newcomer" },
      [clinician]: { email: `${clinician}@hospital.example`, email_verified: true, name: "Cal Clinician", groups: ["dermatology"] },
    },
  });
});
test.afterAll(async () => idp?.stop());

async function signInAtProvider(page: Page, login: string, app = APP) {
  await page.goto(`${app}/login`);
  await page.getByRole("button", { name: `Sign in with ${PROVIDER_NAME}` }).click();
  // The provider's own pages: login, then consent.
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
}

test("signs in through the OpenID provider: a new identity waits for access until granted a role; a mapped one lands in the app", async ({ page, browser, db }) => {
  await signInAtProvider(page, newcomer);
  await expect(page).toHaveURL(/\/waiting-for-access$/);
  await expect(page.getByTestId("waiting-for-access")).toContainText("Nia Newcomer");
  // Nothing of the app opens meanwhile.
  await page.goto(`${APP}/patients`);
  await expect(page).toHaveURL(/\/waiting-for-access$/);
  // An admin grants a role (the Admin page's change, made here directly): the same session now opens the app.
  await db.user.update({ where: { email: `${newcomer}@hospital.example` }, data: { role: "DERMATOLOGIST" } });
  await page.goto(`${APP}/queue`);
  await expect(page.getByTestId("current-user")).toContainText("Nia Newcomer");

  const other = await browser.newContext();
  const second = await other.newPage();
  await signInAtProvider(second, clinician, APP_BY_ADDRESS);
  await expect(second).toHaveURL(/\/queue/);
  await expect(second.getByTestId("current-user")).toContainText("Cal Clinician");
  await other.close();
});
