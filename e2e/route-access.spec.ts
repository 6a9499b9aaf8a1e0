/**
 * The route half of the authorization matrix: every page and route handler, as anonymous, dermatologist and admin.
 * (server/trpc/authorization-matrix.test.ts covers every tRPC procedure.)
 */
import { randomUUID } from "node:crypto";
import { expect, makeRetiredModelVersion, test } from "./fixtures";

const PAGES: { path: string; permission: "clinical" | "admin" }[] = [
  { path: "/queue", permission: "clinical" },
  { path: "/patients", permission: "clinical" },
  { path: "/patients/new", permission: "clinical" },
  { path: "/models", permission: "clinical" },
  { path: "/outcomes", permission: "clinical" },
  { path: "/training", permission: "admin" },
  { path: "/admin", permission: "admin" },
  { path: "/audit", permission: "admin" },
];

test("anonymous visitors are sent to the login page from every page, and refused by every API route", async ({ page }) => {
  for (const { path } of [...PAGES, { path: "/patients/nope" }, { path: "/lesions/nope" }, { path: "/review/nope" }, { path: "/models/nope" }]) {
    await page.goto(path);
    await expect(page, path).toHaveURL(/\/login/);
  }
  for (const [method, path] of [
    ["GET", "/api/images/nope?variant=thumbnail"],
    ["POST", "/api/lesions/nope/images"],
    ["GET", "/api/trpc/overview.counts"],
    ["POST", "/api/fhir/Bundle"],
    ["GET", "/api/fhir/DiagnosticReport?patient=nope"],
  ] as const) {
    const response = await page.request.fetch(path, { method, headers: { "Content-Type": "application/octet-stream" }, data: "x" });
    expect(response.status(), `${method} ${path}`).toBe(401);
  }
  // The tab icon is public: the login page shows it before anyone signs in.
  const icon = await page.request.get("/icon.svg");
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toContain("image/svg+xml");
  await page.goto("/login");
  await expect(page.locator('head link[rel="icon"]')).toHaveAttribute("href", /^\/icon\.svg/);
});

for (const role of ["DERMATOLOGIST", "ADMIN"] as const) {
  test(`${role.toLowerCase()}: each page answers as the permission table says`, async ({ signedInAs, db }) => {
    const { page } = await signedInAs(role);
    for (const { path, permission } of PAGES) {
      const response = await page.goto(path);
      const allowed = permission === "clinical" || role === "ADMIN";
      expect(response?.status(), `${role} ${path}`).toBe(allowed ? 200 : 403);
    }
    // Unknown records are a real 404, not a crash; an unknown image is 404 behind the session check.
    expect((await page.goto("/patients/no-such-patient"))?.status()).toBe(404);
    expect((await page.request.get("/api/images/no-such-image?variant=thumbnail")).status()).toBe(404);

    // At a laptop's 1440 px the Models table fits: its last column is on screen, the table does not scroll inside its
    // box, and the page does not scroll sideways. A retired version without gate results gives an admin's Actions
    // column its widest cell, the promotion form with an override reason.
    await makeRetiredModelVersion(db, `width-${randomUUID().slice(0, 8)}`);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto("/models");
    const fit = await page.getByTestId("model-table").evaluate((table) => ({
      tableWidth: table.scrollWidth,
      boxWidth: table.parentElement!.clientWidth,
      lastColumnRight: table.querySelector("thead th:last-child")!.getBoundingClientRect().right,
      pageWidth: document.documentElement.scrollWidth,
    }));
    expect(fit.tableWidth, "the table's width within its box").toBeLessThanOrEqual(fit.boxWidth);
    expect(fit.lastColumnRight).toBeLessThanOrEqual(1440);
    expect(fit.pageWidth).toBeLessThanOrEqual(1440);
  });
}
