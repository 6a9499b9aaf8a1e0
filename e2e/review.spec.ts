/**
 * The reviewer's workflow in a browser: the queue, one flag's evidence, a keyboard-driven decision, a second reviewer
 * told it was already decided, and the audit entry. Each test uploads its own real image and inserts its own model
 * version, prediction and flags through the database, so nothing depends on a trained model or on other tests.
 */
import { randomInt } from "node:crypto";
import type { Db } from "../server/db/client";
import type { BrowserContext, Page } from "@playwright/test";
import { expect, makeRetiredModelVersion, makeUser, signInViaApi, test as base, type TestUser } from "./fixtures";
import { recomputeLesionFlag } from "../server/services/flags/recompute-flags";
import { operatingPointInForce } from "../server/services/models/operating-point-in-force";
import { scoredLesion } from "./scored-lesion";


/** yyyy-mm-dd, `days` from today (UTC). */
const dateInDays = (days: number) => new Date(Date.now() + days * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);

/**
 * A scored lesion (scored-lesion.ts) plus a RETIRED model version of the test's own, which gives filters a set of flags
 * no other test touches.
 */
async function scoredLesionWithOwnModel(db: Db, clinicianId: string) {
  const seeded = await scoredLesion(db, clinicianId, {
    mrnPrefix: "E2E-R",
    name: "Reviewed Patient",
    sex: "FEMALE",
    fitzpatrickType: 2,
    bodySite: "back",
    note: "Irregular network on the left edge.",
  });
  const ownModel = await makeRetiredModelVersion(db, seeded.tag);
  return { ...seeded, ownModel };
}

interface Reviewer {
  page: Page;
  user: TestUser;
  seeded: Awaited<ReturnType<typeof scoredLesionWithOwnModel>>;
}

const test = base.extend<{ reviewer: Reviewer; anotherReviewer: () => Promise<{ page: Page; user: TestUser }> }>({
  /** Every test's start: a dermatologist signed in, with a scored lesion and a model version of the test's own. */
  reviewer: async ({ signedInAs, db }, use) => {
    const { page, user } = await signedInAs("DERMATOLOGIST");
    await use({ page, user, seeded: await scoredLesionWithOwnModel(db, user.id) });
  },
  /** A second dermatologist, signed in in a browser context of their own (closed after the test). */
  anotherReviewer: async ({ browser, baseURL, db }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async () => {
      const user = await makeUser(db, "DERMATOLOGIST");
      const context = await browser.newContext({ baseURL });
      contexts.push(context);
      await signInViaApi(context.request, user);
      return { page: await context.newPage(), user };
    });
    for (const context of contexts) await context.close();
  },
});

/** More lesions of the seeded lesion's patient, each able to hold its own open flag. */
async function otherLesions(db: Db, lesionId: string, count: number): Promise<string[]> {
  const { patientId } = await db.lesion.findUniqueOrThrow({ where: { id: lesionId }, select: { patientId: true } });
  const created = await db.lesion.createManyAndReturn({
    data: Array.from({ length: count }, (_, i) => ({ patientId, bodySite: "back", label: `Other lesion ${i + 1}` })),
    select: { id: true },
  });
  return created.map((lesion) => lesion.id);
}

