/**
 * Takes the README's screenshot (docs/screenshot.png) of a running demo: `npm run demo`, then
 * `npx tsx e2e/readme-screenshot.ts [base URL]`. Signs in as the demo dermatologist and captures the review queue.
 */
import { chromium } from "@playwright/test";

const baseURL = process.argv[2] ?? "http://127.0.0.1:3000";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic"],
});
try {
  const page = await browser.newPage({ baseURL, viewport: { width: 1366, height: 820 } });
  await page.goto("/login");
  await page.getByLabel("Email").fill("dermatologist@dermflag.demo");
  await page.getByLabel("Password").fill("demo-derm-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/queue/);
  await page.getByTestId("queue-row").first().waitFor();
  // Thumbnails come from the authenticated image route: wait until they have loaded.
  await page.waitForLoadState("networkidle");
  await page.waitForFunction(() => Array.from(document.images).every((image) => image.complete && image.naturalWidth > 0));
  await page.screenshot({ path: "docs/screenshot.png" });
  console.log("wrote docs/screenshot.png");
} finally {
  await browser.close();
}
