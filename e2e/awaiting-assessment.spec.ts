/**
 * The work a fresh demo (or a clinic whose images arrive before the intake form) starts with: a lesion scored by the
 * model but never assessed waits in "Awaiting clinical assessment" on the queue page, without the model's score;
 * recording an assessment on its page takes it off the list and, where the model disagrees, raises a flag in the queue.
 */
import { operatingPointInForce } from "../server/services/models/operating-point-in-force";
import { expect, test } from "./fixtures";
import { scoredLesionWithoutAssessment } from "./scored-lesion";

test.describe("lesions awaiting a clinical assessment", () => {
  test("a scored lesion no one has assessed is listed without the model's score; recording an assessment moves it to the queue", async ({
    signedInAs,
    db,
  }) => {
    const { page, user } = await signedInAs("DERMATOLOGIST");
    // P(malignant) 7% under the active model, no assessment, no outcome; a body site no other spec uses, for the queue filter.
    const seeded = await scoredLesionWithoutAssessment(db, user.id, {
      mrnPrefix: "E2E-AW",
      name: "Awaiting Patient",
      sex: "FEMALE",
      fitzpatrickType: 2,
      bodySite: "ear",
      birthDate: new Date("1960-01-01T00:00:00Z"),
    });
    // Its image arrived long ago: the longest waiting lesions come first, so it is on the list's first page.
    await db.lesionImage.update({ where: { id: seeded.imageId }, data: { createdAt: new Date("2001-02-03T10:00:00Z") } });
    expect(await db.flag.count({ where: { lesionId: seeded.lesionId } })).toBe(0);

    await page.goto("/queue");
    const awaiting = page.getByRole("region", { name: /Awaiting clinical assessment/ });
    await expect(awaiting.getByTestId("awaiting-unbiased")).toContainText("P(malignant) is not shown here");
    const row = awaiting.getByTestId("awaiting-row").filter({ hasText: seeded.mrn });
    await expect(row).toHaveCount(1);
    const age = new Date().getUTCFullYear() - 1960;
    for (const text of [seeded.mrn, `Mole ${seeded.tag}`, "ear", String(age), "2001-02-03", "1 image"]) await expect(row).toContainText(text);
    // The clinician's call comes first: nothing of the model's score on the list.
    await expect(row).not.toContainText("%");
    await expect(awaiting).not.toContainText("7.0%");

    // The link opens the lesion's page, where the assessment is recorded.
    await row.getByRole("link", { name: `Record assessment: ${seeded.mrn}, Mole ${seeded.tag}` }).click();
    await expect(page).toHaveURL(new RegExp(`/lesions/${seeded.lesionId}$`));
    const form = page.getByRole("form", { name: "Record an assessment" });
    await form.getByLabel("Clinical impression").selectOption({ label: "Malignant" });
    await form.getByLabel("Plan").selectOption({ label: "Biopsy" });
    await form.getByLabel("Suspected diagnosis").selectOption({ label: "Melanoma" });
    await form.getByRole("button", { name: "Record assessment" }).click();
    await expect(page.getByTestId("assessment-list")).toContainText("Malignant, plan: biopsy");

    // Off the list.
    await page.goto("/queue");
    await expect(awaiting.getByTestId("awaiting-total")).toBeVisible();
    await expect(awaiting.getByTestId("awaiting-row").filter({ hasText: seeded.mrn })).toHaveCount(0);

    // The model disagrees (7% is below the active model's threshold in force): a likely-benign flag, in the queue.
    const { threshold } = await operatingPointInForce(db, seeded.model.id);
    expect(threshold, "the demo model's threshold in force is above the seeded score").toBeGreaterThan(seeded.prediction.pMalignant);
    const flag = await db.flag.findFirstOrThrow({ where: { lesionId: seeded.lesionId, status: "OPEN" } });
    expect(flag).toMatchObject({ kind: "LIKELY_BENIGN", biopsyPlanned: true, modelVersionId: seeded.model.id });
    await page.goto(`/queue?kind=LIKELY_BENIGN&site=ear&model=${seeded.model.id}`);
    const queueRow = page.getByTestId("queue-row").filter({ hasText: seeded.mrn });
    await expect(queueRow).toHaveCount(1);
    for (const text of ["Likely benign", "7.0%", "Malignant", "Plan: biopsy"]) await expect(queueRow).toContainText(text);
    // On a phone's 390 px the page does not scroll sideways (the table scrolls inside its own box), and the row's
    // link still opens the review.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await queueRow.getByRole("link", { name: `Review ${seeded.mrn}, ear` }).click();
    await expect(page).toHaveURL(new RegExp(`/review/${flag.id}$`));
  });
});
