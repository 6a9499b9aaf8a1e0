/**
 * The outcomes dashboard in a browser. One test reads the demo data (with or without an active demo model) and
 * checks the page against figures recomputed here from the database; the other writes the hand-made cases of
 * server/services/outcomes (every figure worked out by hand) under a model version and months of its own, and checks
 * every figure, the what-if slider and a CSV export.
 */
import { randomInt, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { rocAuc } from "../ml/evaluation";
import type { Db } from "../server/db/client";
import { seedHandCases } from "../server/services/outcomes/hand-cases.test-helper";
import { expect, test } from "./fixtures";

/**
 * The figures the default view must show, recomputed from the rows (lesion score = max over its images), leaving out
 * the lesions the model was trained on (its recorded training keys: the lesion, its data-set lesion id, or the
 * data-set id of one of its images).
 */
async function figuresFromDatabase(db: Db, modelVersionId: string | null, threshold: number | null) {
  const lesions = await db.lesion.findMany({
    // Only current results count: an amended or retracted one stays on the record but not in any figure.
    where: { biopsyOutcomes: { some: { retractedAt: null } } },
    select: {
      id: true,
      externalId: true,
      biopsyOutcomes: { where: { retractedAt: null }, select: { malignant: true, confirmation: true, reportDate: true, createdAt: true } },
      images: { select: { externalId: true, predictions: { where: { modelVersionId: modelVersionId ?? "none" }, select: { pMalignant: true } } } },
    },
  });
  const trainingKeys = new Set(
    (await db.modelTrainingLesion.findMany({ where: { modelVersionId: modelVersionId ?? "none" }, select: { lesionKey: true } })).map((row) => row.lesionKey),
  );
  const sourceId = (externalId: string) => externalId.slice(externalId.indexOf(":") + 1);
  const seenInTraining = (lesion: (typeof lesions)[number]) =>
    [
      `lesion:${lesion.id}`,
      ...(lesion.externalId ? [`source-lesion:${sourceId(lesion.externalId)}`] : []),
      ...lesion.images.flatMap((image) => (image.externalId ? [`source-image:${sourceId(image.externalId)}`] : [])),
    ].some((key) => trainingKeys.has(key));
  let biopsied = 0;
  let malignantBiopsied = 0;
  let leftOut = 0;
  const scores: number[] = [];
  const labels: boolean[] = [];
  for (const lesion of lesions) {
    const histo = lesion.biopsyOutcomes
      .filter((outcome) => outcome.confirmation === "histo")
      .sort((a, b) => b.reportDate.getTime() - a.reportDate.getTime() || b.createdAt.getTime() - a.createdAt.getTime())[0];
    if (!histo) continue;
    biopsied++;
    if (histo.malignant) malignantBiopsied++;
    if (seenInTraining(lesion)) {
      leftOut++;
      continue;
    }
    const predictions = lesion.images.flatMap((image) => image.predictions.map((prediction) => prediction.pMalignant));
    if (predictions.length === 0) continue;
    scores.push(Math.max(...predictions));
    labels.push(histo.malignant);
  }
  const below = (malignant: boolean) => scores.filter((score, i) => labels[i] === malignant && threshold !== null && score < threshold).length;
  const deferred = await db.$queryRaw<{ malignant: number }[]>`
    SELECT count(DISTINCT f."lesionId")::int AS malignant
    FROM "Review" r JOIN "Flag" f ON f.id = r."flagId"
    WHERE r.decision = 'DEFER_MONITOR' AND r."retractedAt" IS NULL
      AND EXISTS (SELECT 1 FROM "BiopsyOutcome" o WHERE o."lesionId" = f."lesionId" AND o.malignant AND o."retractedAt" IS NULL)`;
  return {
    outcomes: lesions.length,
    biopsied,
    scored: scores.length,
    benignScored: labels.filter((label) => !label).length,
    avoidable: below(false),
    missed: below(true),
    auc: rocAuc(scores, labels),
    deferredMalignancies: deferred[0]?.malignant ?? 0,
    malignantBiopsied,
    leftOut,
    trainingRecorded: (await db.modelTrainingSet.count({ where: { modelVersionId: modelVersionId ?? "none" } })) > 0,
  };
}

/** A year in which no outcome is recorded yet, so that this test's months hold only its own cases. */
async function emptyYear(db: Db): Promise<number> {
  for (;;) {
    const year = randomInt(1800, 2000);
    const used = await db.biopsyOutcome.count({
      where: { reportDate: { gte: new Date(`${year}-01-01T00:00:00Z`), lt: new Date(`${year + 1}-01-01T00:00:00Z`) } },
    });
    if (used === 0) return year;
  }
}

test.describe("the outcomes dashboard", () => {
  test("on the demo data, the figures agree with the database", async ({ signedInAs, db }) => {
    const { page } = await signedInAs("DERMATOLOGIST");
    // The worker may still be scoring demo images, and other tests add cases: compare the page with a fresh
    // computation until both agree.
    await expect(async () => {
      const active = await db.modelVersion.findFirst({ where: { status: "ACTIVE" }, select: { id: true, version: true, threshold: true } });
      const expected = await figuresFromDatabase(db, active?.id ?? null, active?.threshold ?? null);
      await page.goto("/outcomes");
      await expect(page.getByRole("heading", { level: 1, name: "Outcomes" })).toBeVisible();
      await expect(page.getByTestId("deferred-malignancies")).toHaveText(String(expected.deferredMalignancies), { timeout: 1000 });
      if (expected.outcomes === 0) {
        await expect(page.getByTestId("empty-state").first()).toContainText("No biopsy outcomes yet", { timeout: 1000 });
        return;
      }
      const keyFigures = page.getByTestId("table-key-figures");
      await expect(keyFigures.getByRole("row").filter({ hasText: "Biopsies (lesions with a histopathology result)" })).toContainText(
        String(expected.biopsied),
        { timeout: 1000 },
      );
      if (!active) {
        await expect(page.getByTestId("empty-state")).toContainText("No active model", { timeout: 1000 });
        await expect(page.getByTestId("missed-malignancies-unavailable")).toBeVisible({ timeout: 1000 });
        return;
      }
      const scope = page.getByTestId("dashboard-scope");
      await expect(scope).toContainText(active.version, { timeout: 1000 });
      await expect(scope).toContainText(`${(100 * active.threshold).toFixed(1)}%`, { timeout: 1000 });
      await expect(scope).toContainText(`${expected.scored} of them scored by this model`, { timeout: 1000 });
      // The demo model was trained on most HAM10000 sample lesions: they are left out, and the page says how many.
      await expect(page.getByTestId("training-cases")).toContainText(
        expected.trainingRecorded ? `${expected.leftOut} biopsied ${expected.leftOut === 1 ? "lesion" : "lesions"} left out: the model was trained on them` : "training cases are not recorded",
        { timeout: 1000 },
      );
      await expect(page.getByTestId("card-avoidable")).toContainText(`${expected.avoidable} / ${expected.benignScored}`, { timeout: 1000 });
      await expect(page.getByTestId("missed-malignancies")).toHaveText(String(expected.missed), { timeout: 1000 });
      await expect(page.getByTestId("card-auc")).toContainText(expected.auc === null ? "—" : expected.auc.toFixed(3), { timeout: 1000 });
    }).toPass({ timeout: 90_000, intervals: [1000, 2000, 5000] });
  });

  test("hand-made cases: every figure, the what-if slider and a CSV export", async ({ signedInAs, db }) => {
    const { page, user } = await signedInAs("DERMATOLOGIST");
    const year = await emptyYear(db);
    const months = [`${year}-01`, `${year}-02`, `${year}-03`] as const;
    const tag = randomUUID().slice(0, 8);
    const seeded = await seedHandCases({ db, clinicianId: user.id, tag, months, modelStatus: "RETIRED" });

    await page.goto(`/outcomes?model=${seeded.modelId}&from=${months[0]}&to=${months[2]}`);
    const scope = page.getByTestId("dashboard-scope");
    await expect(scope).toContainText(seeded.modelVersion);
    await expect(scope).toContainText("30.0%");
    await expect(scope).toContainText(`Months: ${months[0]} to ${months[2]}`);
    await expect(scope).toContainText("9 lesions with an outcome, 8 biopsied, 7 of them scored by this model (1 not scored)");
    // A hand-made model version with no recorded training cases: the page warns that its figures may include them.
    await expect(page.getByTestId("training-cases")).toContainText("This model's training cases are not recorded");

    // Safety first: C (malignant) was deferred under the other version, and still shows here.
    const deferred = page.getByTestId("table-deferred-malignancies");
    await expect(deferred.getByRole("link", { name: seeded.mrns.C })).toBeVisible();
    await expect(deferred).toContainText(seeded.otherModelVersion);
    await expect(page.getByTestId("missed-malignancies")).toHaveText("1");
    await expect(page.getByTestId("table-missed-malignancies").getByRole("link", { name: seeded.mrns.C })).toHaveAttribute(
      "href",
      `/lesions/${seeded.lesionIds.C}`,
    );

    // Key figures, worked out by hand in server/services/outcomes/model-outcomes.test.ts.
    await expect(page.getByTestId("card-avoidable")).toContainText("2 / 4");
    await expect(page.getByTestId("card-avoidable")).toContainText("50.0% (95% CI 15.0%–85.0%)");
    await expect(page.getByTestId("card-nnb")).toContainText("2.33 → 2.00");
    await expect(page.getByTestId("card-saving")).toContainText("600");
    await expect(page.getByTestId("card-auc")).toContainText("0.833");
    await expect(page.getByTestId("ece")).toHaveText("0.250");
    const keyFigures = page.getByTestId("table-key-figures");
    const figureRow = (text: string) => keyFigures.getByRole("row").filter({ hasText: text });
    await expect(figureRow("Biopsies (lesions with a histopathology result)")).toContainText("8");
    await expect(figureRow("Number needed to biopsy (as practised)")).toContainText("2.00");
    await expect(figureRow("Missed-malignancy rate")).toContainText("33.3%");
    await expect(figureRow("Expected calibration error")).toContainText("0.25");

    const activity = page.getByTestId("table-flags-and-decisions");
    await expect(activity.getByRole("row").filter({ hasText: "Decision: Defer biopsy and monitor" })).toContainText("1");
    await expect(activity.getByRole("row").filter({ hasText: "Flag: Possible missed malignancy" })).toContainText("1");

    const comparison = page.getByTestId("table-model-vs-clinician");
    await expect(comparison.getByRole("row").filter({ hasText: "Sensitivity" })).toContainText("50.0% (9.5%–90.5%)");
    const specificity = comparison.getByRole("row").filter({ hasText: "Specificity" });
    await expect(specificity).toContainText("2 / 4");
    await expect(specificity).toContainText("25.0% (4.6%–69.9%)");
    await expect(specificity).toContainText("1 / 4");

    await expect(page.getByTestId("table-monthly-trends").getByRole("row")).toHaveCount(4); // header + 3 months
    const fitzpatrick = page.getByTestId("table-subgroups-fitzpatrick");
    await expect(fitzpatrick.getByRole("row").filter({ hasText: "Type II" })).toContainText("100.0%");
    await expect(page.getByTestId("roc-chart")).toBeVisible();
    await expect(page.getByTestId("reliability-chart")).toBeVisible();
    await page.screenshot({ path: test.info().outputPath("outcomes-dashboard.png"), fullPage: true });

    // The what-if: starts at the operating point; lower thresholds defer fewer lesions.
    const slider = page.getByLabel("Threshold on P(malignant): lesions below it are deferred");
    const threshold = page.getByTestId("what-if-threshold");
    await expect(threshold).toHaveText("0.300");
    await expect(page.getByTestId("what-if")).toContainText("current operating point");
    await expect(page.getByTestId("what-if-avoided")).toHaveText("2 / 4");
    await expect(page.getByTestId("what-if-missed")).toHaveText("1 / 3");
    await slider.focus();
    await page.keyboard.press("ArrowLeft");
    await expect(threshold).toHaveText("0.250");
    await expect(page.getByTestId("what-if-avoided")).toHaveText("2 / 4");
    await expect(page.getByTestId("what-if-missed")).toHaveText("0 / 3");
    await page.keyboard.press("ArrowLeft");
    await expect(threshold).toHaveText("0.200");
    await expect(page.getByTestId("what-if-avoided")).toHaveText("1 / 4");
    await page.keyboard.press("End");
    await expect(threshold).toHaveText("1.000");
    await expect(page.getByTestId("what-if-missed")).toHaveText("3 / 3");
    await page.getByRole("button", { name: /Back to the current operating point/ }).click();
    await expect(threshold).toHaveText("0.300");

    // CSV export of a table: raw numbers with both interval bounds.
    const downloading = page.waitForEvent("download");
    await comparison.getByRole("button", { name: "Download CSV: Model against clinician" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`outcomes-model-vs-clinician-hand-${tag}-${months[0]}-${months[2]}.csv`);
    const csv = readFileSync(await download.path(), "utf8").replace(/^\uFEFF/, "").split("\r\n");
    expect(csv[0]).toBe("Measure,Model,Model 95% CI lower,Model 95% CI upper,Model cases,Clinician,Clinician 95% CI lower,Clinician 95% CI upper,Clinician cases");
    expect(csv[2]).toMatch(/^Specificity,0\.5,0\.150\d+,0\.849\d+,2 \/ 4,0\.25,0\.0455\d+,0\.699\d+,1 \/ 4$/);

    // The cost per biopsy is the reader's choice.
    await page.goto(`/outcomes?model=${seeded.modelId}&from=${months[0]}&to=${months[2]}&cost=1000`);
    await expect(page.getByTestId("card-saving")).toContainText("2,000");
  });
});
