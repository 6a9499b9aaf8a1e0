/**
 * The whole loop with the real parts: a dermatologist registers a patient and a lesion, records the clinical
 * assessment, uploads a real dermoscopic image; the worker scores it with the active (committed demo) model; the
 * flag policy raises a flag; the reviewer decides it with the keyboard; the histopathology result closes the loop.
 */
import { randomUUID } from "node:crypto";
import { expect, test } from "./fixtures";
import { freshRealImage } from "./real-images";

test("intake -> upload -> prediction -> flag in the queue -> keyboard decision -> outcome recorded", async ({ signedInAs, db }) => {
  test.setTimeout(120_000);
  const active = await db.modelVersion.findFirst({ where: { status: "ACTIVE" }, select: { id: true, version: true } });
  expect(active, "the demo seed installs and promotes the committed model").not.toBeNull();
  const { page, user } = await signedInAs("DERMATOLOGIST");
  const tag = randomUUID().slice(0, 8).toUpperCase();

  // Intake: patient, lesion.
  await page.goto("/patients/new");
  const patientForm = page.getByRole("form", { name: "Patient details" });
  await patientForm.getByLabel("MRN").fill(`LOOP-${tag}`);
  await patientForm.getByLabel("Name").fill(`Loop Patient ${tag}`);
  await patientForm.getByLabel("Fitzpatrick skin type").selectOption({ label: "Type II" });
  await patientForm.getByRole("button", { name: "Register patient" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Loop Patient ${tag}` })).toBeVisible();
  const addLesion = page.getByRole("form", { name: "Add lesion" });
  await addLesion.getByRole("button", { name: "Add lesion" }).click();
  await addLesion.getByLabel("Body site").selectOption("back");
  await addLesion.getByLabel("Lesion label").fill(`Loop lesion ${tag}`);
  await addLesion.getByRole("button", { name: "Add lesion" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Loop lesion ${tag}` })).toBeVisible();
  const lesionUrl = page.url();
  const lesionId = lesionUrl.split("/lesions/")[1]!.split(/[?#]/)[0]!;

  // Upload a real image through the upload route; the worker scores it with the active model.
  const upload = await page.request.post(`/api/lesions/${lesionId}/images`, {
    data: await freshRealImage("ISIC_0024412.jpg"),
    headers: { "Content-Type": "application/octet-stream" },
  });
  expect(upload.status()).toBe(201);
  const imageId = ((await upload.json()) as { image: { id: string } }).image.id;
  await expect
    .poll(async () => (await db.prediction.findFirst({ where: { imageId, modelVersionId: active!.id } }))?.id ?? null, { timeout: 60_000 })
    .not.toBeNull();
  const prediction = await db.prediction.findFirstOrThrow({ where: { imageId } });
  expect(prediction.threshold).toBeGreaterThan(0);
  expect(prediction.backend.length).toBeGreaterThan(0);

  // The assessment that disagrees with the model: a planned biopsy if the model calls it benign, a discharge if not.
  const belowThreshold = prediction.pMalignant < prediction.threshold;
  await page.goto(lesionUrl);
  const assessment = page.getByRole("form", { name: "Record an assessment" });
  await assessment.getByLabel("Clinical impression").selectOption({ label: belowThreshold ? "Malignant" : "Benign" });
  await assessment.getByLabel("Plan").selectOption({ label: belowThreshold ? "Biopsy" : "Discharge" });
  await assessment.getByRole("button", { name: "Record assessment" }).click();
  const expectedKind = belowThreshold ? "LIKELY_BENIGN" : "POSSIBLE_MISSED_MALIGNANCY";
  await expect.poll(async () => (await db.flag.findFirst({ where: { lesionId, status: "OPEN" } }))?.kind ?? null).toBe(expectedKind);
  const flag = await db.flag.findFirstOrThrow({ where: { lesionId, status: "OPEN" } });
  expect(flag).toMatchObject({ modelVersionId: active!.id, predictionId: prediction.id, threshold: prediction.threshold });

  // The flag is in the queue; the reviewer decides with the keyboard: 1 = proceed with biopsy.
  await page.goto(`/queue?kind=${expectedKind}`);
  await expect(page.getByTestId("queue-row").filter({ hasText: `LOOP-${tag}` })).toHaveCount(1);
  await page.goto(`/review/${flag.id}`);
  await expect(page.getByTestId("model-output")).toContainText(active!.version);
  await page.getByRole("heading", { name: "Decision", exact: true }).click();
  // The key asks first; the same key again records (and opens the next case, if there is one).
  await page.keyboard.press("1");
  await expect(page.getByTestId("decision-confirm")).toBeVisible();
  await page.keyboard.press("1");
  await expect.poll(async () => (await db.flag.findUniqueOrThrow({ where: { id: flag.id } })).status).toBe("DECIDED");
  expect(await db.review.findUniqueOrThrow({ where: { flagId: flag.id } })).toMatchObject({ decision: "PROCEED_BIOPSY", reviewerId: user.id });

  // Histopathology closes the loop.
  await page.goto(lesionUrl);
  const outcome = page.getByRole("form", { name: "Record a histopathology result" });
  await outcome.getByLabel("Histopathology diagnosis").selectOption({ label: "Melanocytic nevus (incl. dysplastic)" });
  await outcome.getByLabel("Report date").fill(new Date().toISOString().slice(0, 10));
  await outcome.getByRole("button", { name: "Record result" }).click();
  await expect.poll(async () => (await db.flag.findUniqueOrThrow({ where: { id: flag.id } })).status).toBe("CLOSED");
  const actions = (await db.auditLog.findMany({ where: { actorId: user.id }, select: { action: true, entityType: true } })).map(
    (entry) => `${entry.action} ${entry.entityType}`,
  );
  expect(actions).toEqual(
    expect.arrayContaining(["CREATE Patient", "CREATE Lesion", "CREATE LesionImage", "CREATE ClinicalAssessment", "DECIDE Flag", "CREATE BiopsyOutcome"]),
  );
});
