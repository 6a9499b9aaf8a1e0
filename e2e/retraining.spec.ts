/**
 * The admin's retraining loop on the demo data: launch a short run from the UI (DermaMNIST + the clinic's confirmed
 * cases, one epoch of the 28-px CNN), watch its progress reach the end, compare the candidate with the active model on the locked
 * test set, request its promotion (with an override reason if its gates fail: one epoch rarely beats the demo model),
 * have a second admin approve it (the requester cannot), see open cases re-scored by it, and roll back (one admin).
 */
import { recomputeLesionFlag } from "../server/services/flags/recompute-flags";
import { readGateResults } from "../server/services/models/promotion-gates";
import { newConfirmedCasesSinceLastRun } from "../server/services/training/training-schedule";
import { expect, makeUser, signInViaApi, test } from "./fixtures";
import { scoredLesion } from "./scored-lesion";

test("an admin launches a retraining, watches it finish, requests the promotion, a second admin approves it, open cases are re-scored, and one admin rolls back", async ({
  signedInAs,
  db,
  browser,
}) => {
  test.setTimeout(420_000);
  const { page } = await signedInAs("ADMIN");
  const activeBefore = await db.modelVersion.findFirstOrThrow({ where: { status: "ACTIVE" } });

  await page.goto("/training");
  await page.getByLabel("Base data set").first().selectOption("dermamnist-28");
  // The loop, not the recipe, is under test here: the fast 28-px CNN (the pretrained recipe trains in
  // server/services/training/execute-training-run.test.ts).
  await page.locator("#launch-recipe").selectOption("cnn");
  await page.locator("#launch-epochs").fill("1");
  await page.getByRole("button", { name: "Start training" }).click();

  // Live progress: the bar, the backend it runs on, then an epoch.
  const progress = page.getByTestId("training-progress");
  await expect(progress).toBeVisible();
  await expect(progress.getByTestId("progress-backend")).toHaveText(/\((CPU|GPU)\)/, { timeout: 60_000 });
  await expect(progress.getByTestId("progress-epoch")).toHaveText("1 / 1", { timeout: 120_000 });
  const bar = page.getByRole("progressbar", { name: "Training run progress" });
  await expect.poll(async () => Number(await bar.getAttribute("aria-valuenow")), { timeout: 60_000 }).toBeGreaterThan(5);
  // Launching again while it runs is not possible.
  await expect(page.getByRole("button", { name: "Start training" })).toBeDisabled();

  // It finishes: the run lists the candidate, compared with the active model on the same locked test images.
  const run = page.getByTestId("training-run").first();
  await expect(run.getByText("SUCCEEDED")).toBeVisible({ timeout: 300_000 });
  await expect(progress).toBeHidden();
  // The confirmed cases "since the last successful run" now count from this run, without reloading the page.
  await expect
    .poll(async () => Number(await page.getByTestId("new-confirmed-cases").textContent()) - (await newConfirmedCasesSinceLastRun(db)).count)
    .toBe(0);
  const comparison = run.getByTestId("model-comparison");
  await expect(comparison.getByRole("row", { name: /Candidate/ })).toBeVisible();
  await expect(comparison.getByRole("row", { name: new RegExp(`Active ${activeBefore.version}`) })).toBeVisible();
  const stored = await db.trainingRun.findFirstOrThrow({ where: { status: "SUCCEEDED" }, orderBy: { createdAt: "desc" }, include: { modelVersion: true } });
  const candidate = stored.modelVersion!;
  expect(candidate.status).toBe("CANDIDATE");

  // Request its promotion on the Models page: nothing changes until a second admin approves.
  await page.goto("/models");
  const row = page.getByTestId(`model-row-${candidate.version}`);
  const override = row.getByLabel("Override reason (gates failed)");
  // The page asks for an override reason exactly when the candidate's stored gates failed.
  if (readGateResults(candidate.gateResults)?.passed) {
    await expect(override).toHaveCount(0);
  } else {
    await expect(override).toBeVisible();
    await override.fill("e2e: one-epoch candidate, promoted to test the loop");
  }
  await row.getByRole("button", { name: /Request promotion/ }).click();
  const pending = page.getByTestId(`promotion-request-${candidate.version}`);
  await expect(pending).toContainText("You requested it: a different admin must approve it.");
  await expect(pending.getByRole("button", { name: "Approve promotion" })).toHaveCount(0);
  await expect(row.getByText("CANDIDATE", { exact: true })).toBeVisible();
  // The requester is refused by the API too, not only by the page.
  const request = await db.promotionRequest.findFirstOrThrow({ where: { modelVersionId: candidate.id, status: "PENDING" } });
  const selfApproval = await page.request.post("/api/trpc/models.approvePromotion", { data: { json: { promotionRequestId: request.id } } });
  expect(selfApproval.status()).toBe(403);
  expect((await db.modelVersion.findFirstOrThrow({ where: { status: "ACTIVE" } })).version).toBe(activeBefore.version);

  // A second admin approves it.
  const secondContext = await browser.newContext();
  try {
    const second = await secondContext.newPage();
    await signInViaApi(second.request, await makeUser(db, "ADMIN"));
    await second.goto("/models");
    const toApprove = second.getByTestId(`promotion-request-${candidate.version}`);
    await expect(toApprove).toContainText("promotion requested by");
    await toApprove.getByRole("button", { name: "Approve promotion" }).click();
    await expect(second.getByTestId(`model-row-${candidate.version}`).getByText("ACTIVE", { exact: true })).toBeVisible();
  } finally {
    await secondContext.close();
  }
  await page.reload();
  await expect(row.getByText("ACTIVE", { exact: true })).toBeVisible();
  expect(await db.promotionRequest.findUniqueOrThrow({ where: { id: request.id } })).toMatchObject({ status: "APPROVED" });

  // Open cases are re-scored by the new model in the background.
  await expect
    .poll(() => db.prediction.count({ where: { modelVersionId: candidate.id } }), { timeout: 120_000, intervals: [1_000] })
    .toBeGreaterThan(0);

  // Roll back in one action. A reason the server refuses is explained in words, not as zod's issue list.
  await page.getByLabel("Roll back to the previous model: reason").fill("x".repeat(1001));
  await page.getByRole("button", { name: "Roll back" }).click();
  await expect(page.getByText("Reason: at most 1000 characters.", { exact: true })).toBeVisible();
  await page.getByLabel("Roll back to the previous model: reason").fill("e2e: back to the demo model");
  await page.getByRole("button", { name: "Roll back" }).click();
  await expect(page.getByTestId(`model-row-${activeBefore.version}`).getByText("ACTIVE", { exact: true })).toBeVisible();
  await expect(page.getByTestId(`model-row-${candidate.version}`).getByText("RETIRED", { exact: true })).toBeVisible();
  expect((await db.modelVersion.findFirstOrThrow({ where: { status: "ACTIVE" } })).version).toBe(activeBefore.version);
  const audit = await db.auditLog.findMany({ where: { action: { in: ["TRAIN", "REQUEST_PROMOTION", "APPROVE", "PROMOTE", "ROLLBACK"] }, at: { gte: stored.createdAt } } });
  expect(new Set(audit.map((entry) => entry.action))).toEqual(new Set(["TRAIN", "REQUEST_PROMOTION", "APPROVE", "PROMOTE", "ROLLBACK"]));
});

