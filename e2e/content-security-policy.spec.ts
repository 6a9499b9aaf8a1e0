/**
 * The nonce-based Content-Security-Policy (proxy.ts, server/security) in a real browser: every page the app renders
 * runs under it without a single violation, Next.js puts the request's nonce on its scripts, the nonce changes per
 * request, and the sign-in gate's redirect and 401 carry the policy too.
 */
import type { APIResponse, Page } from "@playwright/test";
import type { Db } from "../server/db/client";
import { expect, test } from "./fixtures";
import { scoredLesion } from "./scored-lesion";

/** Everything the browser reports about the policy: console messages and securitypolicyviolation events. */
async function watchViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) violations.push(`console: ${message.text()}`);
  });
  await page.exposeFunction("reportCspViolation", (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as Window & { reportCspViolation?: (text: string) => void }).reportCspViolation;
      report?.(`event: ${location.pathname} ${event.effectiveDirective} blocked ${event.blockedURI || "(inline)"} ${event.sample}`);
    });
  });
  return violations;
}

/** The nonce of a response's Content-Security-Policy header (and that the header exists). */
function policyNonce(response: APIResponse): string {
  const policy = response.headers()["content-security-policy"] ?? "";
  const nonce = /script-src [^;]*'nonce-([A-Za-z0-9+/=]+)'/.exec(policy)?.[1];
  expect(nonce, `a script nonce in "${policy}"`).toBeTruthy();
  return nonce ?? "";
}

/** The page's <script> tags as the server sent them, each with the nonce it carries. */
async function scriptNonces(response: APIResponse): Promise<(string | null)[]> {
  const html = await response.text();
  return [...html.matchAll(/<script\b[^>]*>/g)].map((match) => /\snonce="([^"]*)"/.exec(match[0])?.[1] ?? null);
}

/**
 * A lesion with one real image, scored by the active (demo) model and flagged, so that its review page shows the
 * image, the model output and the explanation map. The prediction exists, so the worker leaves it alone.
 */
async function flaggedLesion(db: Db, clinicianId: string) {
  const { lesionId, model, prediction, assessment } = await scoredLesion(db, clinicianId, {
    mrnPrefix: "E2E-CSP",
    name: "Policy Patient",
    sex: "MALE",
    fitzpatrickType: 3,
    bodySite: "forearm",
    note: "CSP check.",
  });
  const flag = await db.flag.create({
    data: {
      lesionId,
      kind: "LIKELY_BENIGN",
      reason: "Likely benign: the clinician planned a biopsy and P(malignant) 7.0% is below the threshold 30.0%.",
      biopsyPlanned: true,
      pMalignant: 0.07,
      threshold: 0.3,
      modelVersionId: model.id,
      predictionId: prediction.id,
      assessmentId: assessment.id,
    },
  });
  return { lesionId, flagId: flag.id };
}