test.describe("the review queue", () => {
  test("a dermatologist finds a flag, reads the evidence and defers it by keyboard; a second reviewer is told it was decided", async ({
    reviewer: { page, user, seeded },
    anotherReviewer,
    db,
  }) => {
    // At the operating point in force: a flag at any other threshold is stale, and the worker's sweep would recompute
    // it (in shadow mode, without the deferral suggestion) while the test runs.
    const { threshold } = await operatingPointInForce(db, seeded.model.id);
    expect(threshold).toBeGreaterThan(0.07);
    const thresholdText = `${(threshold * 100).toFixed(1)}%`;
    const flag = await db.flag.create({
      data: {
        lesionId: seeded.lesionId,
        kind: "LIKELY_BENIGN",
        reason: `Likely benign: the clinician planned a biopsy and P(malignant) 7.0% is below the threshold ${thresholdText}.`,
        // As raised by a model that passed local validation (deferral suggestions on).
        deferralSuggested: true,
        biopsyPlanned: true,
        pMalignant: 0.07,
        threshold,
        modelVersionId: seeded.model.id,
        predictionId: seeded.prediction.id,
        assessmentId: seeded.assessment.id,
      },
    });
    // The conflict message names the reviewer as the database knows them.
    const firstName = `Dr Defer ${seeded.tag}`;
    await db.user.update({ where: { id: user.id }, data: { name: firstName } });

    // A second reviewer opens the same flag before the first one decides.
    const { page: secondPage } = await anotherReviewer();
    await secondPage.goto(`/review/${flag.id}`);
    const secondForm = secondPage.getByRole("form", { name: "Record a decision" });
    await expect(secondForm).toBeVisible();

    // The queue: counts per kind, filters in the URL, the flag's row.
    await page.goto("/queue");
    await expect(page.getByRole("heading", { level: 1, name: "Review queue" })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Open flags by kind" })).toContainText("Likely benign");
    const filters = page.getByRole("search", { name: "Filter the queue" });
    await filters.getByLabel("Kind").selectOption("LIKELY_BENIGN");
    await filters.getByLabel("Model version").selectOption(seeded.model.id);
    await filters.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(new RegExp(`kind=LIKELY_BENIGN.*model=${seeded.model.id}`));
    const rows = page.getByTestId("queue-row").filter({ hasText: seeded.mrn });
    await expect(rows).toHaveCount(1);
    for (const text of [seeded.mrn, "Likely benign: consider deferring biopsy", "7.0%", thresholdText, "Malignant", "Plan: biopsy", "back", seeded.model.version]) {
      await expect(rows.first()).toContainText(text);
    }
    await rows.first().getByRole("link", { name: `Review ${seeded.mrn}, back` }).click();

    // The evidence.
    await expect(page).toHaveURL(new RegExp(`/review/${flag.id}$`));
    await expect(page.getByRole("heading", { level: 1 })).toContainText(seeded.mrn);
    await expect(page.getByTestId("flag-reason")).toContainText("Likely benign: the clinician planned a biopsy");
    const modelOutput = page.getByTestId("model-output");
    await expect(modelOutput).toContainText("7.0%");
    await expect(modelOutput).toContainText(`below the threshold of ${thresholdText}`);
    await expect(modelOutput.getByTestId("top-diagnoses").getByRole("listitem").first()).toContainText("Melanocytic nevus");
    await expect(modelOutput).toContainText(seeded.model.version);
    await expect(page.getByTestId("clinical-assessment")).toContainText("Irregular network on the left edge.");
    // The active model is real: the occlusion map is computed for this image.
    await expect(page.getByTestId("explanation-overlay")).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId("keyboard-help")).toContainText("Defer and monitor");

    // Full resolution with zoom; Escape closes it.
    await page.getByRole("button", { name: /Open full resolution/ }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Zoom in" }).click();
    await expect(dialog.locator("output")).toHaveText("150%");
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();

    // 2 = defer: focus goes to the reason; typed digits there are text, not shortcuts.
    await page.keyboard.press("2");
    const form = page.getByRole("form", { name: "Record a decision" });
    await expect(form.getByLabel(/^Reason/)).toBeFocused();
    await page.keyboard.type("Symmetric, regular network: 2 colours only");
    await expect(form.getByLabel(/^Reason/)).toHaveValue("Symmetric, regular network: 2 colours only");
    // Enter while the date is missing records nothing: focus moves to the date.
    await page.keyboard.press("Enter");
    await expect(form.getByLabel(/^Follow-up date/)).toBeFocused();
    await expect(form.getByTestId("field-error")).toHaveText("Set the follow-up date for the deferred lesion.");
    const followUp = dateInDays(90);
    await form.getByLabel(/^Follow-up date/).fill(followUp);
    await form.getByLabel(/^Note/).fill("Photograph again at follow-up.");
    await expect(form.getByRole("button", { name: "Record decision: Defer and monitor" })).toBeVisible();
    // This reviewer stays on the case after deciding (the setting is kept in the browser).
    await form.getByLabel("Open the next case after a decision").uncheck();
    // Out of the fields, 2 again: the form is complete, so it asks; a third 2 confirms and records it.
    await page.getByRole("heading", { name: "Decision", exact: true }).click();
    await page.keyboard.press("2");
    await expect(page.getByTestId("decision-confirm")).toContainText("Press 2 again");
    await page.keyboard.press("2");

    const summary = page.getByTestId("decision-summary");
    await expect(summary).toContainText("Defer and monitor");
    await expect(summary).toContainText(`Decided by ${firstName}`);
    await expect(summary).toContainText(followUp);
    await expect(summary).toContainText("Photograph again at follow-up.");
    await expect(page.getByTestId("flag-status")).toHaveText("Decided");
    await expect(page.getByRole("form", { name: "Record a decision" })).toHaveCount(0);

    // The second reviewer's decision is refused with who decided, and their note stays in the form.
    await secondForm.getByLabel(/^Note/).fill("My own observations, which must not be lost.");
    await secondForm.getByRole("button", { name: "Proceed with biopsy" }).click();
    await expect(secondPage.getByTestId("decision-conflict")).toContainText(`already decided by ${firstName}`);
    await expect(secondPage.getByTestId("decision-summary")).toContainText("Defer and monitor");
    await expect(secondForm.getByLabel(/^Note/)).toHaveValue("My own observations, which must not be lost.");

    // One review, one audit entry, both by the first reviewer.
    const review = await db.review.findUniqueOrThrow({ where: { flagId: flag.id } });
    expect(review).toMatchObject({ reviewerId: user.id, decision: "DEFER_MONITOR", reason: "Symmetric, regular network: 2 colours only" });
    const audit = await db.auditLog.findMany({ where: { entityType: "Flag", entityId: flag.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "DECIDE", actorId: user.id });
    expect(audit[0]!.after).toMatchObject({ decision: "DEFER_MONITOR", note: "Photograph again at follow-up." });
  });

  test("j and k move between flags in queue order, the queue pages by cursor, and an overdue follow-up links to its lesion", async ({ reviewer: { page, user, seeded }, db }) => {
    // Two random scores a billionth apart: no other flag (another test, a retry) can sit between them in queue order.
    const score = 0.95 + randomInt(0, 1_000_000) / 1e8;
    // A lesion has at most one open flag (Flag_one_open_per_lesion): the second flag is on another of the patient's lesions.
    const [secondLesion, ...pagingLesions] = await otherLesions(db, seeded.lesionId, 27);
    const [higher, lower] = await Promise.all(
      [score, score - 1e-9].map((pMalignant, i) =>
        db.flag.create({
          data: {
            lesionId: i === 0 ? seeded.lesionId : secondLesion!,
            kind: "POSSIBLE_MISSED_MALIGNANCY",
            reason: `Possible missed malignancy (${i === 0 ? "first" : "second"} of ${seeded.tag}).`,
            pMalignant,
            threshold: 0.3,
            modelVersionId: seeded.model.id,
            predictionId: seeded.prediction.id,
            assessmentId: seeded.assessment.id,
          },
        }),
      ),
    );
    await page.goto(`/review/${higher!.id}`);
    await expect(page.getByTestId("flag-kind")).toHaveText("Possible missed malignancy");
    await page.keyboard.press("j");
    await expect(page).toHaveURL(new RegExp(`/review/${lower!.id}$`));
    await expect(page.getByTestId("flag-reason")).toContainText(`second of ${seeded.tag}`);
    await page.keyboard.press("k");
    await expect(page).toHaveURL(new RegExp(`/review/${higher!.id}$`));

    // Keyset paging over the test's own model version: 26 open flags, 25 on the first page, the least urgent next.
    await db.flag.createMany({
      data: [
        { lesionId: pagingLesions[25]!, kind: "POSSIBLE_MISSED_MALIGNANCY" as const, reason: `Paging top of ${seeded.tag}`, pMalignant: 0.95, threshold: 0.3, modelVersionId: seeded.ownModel.id },
        ...Array.from({ length: 25 }, (_, i) => ({
          lesionId: pagingLesions[i]!,
          kind: "REVIEW_REQUIRED" as const,
          reason: `Paging ${i} of ${seeded.tag}`,
          pMalignant: 0.1 + i / 1000,
          threshold: 0.3,
          modelVersionId: seeded.ownModel.id,
        })),
      ],
    });
    await page.goto(`/queue?model=${seeded.ownModel.id}`);
    const rows = page.getByTestId("queue-row");
    await expect(rows).toHaveCount(25);
    await expect(rows.first()).toContainText("Possible missed malignancy");
    const pages = page.getByRole("navigation", { name: "Queue pages" });
    await pages.getByRole("link", { name: "Next page" }).click();
    await expect(page).toHaveURL(new RegExp(`model=${seeded.ownModel.id}&cursor=`));
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText("Second read required");
    await expect(rows.first()).toContainText("10.0%");
    await expect(pages).toContainText("End of the queue");

    // A biopsy deferred to a follow-up date that has passed, with no outcome yet.
    const deferred = await db.flag.create({
      data: { lesionId: seeded.lesionId, kind: "LIKELY_BENIGN", status: "DECIDED", reason: "deferred", pMalignant: 0.05, threshold: 0.3, modelVersionId: seeded.ownModel.id },
    });
    await db.review.create({
      data: { flagId: deferred.id, reviewerId: user.id, decision: "DEFER_MONITOR", reason: `Overdue check ${seeded.tag}`, followUpDate: new Date("2001-02-03T00:00:00Z") },
    });
    await page.goto("/queue");
    const overdue = page.getByRole("region", { name: /Overdue follow-ups/ });
    const row = overdue.getByRole("row").filter({ hasText: `Overdue check ${seeded.tag}` });
    await expect(row).toContainText("2001-02-03");
    await expect(row).toContainText(seeded.mrn);
    await row.getByRole("link").click();
    await expect(page).toHaveURL(new RegExp(`/lesions/${seeded.lesionId}$`));
  });

  test("a key decision asks before it records and opens the next case; its author amends it to a second read, which only another reviewer can give", async ({
    reviewer: { page, user, seeded },
    anotherReviewer,
    db,
  }) => {
    // The case as the flag policy raises it (so the worker's stale-flag sweep has nothing to change in it), and a
    // case after it in queue order (no planned biopsy), so that a next case exists.
    await recomputeLesionFlag({ db, lesionId: seeded.lesionId });
    const first = await db.flag.findFirstOrThrow({ where: { lesionId: seeded.lesionId, status: "OPEN" } });
    const [laterLesion] = await otherLesions(db, seeded.lesionId, 1);
    await db.flag.create({ data: { lesionId: laterLesion!, kind: "REVIEW_REQUIRED", reason: `Later case of ${seeded.tag}`, pMalignant: 0.000001, threshold: 0.3 } });
    // 1 asks; Escape cancels; 1 and 1 again records, and the next case opens.
    await page.goto(`/review/${first.id}`);
    await page.getByRole("heading", { name: "Decision", exact: true }).click();
    await page.keyboard.press("1");
    await expect(page.getByTestId("decision-confirm")).toContainText("Press 1 again to record “Proceed with biopsy”");
    await page.keyboard.press("Escape");
    await expect(page.getByTestId("decision-confirm")).toHaveCount(0);
    expect((await db.flag.findUniqueOrThrow({ where: { id: first.id } })).status).toBe("OPEN");
    await page.keyboard.press("1");
    await page.keyboard.press("1");
    await expect(page).toHaveURL(/\/review\/[\w-]+$/);
    await expect(page).not.toHaveURL(new RegExp(`/review/${first.id}$`));
    const decided = await db.review.findUniqueOrThrow({ where: { flagId: first.id } });
    expect(decided).toMatchObject({ decision: "PROCEED_BIOPSY", reviewerId: user.id });

    // The author amends it to a second read: a new decision, the old one kept and marked.
    await page.goto(`/review/${first.id}`);
    await page.getByRole("button", { name: "Amend or retract this decision" }).click();
    const correction = page.getByRole("form", { name: "Correct this decision" });
    await correction.getByLabel("Correction").selectOption({ label: "Amend to: Ask for a second read" });
    await correction.getByLabel(/^Reason for the new decision/).fill("Regression at the border: a colleague should look");
    await correction.getByLabel("Why correct it").fill("Pressed 1 too fast");
    await correction.getByRole("button", { name: "Amend decision" }).click();
    await expect(page).not.toHaveURL(new RegExp(`/review/${first.id}$`));
    await expect(page.getByTestId("decision-summary")).toContainText("Ask for a second read");
    await page.goto(`/review/${first.id}`);
    await expect(page.getByTestId("decision-correction")).toContainText("Amended by");
    await expect(page.getByTestId("decision-correction")).toContainText("Pressed 1 too fast");
    expect(await db.auditLog.count({ where: { action: "AMEND", entityType: "Review", entityId: decided.id, actorId: user.id } })).toBe(1);

    // The second read is not the requester's: refused on its page (left out of their queue: corrections.test.ts).
    const secondRead = await db.flag.findFirstOrThrow({ where: { lesionId: seeded.lesionId, status: "OPEN" } });
    expect(secondRead.secondReadRequestedById).toBe(user.id);
    await page.goto(`/review/${secondRead.id}`);
    await expect(page.getByTestId("second-read")).toBeVisible();
    await expect(page.getByTestId("decision-refused")).toContainText("You asked for this second read");
    await expect(page.getByRole("form", { name: "Record a decision" })).toHaveCount(0);

    // Another reviewer gives it.
    const { page: colleaguePage, user: colleague } = await anotherReviewer();
    await colleaguePage.goto(`/review/${secondRead.id}`);
    await colleaguePage.getByRole("form", { name: "Record a decision" }).getByRole("button", { name: "Proceed with biopsy" }).click();
    await expect.poll(async () => (await db.review.findUnique({ where: { flagId: secondRead.id } }))?.reviewerId ?? null).toBe(colleague.id);
  });
});
