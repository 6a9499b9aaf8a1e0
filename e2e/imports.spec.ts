import { expect, test } from "./fixtures";

test("an admin imports a clinic's folder export from the UI: progress to the end, a summary, and the bad file's reason", async ({ signedInAs, db }) => {
  const { page } = await signedInAs("ADMIN");
  await page.goto("/admin");
  await page.getByRole("button", { name: "Import clinic-export" }).click();

  const run = page.getByTestId("import-run").filter({ hasText: "clinic-export" }).first();
  await expect(run).toContainText("SUCCEEDED", { timeout: 60_000 });
  await expect(run.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
  await expect(run.getByTestId("import-summary")).toContainText("8 / 8 processed");
  await expect(run.getByTestId("import-summary")).toContainText("1 rejected");
  // Its date as every other page writes one (formatDateTime), not in the browser's locale format.
  await expect(run.getByTestId("import-started")).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
  await run.getByText("Rejected rows and files").click();
  await expect(run).toContainText("ISIC_truncated.jpg");

  const stored = await db.importRun.findFirstOrThrow({ where: { source: "clinic-export" }, orderBy: { createdAt: "desc" } });
  expect(stored.imported + stored.skippedDuplicate).toBe(7);
  expect(stored.rejectedCount).toBe(1);

  // Importing it again adds nothing: everything is a duplicate.
  await page.getByRole("button", { name: "Import clinic-export" }).click();
  const again = page.getByTestId("import-run").filter({ hasText: "clinic-export" }).first();
  await expect(again).toContainText("SUCCEEDED", { timeout: 60_000 });
  await expect(again.getByTestId("import-summary")).toContainText("0 imported");
  await expect(again.getByTestId("import-summary")).toContainText("7 skipped as duplicates");
});