// In this file (run serially after the retraining loop) because it switches the active model's deferral suggestions.
test("shadow mode: no deferral until local validation passes; a malignant result on a lesion whose biopsy was deferred raises a safety event and suspends suggestions", async ({
  signedInAs,
  db,
}) => {
  test.setTimeout(120_000);
  const { page, user } = await signedInAs("ADMIN");
  const active = await db.modelVersion.findFirstOrThrow({ where: { status: "ACTIVE" } });
  try {
    // A model starts in shadow mode; its card, readable in the app, states its cross-source figures.
    await page.goto("/models");
    await expect(page.getByTestId("deferral-status")).toContainText("SHADOW");
    await page.getByTestId(`model-row-${active.version}`).getByRole("link", { name: "Model card" }).click();
    await expect(page.getByTestId("model-card")).toContainText("| cross-source |");
    await expect(page.getByTestId("model-card")).toContainText("Suggesting biopsy deferral at a clinic");
    await page.goto("/models");

    // Local evidence: lesions scored BEFORE their biopsy result (four malignant above the threshold, one benign below:
    // a Wilson lower bound of 51% at 4/4), under criteria this small deployment pre-specified.
    await db.setting.upsert({
      where: { key: "localValidationCriteria" },
      create: { key: "localValidationCriteria", value: { version: 9, savedAt: null, minMalignantLesions: 1, minBenignLesions: 1, sensitivityLowerBoundFloor: 0.5, targetSensitivity: 0.95, maxUnacknowledgedSafetyEvents: 0 } },
      update: { value: { version: 9, savedAt: null, minMalignantLesions: 1, minBenignLesions: 1, sensitivityLowerBoundFloor: 0.5, targetSensitivity: 0.95, maxUnacknowledgedSafetyEvents: 0 } },
    });
    for (const malignant of [true, true, true, true, false]) {
      const scored = await scoredLesion(db, user.id, { mrnPrefix: "E2E-LV", name: "Validation Patient", sex: "MALE", fitzpatrickType: 2, bodySite: "arm", note: "local evidence" });
      await db.prediction.update({ where: { id: scored.prediction.id }, data: { pMalignant: malignant ? 0.95 : 0.01 } });
      await db.biopsyOutcome.create({ data: { lesionId: scored.lesionId, histopathologyDiagnosis: malignant ? "mel" : "nv", malignant, reportDate: new Date("2026-11-01") } });
    }
    await page.reload();
    const panel = page.getByTestId("local-validation");
    await expect(panel).toContainText("Acceptance criteria version 9");
    await panel.getByLabel("Deferral change reason").fill("e2e: local criteria v9 met");
    await panel.getByRole("button", { name: "Switch deferral suggestions on" }).click();
    await expect(page.getByTestId("deferral-status")).toContainText("ENABLED");

    // Now a low score on a planned biopsy suggests deferring it.
    const called = await scoredLesion(db, user.id, { mrnPrefix: "E2E-SE", name: "Safety Patient", sex: "FEMALE", fitzpatrickType: 2, bodySite: "leg", note: "called benign" });
    await db.prediction.update({ where: { id: called.prediction.id }, data: { pMalignant: Math.min(0.01, active.threshold / 2) } });
    await recomputeLesionFlag({ db, lesionId: called.lesionId });
    const flag = await db.flag.findFirstOrThrow({ where: { lesionId: called.lesionId, status: "OPEN" } });
    expect(flag).toMatchObject({ kind: "LIKELY_BENIGN", deferralSuggested: true });
    await page.goto(`/review/${flag.id}`);
    await expect(page.getByTestId("flag-kind")).toHaveText("Likely benign: consider deferring biopsy");

    // The reviewer follows the suggestion and defers the biopsy.
    const decision = page.getByRole("form", { name: "Record a decision" });
    // The shortcut acts only once the page is hydrated (the text above is there before): press until it moves the
    // focus to the reason, as 2 = defer does (under CI load one early press was lost and the test timed out).
    await expect(async () => {
      await page.keyboard.press("2");
      await expect(decision.getByLabel(/^Reason/)).toBeFocused({ timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    await decision.getByLabel(/^Reason/).fill("e2e: looks benign, model agrees");
    await decision.getByLabel(/^Follow-up date/).fill(new Date(Date.now() + 90 * 24 * 3600 * 1000).toISOString().slice(0, 10));
    await decision.getByRole("button", { name: "Record decision: Defer and monitor" }).click();
    // Recorded (the next case in the queue, if any, opens after a decision).
    await expect.poll(async () => (await db.review.findUnique({ where: { flagId: flag.id } }))?.decision ?? null).toBe("DEFER_MONITOR");

    // The biopsy (taken later) says melanoma: a safety event at the top of the queue, and suggestions suspended.
    await page.goto(`/lesions/${called.lesionId}`);
    const outcome = page.getByRole("form", { name: "Record a histopathology result" });
    await outcome.getByLabel("Histopathology diagnosis").selectOption({ label: "Melanoma (invasive or in situ)" });
    await outcome.getByLabel("Report date").fill("2026-11-20");
    await outcome.getByRole("button", { name: "Record result" }).click();
    await expect(page.getByTestId("outcome-list")).toContainText("Melanoma");
    await page.goto("/queue");
    const event = page.getByTestId("safety-event").filter({ hasText: called.mrn });
    await expect(event).toContainText("biopsy deferred by a reviewer");
    await page.goto("/models");
    await expect(page.getByTestId("deferral-status")).toContainText("SUSPENDED");
    await expect(page.getByTestId("deferral-status")).toContainText("safety monitor");

    // A clinician acknowledges it with what was done; it leaves the queue's banner.
    await page.goto("/queue");
    await event.getByLabel(/What was done/).fill("e2e: patient recalled, wide excision booked");
    await event.getByRole("button", { name: "Acknowledge" }).click();
    await expect(event).toHaveCount(0);
  } finally {
    await db.modelVersion.update({ where: { id: active.id }, data: { deferralStatus: "SHADOW", deferralReason: null } });
    await db.setting.deleteMany({ where: { key: "localValidationCriteria" } });
  }
});

// In this file (run serially after the others) because it changes the active model's operating point.
test("an admin adopts the local threshold as a new operating point version, and reverts to the validation threshold as another", async ({ signedInAs, db }) => {
  test.setTimeout(120_000);
  const { page, user } = await signedInAs("ADMIN");
  const active = await db.modelVersion.findFirstOrThrow({ where: { status: "ACTIVE" } });
  const versionsBefore = await db.operatingPoint.count({ where: { modelVersionId: active.id } });
  try {
    // Local evidence under small pre-specified criteria: malignant lesions score 0.6-0.9 before their result, benign 0.02.
    await db.setting.upsert({
      where: { key: "localValidationCriteria" },
      create: { key: "localValidationCriteria", value: { version: 11, savedAt: null, minMalignantLesions: 1, minBenignLesions: 1, sensitivityLowerBoundFloor: 0.5, targetSensitivity: 0.95, maxUnacknowledgedSafetyEvents: 99 } },
      update: { value: { version: 11, savedAt: null, minMalignantLesions: 1, minBenignLesions: 1, sensitivityLowerBoundFloor: 0.5, targetSensitivity: 0.95, maxUnacknowledgedSafetyEvents: 99 } },
    });
    for (const score of [0.9, 0.8, 0.7, 0.6, 0.02]) {
      const scored = await scoredLesion(db, user.id, { mrnPrefix: "E2E-OP", name: "Threshold Patient", sex: "FEMALE", fitzpatrickType: 2, bodySite: "back", note: "local evidence" });
      await db.prediction.update({ where: { id: scored.prediction.id }, data: { pMalignant: score } });
      await db.biopsyOutcome.create({ data: { lesionId: scored.lesionId, histopathologyDiagnosis: score > 0.5 ? "mel" : "nv", malignant: score > 0.5, reportDate: new Date("2026-11-02") } });
    }
    await page.goto("/models");
    const panel = page.getByTestId("operating-point");
    await expect(panel.getByTestId("operating-point-in-force")).toContainText("validation threshold");
    const adopt = panel.getByRole("button", { name: /Adopt local threshold/ });
    await expect(adopt).toBeDisabled(); // a reason first
    await panel.getByLabel("Operating point change reason").fill("e2e: our dermatoscopes score malignant lesions higher");
    await adopt.click();

    const inForce = panel.getByTestId("operating-point-in-force");
    await expect(inForce).toContainText(`version ${versionsBefore + 1}`);
    await expect(inForce).toContainText("local threshold");
    await expect(panel.getByTestId("operating-point-row")).toHaveCount(versionsBefore + 1);
    await expect(panel.getByTestId("operating-point-row").first()).toContainText("LOCAL");
    await expect(panel.getByTestId("operating-point-row").first()).toContainText("e2e: our dermatoscopes score malignant lesions higher");
    await expect(page.getByTestId(`model-row-${active.version}`)).toContainText(`operating point v${versionsBefore + 1}`);
    const adopted = await db.operatingPoint.findFirstOrThrow({ where: { modelVersionId: active.id }, orderBy: { version: "desc" } });
    expect(adopted).toMatchObject({ source: "LOCAL", adoptedById: user.id });
    expect(await db.auditLog.count({ where: { action: "ADOPT", entityId: adopted.id } })).toBe(1);

    // Going back is one more version; the history keeps all of them.
    await panel.getByLabel("Operating point change reason").fill("e2e: back to the validation threshold");
    await panel.getByRole("button", { name: "Revert to the validation threshold" }).click();
    await expect(inForce).toContainText(`version ${versionsBefore + 2}`);
    await expect(inForce).toContainText("validation threshold");
    await expect(panel.getByTestId("operating-point-row")).toHaveCount(versionsBefore + 2);
  } finally {
    await db.setting.deleteMany({ where: { key: "localValidationCriteria" } });
  }
});