test.describe("the Content-Security-Policy", () => {
  test("a fresh nonce per request, on every script Next.js renders; the sign-in gate's answers carry the policy", async ({ page, signedInAs }) => {
    const first = await page.request.get("/login");
    const second = await page.request.get("/login");
    expect(first.status()).toBe(200);
    const [firstNonce, secondNonce] = [policyNonce(first), policyNonce(second)];
    expect(firstNonce).not.toBe(secondNonce);
    const scripts = await scriptNonces(first);
    expect(scripts.length, "Next.js renders inline and bundle scripts").toBeGreaterThan(2);
    expect(new Set(scripts), "every <script> carries this response's nonce").toEqual(new Set([firstNonce]));

    const headers = first.headers();
    expect(headers["content-security-policy"]).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    expect(headers["content-security-policy"]).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
    // The static security headers are still there.
    expect(headers).toMatchObject({ "x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "no-referrer" });

    // Signed out: the page redirect and the API's 401 are unchanged, and carry the policy.
    const redirect = await page.request.get("/queue", { maxRedirects: 0 });
    expect(redirect.status()).toBe(307);
    expect(new URL(redirect.headers().location ?? "", "http://x").pathname).toBe("/login");
    policyNonce(redirect);
    // (Any API path behind the proxy: tRPC, uploads, FHIR and images check the session themselves, outside it, see
    // proxy.ts; their 401s are tested in route-access.spec.ts.)
    const refused = await page.request.get("/api/lesions/no-such-lesion");
    expect(refused.status()).toBe(401);
    policyNonce(refused);

    // Signed in, a page rendered with the user's data gets its own nonce on its scripts as well.
    await signedInAs("ADMIN");
    const queue = await page.request.get("/queue");
    expect(queue.status()).toBe(200);
    const queueNonce = policyNonce(queue);
    expect([firstNonce, secondNonce]).not.toContain(queueNonce);
    expect(new Set(await scriptNonces(queue))).toEqual(new Set([queueNonce]));
  });

  test("no page reports a violation: login, queue, review, outcomes, models, a lesion with images and the rest", async ({ page, signedInAs, db }) => {
    test.setTimeout(120_000);
    const violations = await watchViolations(page);

    // The watcher works: a script injected into the page's HTML without the nonce is blocked and reported.
    await page.route(
      "**/login",
      async (route) => {
        const response = await route.fetch();
        const html = (await response.text()).replace("</body>", "<script>window.injectedScriptRan = true</script></body>");
        await route.fulfill({ response, body: html });
      },
      { times: 1 },
    );
    await page.goto("/login");
    // Both channels report it: the console message and the securitypolicyviolation event.
    await expect.poll(() => violations.map((violation) => violation.split(":")[0]).sort()).toEqual(["console", "event"]);
    for (const violation of violations) expect(violation).toContain("script-src");
    expect(await page.evaluate(() => (window as Window & { injectedScriptRan?: boolean }).injectedScriptRan)).toBeUndefined();
    violations.length = 0;

    await page.goto("/login");
    await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeEnabled();
    await page.waitForLoadState("networkidle");

    const { user } = await signedInAs("ADMIN");
    const seeded = await flaggedLesion(db, user.id);

    await page.goto("/queue");
    await expect(page.getByRole("heading", { level: 1, name: "Review queue" })).toBeVisible();
    await page.waitForLoadState("networkidle");

    await page.goto(`/review/${seeded.flagId}`);
    await expect(page.getByTestId("model-output")).toBeVisible();
    // The explanation map: the image under a canvas painted in the browser.
    await expect(page.getByTestId("explanation-overlay")).toBeVisible({ timeout: 60_000 });
    // At the image's own proportions (not squashed to a square), with a legend in the overlay's own colours.
    const mapImage = page.getByTestId("explanation-image");
    await expect.poll(() => mapImage.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBeGreaterThan(0);
    const { width, height } = await db.lesionImage.findFirstOrThrow({ where: { lesionId: seeded.lesionId }, select: { width: true, height: true } });
    expect(await mapImage.evaluate((image: HTMLImageElement) => image.clientWidth / image.clientHeight)).toBeCloseTo(width / height, 1);
    const ramp = page.getByTestId("explanation-legend-ramp");
    await expect(ramp).toHaveCSS("background-image", /rgba\(37, 99, 235, 0\.745\).*rgba\(220, 38, 38, 0\.745\)/);
    // As wide as the map: squeezed between its labels, the ramp was once too thin to show any colour.
    const [rampWidth, mapWidth] = await Promise.all([ramp, mapImage].map(async (element) => (await element.boundingBox())!.width));
    expect(rampWidth).toBeGreaterThan(0.9 * mapWidth!);
    await page.getByRole("button", { name: /Open full resolution/ }).click();
    await expect(page.getByRole("dialog").getByRole("img")).toBeVisible();
    await page.keyboard.press("Escape");

    await page.goto("/outcomes");
    await expect(page.locator("svg.recharts-surface").first()).toBeVisible();
    await page.waitForLoadState("networkidle");

    // A client-side navigation (RSC payload, no new document) from the nav bar.
    await page.getByRole("link", { name: "Models", exact: true }).click();
    await expect(page).toHaveURL(/\/models$/);
    await expect(page.getByTestId("model-table")).toBeVisible();

    await page.goto(`/lesions/${seeded.lesionId}`);
    const timeline = page.getByTestId("image-timeline");
    await expect(timeline.getByRole("img").first()).toBeVisible();
    // The image really loaded (img-src allows the image route).
    await expect.poll(() => timeline.getByRole("img").first().evaluate((image: HTMLImageElement) => image.naturalWidth)).toBeGreaterThan(0);
    await page.waitForLoadState("networkidle");

    // The other pages, and both kinds of 404: an unknown record and an address no route matches.
    for (const path of ["/patients", "/patients/new", "/admin", "/audit", "/patients/no-such-patient", "/no-such-page"]) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 }).first(), path).toBeVisible();
      await page.waitForLoadState("networkidle");
    }

    expect(violations).toEqual([]);
  });
});
