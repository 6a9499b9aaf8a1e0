/**
 * Takes the README's screenshot (docs/screenshot.png) of a running demo: `npm run demo`, then
 * `npx tsx e2e/readme-screenshot.ts [base URL]`. Signs in as the demo dermatologist and captures the queue page as a
 * fresh demo shows it: no flag yet (the demo data record no clinician's call, and none is invented), and the lesions
 * awaiting a clinical assessment, the work to do first. It records nothing: the demo stays as seeded.
 */
import { chromium, type Page } from "@playwright/test";

const baseURL = process.argv[2] ?? "http://127.0.0.1:3000";
const SCORING_WAIT_MS = 5 * 60_000;

/** The worker scores the demo's images at start: reload until every awaiting lesion is scored and listed. */
async function waitForScoredLesions(page: Page) {
  const deadline = Date.now() + SCORING_WAIT_MS;
  for (;;) {
    await page.goto("/queue");
    const rows = await page.getByTestId("awaiting-row").count();
    const stillScoring = await page.getByTestId("awaiting-not-scored").count();
    if (rows > 0 && stillScoring === 0) return;
    if (Date.now() > deadline) {
      throw new Error(rows === 0 ? "no lesion awaits an assessment: is this a fresh demo with an active model?" : "the demo's images are still being scored");
    }
    await page.waitForTimeout(3000);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic"],
});
try {
  const page = await browser.newPage({ baseURL, viewport: { width: 1366, height: 820 } });
  await page.goto("/login");
  await page.getByLabel("Email").fill("dermatologist@dermflag.demo");
  await page.getByLabel("Password").fill("demo-derm-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(/\/queue/);
  await waitForScoredLesions(page);
  await page.waitForLoadState("networkidle");
  await page.waitForFunction(() => Array.from(document.images).every((image) => image.complete && image.naturalWidth > 0));
  // The whole page: the empty queue pointing to the list, and the list under it.
  await page.screenshot({ path: "docs/screenshot.png", fullPage: true });
  console.log("wrote docs/screenshot.png");
} finally {
  await browser.close();
}
