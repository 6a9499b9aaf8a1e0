/**
 * The clinical workflow in a browser: register a patient, add a lesion, upload real dermoscopy images, record an
 * assessment and a histopathology result, and read it all back in the audit log. Each test makes its own patient
 * (random MRN) and users, so tests share no state.
 */
import { randomUUID } from "node:crypto";
import { expect, test } from "./fixtures";
import { freshRealImage } from "./real-images";
import { pathologyBundle } from "../server/fhir/fixtures/pathology-bundle";
import { recomputeLesionFlag } from "../server/services/flags/recompute-flags";
import { scoredLesion } from "./scored-lesion";


const randomMrn = () => `E2E-${randomUUID().slice(0, 8).toUpperCase()}`;

test.describe("patients, lesions and outcomes", () => {
  test("a dermatologist registers a patient, adds a lesion, records an assessment and a biopsy; an admin audits it", async ({
    signedInAs,
  }) => {
    const { page, user: dermatologist } = await signedInAs("DERMATOLOGIST");
    const mrn = randomMrn();
    const name = `Ana Test ${mrn}`;

    await page.goto("/patients");
    await page.getByRole("link", { name: "Register patient" }).first().click();
    await expect(page).toHaveURL(/\/patients\/new$/);
    const form = page.getByRole("form", { name: "Patient details" });
    await form.getByLabel("MRN").fill(mrn);
    // The shared zod schema refuses a future birth date and an over-long name in the browser, before anything is
    // sent, in words (not zod's "Too big: expected string to have <=200 characters").
    await form.getByLabel("Name").fill("x".repeat(201));
    await form.getByLabel("Birth date").fill("2999-01-01");
    await form.getByRole("button", { name: "Register patient" }).click();
    await expect(form.getByText("The birth date cannot be in the future.")).toBeVisible();
    await expect(form.getByText("Name: at most 200 characters.", { exact: true })).toBeVisible();
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Birth date").fill("1971-03-15");
    await form.getByLabel("Sex").selectOption({ label: "Female" });
    await form.getByLabel("Fitzpatrick skin type").selectOption({ label: "Type III" });
    await form.getByRole("button", { name: "Register patient" }).click();
    await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
    await expect(page.getByTestId("demographics")).toContainText("1971-03-15");
    const patientUrl = page.url();

    // Search by MRN prefix finds exactly this patient.
    await page.goto("/patients");
    await page.getByLabel("Search patients").fill(mrn.slice(0, 10));
    await page.getByRole("button", { name: "Search" }).click();
    // The term is sealed in the URL: proxy logs and history never see an MRN or a name.
    await expect(page).toHaveURL(/\/patients\?s=[\w-]+$/);
    expect(page.url()).not.toContain(mrn.slice(0, 10));
    const rows = page.getByTestId("patient-table").locator("tbody tr");
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText(mrn);
    await expect(rows.first()).toContainText("Type III");

    // The same MRN again: the server's conflict is shown on the MRN field.
    await page.goto("/patients/new");
    const again = page.getByRole("form", { name: "Patient details" });
    await again.getByLabel("MRN").fill(mrn);
    await again.getByLabel("Name").fill("Someone Else");
    await again.getByRole("button", { name: "Register patient" }).click();
    await expect(again.getByTestId("field-error")).toHaveText(`A patient with MRN ${mrn} already exists.`);

    // Edit the demographics.
    await page.goto(patientUrl);
    const edit = page.getByRole("form", { name: "Edit demographics" });
    await edit.getByLabel("Name").fill(`${name}-Smith`);
    await edit.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByRole("heading", { level: 1, name: `${name}-Smith` })).toBeVisible();

    // Add a lesion: it opens the lesion's page.
    const addLesion = page.getByRole("form", { name: "Add lesion" });
    await addLesion.getByRole("button", { name: "Add lesion" }).click();
    await expect(addLesion.getByText("Choose a body site.")).toBeVisible();
    await addLesion.getByLabel("Body site").selectOption("back");
    await addLesion.getByLabel("Lesion label").fill("left scapula, dark macule");
    await addLesion.getByRole("button", { name: "Add lesion" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "left scapula, dark macule" })).toBeVisible();
    await expect(page.getByTestId("empty-state")).toContainText("No images yet");

    const assessment = page.getByRole("form", { name: "Record an assessment" });
    await assessment.getByLabel("Clinical impression").selectOption({ label: "Malignant" });
    await assessment.getByLabel("Plan").selectOption({ label: "Biopsy" });
    await assessment.getByLabel("Suspected diagnosis").selectOption({ label: "Melanoma" });
    await assessment.getByLabel("Note").fill("Irregular network, regression structures.");
    await assessment.getByRole("button", { name: "Record assessment" }).click();
    const assessments = page.getByTestId("assessment-list");
    await expect(assessments).toContainText("Malignant, plan: biopsy");
    await expect(assessments).toContainText("suspected Melanoma");
    await expect(assessments).toContainText(dermatologist.name);

    const outcome = page.getByRole("form", { name: "Record a histopathology result" });
    await outcome.getByLabel("Histopathology diagnosis").selectOption({ label: "Melanocytic nevus (incl. dysplastic)" });
    await outcome.getByRole("button", { name: "Record result" }).click();
    await expect(outcome.getByText("Enter the date of the histopathology report.", { exact: true })).toBeVisible();
    await outcome.getByLabel("Report date").fill("2026-01-05");
    await outcome.getByRole("button", { name: "Record result" }).click();
    const outcomes = page.getByTestId("outcome-list");
    await expect(outcomes).toContainText("Benign");
    await expect(outcomes).toContainText("Melanocytic nevus");
    await expect(outcomes).toContainText("Histopathology (biopsy)");
    await expect(outcomes).toContainText("2026-01-05");

    // The patient page summarises the lesion.
    await page.goto(patientUrl);
    const lesionRow = page.getByTestId("lesion-table").locator("tbody tr");
    await expect(lesionRow).toHaveCount(1);
    await expect(lesionRow).toContainText("Malignant, plan: biopsy");
    await expect(lesionRow).toContainText("Melanocytic nevus");

    // The audit log is for admins.
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" })).toHaveCount(0);
    expect((await page.goto("/audit"))?.status()).toBe(403);

    const { page: adminPage } = await signedInAs("ADMIN");
    await adminPage.goto("/queue");
    await adminPage.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }).click();
    await expect(adminPage.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
    const filter = adminPage.getByRole("form", { name: "Filter the audit log" });
    await filter.getByLabel("Actor email").fill(dermatologist.email);
    await filter.getByRole("button", { name: "Search" }).click();
    const entries = adminPage.getByTestId("audit-entry");
    // Newest first: the outcome, the assessment, the lesion, the edit, the registration, the sign-in (the access
    // log's reads are listed only when asked for).
    await expect(entries).toHaveCount(6);
    await expect(entries.nth(5)).toContainText("login");
    await expect(entries.nth(0)).toContainText("BiopsyOutcome");
    await expect(entries.nth(0)).toContainText("nv");
    await expect(entries.nth(1)).toContainText("ClinicalAssessment");
    await expect(entries.nth(1)).toContainText("MALIGNANT");
    await expect(entries.nth(2)).toContainText("Lesion");
    const update = entries.nth(3);
    await expect(update).toContainText("update");
    await expect(update.locator("del")).toContainText([name]);
    await expect(update.locator("ins")).toContainText([`${name}-Smith`]);
    await expect(entries.nth(4)).toContainText("create");
    await expect(entries.nth(4)).toContainText(mrn);

    // The access log: who opened this patient's record (the dermatologist, on the patient and lesion pages).
    await entries.nth(4).getByRole("link", { name: "who opened it" }).click();
    await expect(adminPage).toHaveURL(/action=VIEW/);
    const views = adminPage.getByTestId("audit-entry").filter({ hasText: dermatologist.email });
    await expect(views.filter({ hasText: "Opened the patient page" }).first()).toBeVisible();
    await expect(views.filter({ hasText: "Opened the lesion page" }).first()).toBeVisible();
  });

  test("the patient list pages through search results with bookmarkable links", async ({ signedInAs, db }) => {
    const { page } = await signedInAs("DERMATOLOGIST");
    const prefix = `PG${randomUUID().slice(0, 6).toUpperCase()}`;
    await db.patient.createMany({
      data: Array.from({ length: 27 }, (_, i) => ({ mrn: `${prefix}-${String(i).padStart(2, "0")}`, name: `Paging ${prefix} ${String(i).padStart(2, "0")}` })),
    });
    // An old-style link with the term in the clear is answered with the sealed URL.
    await page.goto(`/patients?q=${prefix}`);
    await expect(page).toHaveURL(/\/patients\?s=[\w-]+$/);
    await expect(page.getByTestId("patient-count")).toHaveText(`Showing 1–25 of 27 patients matching “${prefix}”.`);
    await page.getByRole("navigation", { name: "Pagination" }).getByRole("link", { name: "Next" }).click();
    await expect(page).toHaveURL(/\/patients\?s=[\w-]+&page=2$/);
    expect(page.url()).not.toContain(prefix);
    await expect(page.getByTestId("patient-table").locator("tbody tr")).toHaveCount(2);
    await expect(page.getByTestId("patient-count")).toHaveText(`Showing 26–27 of 27 patients matching “${prefix}”.`);
    // The sealed URL is a bookmark: opened again, it shows the same page of the same search.
    await page.goto(page.url());
    await expect(page.getByTestId("patient-count")).toHaveText(`Showing 26–27 of 27 patients matching “${prefix}”.`);

    await page.goto(`/patients?q=${prefix}-nobody`);
    await expect(page.getByTestId("empty-state")).toContainText("No patient matches");
    await expect(page.getByTestId("empty-state").getByRole("link", { name: "Register patient" })).toBeVisible();
  });

  test("a hospital's integration engine posts a FHIR Bundle: its patients appear, and the pathology result closes the lesion's flag", async ({
    signedInAs,
    db,
  }) => {
    const { page } = await signedInAs("DERMATOLOGIST");
    // A patient registered in DermFlag, with a lesion whose biopsy is planned and whose flag is open.
    const known = await db.patient.create({ data: { mrn: randomMrn(), name: "Known Before" }, select: { id: true, mrn: true } });
    const lesion = await db.lesion.create({ data: { patientId: known.id, bodySite: "back", label: "FHIR target" }, select: { id: true } });
    const flag = await db.flag.create({ data: { lesionId: lesion.id, kind: "LIKELY_BENIGN", reason: "e2e", biopsyPlanned: true, pMalignant: 0.1, threshold: 0.3 }, select: { id: true } });
    const newcomer = randomMrn();
    const bundle = pathologyBundle({
      mrn: known.mrn,
      familyName: "Fhirdoe",
      givenName: "Jana",
      birthDate: "1961-04-02",
      lesionId: lesion.id,
      accession: `S26-${Date.now()}`,
      diagnosis: { snomedCt: "372244006", display: "Malignant melanoma" },
    });
    const newPatient = {
      fullUrl: "urn:uuid:6f1d7a4e-0000-4000-8000-000000000001",
      resource: { resourceType: "Patient", name: [{ family: "Newcomer", given: ["Nia"] }], identifier: [{ type: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/v2-0203", code: "MR" }] }, value: newcomer }] },
      request: { method: "POST", url: "Patient" },
    };
    const body = JSON.stringify({ ...bundle, entry: [...bundle.entry, newPatient] });

    const response = await page.request.post("/api/fhir", { data: body, headers: { "Content-Type": "application/fhir+json" } });
    expect(response.status(), await response.text()).toBe(200);
    expect(response.headers()["content-type"]).toMatch(/^application\/fhir\+json/);

    await page.goto(`/patients?q=${newcomer}`);
    await expect(page.getByTestId("patient-table").locator("tbody tr")).toContainText(["Nia Newcomer"]);
    await page.goto(`/patients/${known.id}`);
    await expect(page.getByRole("heading", { level: 1, name: "Jana Fhirdoe" })).toBeVisible();
    await expect(page.getByText("Melanoma (invasive or in situ)")).toBeVisible();
    expect((await db.flag.findUniqueOrThrow({ where: { id: flag.id } })).status).toBe("CLOSED");

    // The engine retries the same Bundle: nothing new is recorded.
    expect((await page.request.post("/api/fhir/Bundle", { data: body, headers: { "Content-Type": "application/fhir+json" } })).status()).toBe(200);
    expect(await db.biopsyOutcome.count({ where: { lesionId: lesion.id } })).toBe(1);
  });
});

test.describe("the lesion record", () => {
  test("shows each prediction and one timeline; a retracted result stays on it, marked, and no longer closes the flag; lesion and review link to each other", async ({
    signedInAs,
    db,
  }) => {
    const { page, user } = await signedInAs("DERMATOLOGIST");
    const seeded = await scoredLesion(db, user.id, { mrnPrefix: "E2E-REC", name: "Record Patient", sex: "MALE", fitzpatrickType: 2, bodySite: "arm", note: "record" });
    await recomputeLesionFlag({ db, lesionId: seeded.lesionId });
    const flag = await db.flag.findFirstOrThrow({ where: { lesionId: seeded.lesionId, status: "OPEN" } });

    await page.goto(`/lesions/${seeded.lesionId}`);
    const predictions = page.getByTestId("prediction-table");
    for (const text of [seeded.model.version, "7.0%", "30.0%", "onnxruntime-cpu"]) await expect(predictions).toContainText(text);
    const timeline = page.getByTestId("lesion-timeline");
    await expect(timeline.getByTestId("timeline-assessment")).toContainText("Malignant, plan biopsy");
    await expect(timeline.getByTestId("timeline-flag")).toContainText("Likely benign");

    // A result, then its retraction by its author with a reason.
    const outcome = page.getByRole("form", { name: "Record a histopathology result" });
    // (Benign: a malignant result on a likely-benign flag would let the safety monitor suspend the shared active model.)
    await outcome.getByLabel("Histopathology diagnosis").selectOption({ label: "Melanocytic nevus (incl. dysplastic)" });
    await outcome.getByLabel("Report date").fill(new Date().toISOString().slice(0, 10));
    await outcome.getByRole("button", { name: "Record result" }).click();
    await expect(page.getByTestId("outcome-current")).toContainText("Melanocytic nevus");
    await expect.poll(async () => (await db.flag.findUniqueOrThrow({ where: { id: flag.id } })).status).toBe("CLOSED");
    await page.getByRole("button", { name: "Amend or retract this result" }).click();
    const correction = page.getByRole("form", { name: "Correct this result" });
    await correction.getByLabel("Correction").selectOption({ label: "Retract it: it no longer counts" });
    await correction.getByLabel("Why correct it").fill("Report of another patient");
    await correction.getByRole("button", { name: "Retract result" }).click();
    await expect(page.getByTestId("outcome-corrected")).toContainText("Retracted");
    await expect(page.getByTestId("outcome-current")).toHaveCount(0);
    await expect(timeline.getByTestId("timeline-outcome")).toContainText("Report of another patient");
    // The loop is open again: the flag is back in the queue, and the retraction is audited.
    expect((await db.flag.findUniqueOrThrow({ where: { id: flag.id } })).status).toBe("OPEN");
    expect(await db.auditLog.count({ where: { action: "RETRACT", entityType: "BiopsyOutcome", actorId: user.id } })).toBe(1);

    // The timeline links to the review; the review links back.
    await timeline.getByTestId("timeline-flag").getByRole("link").click();
    await expect(page).toHaveURL(new RegExp(`/review/${flag.id}$`));
    await page.getByRole("link", { name: "Record and history" }).click();
    await expect(page).toHaveURL(new RegExp(`/lesions/${seeded.lesionId}#record$`));
  });
});

test.describe("images", () => {
  test("uploads real images with progress, shows thumbnails behind the session, refuses a fake and spots a duplicate", async ({
    signedInAs,
    db,
    playwright,
    baseURL,
  }) => {
    const { page } = await signedInAs("DERMATOLOGIST");
    const patient = await db.patient.create({ data: { mrn: randomMrn(), name: "Upload Test" }, select: { id: true } });
    const lesion = await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: "upload target" }, select: { id: true } });
    const [first, second] = [await freshRealImage(), await freshRealImage()];

    await page.goto(`/lesions/${lesion.id}`);
    await expect(page.getByTestId("empty-state")).toContainText("No images yet");

    // Two real images through the file picker.
    await page.getByLabel("Choose images").setInputFiles([
      { name: "visit-1.jpg", mimeType: "image/jpeg", buffer: first },
      { name: "visit-2.jpg", mimeType: "image/jpeg", buffer: second },
    ]);
    const items = page.getByTestId("upload-item");
    await expect(items.filter({ hasText: "visit-1.jpg" })).toContainText("Stored", { timeout: 30_000 });
    await expect(items.filter({ hasText: "visit-2.jpg" })).toContainText("Stored", { timeout: 30_000 });
    await expect(items.filter({ hasText: "visit-1.jpg" }).getByText("Stored", { exact: true })).toBeVisible();

    // The timeline shows both thumbnails, loaded through the image route with the session.
    const thumbnails = page.getByTestId("image-timeline").getByRole("img");
    await expect(thumbnails).toHaveCount(2);
    for (const thumbnail of await thumbnails.all()) {
      await expect(thumbnail).toHaveJSProperty("complete", true);
      expect(await thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);
    }
    const src = await thumbnails.first().getAttribute("src");
    expect(src).toMatch(/^\/api\/images\/[a-z0-9]+\?variant=thumbnail$/);

    const signedIn = await page.request.get(src!);
    expect(signedIn.status()).toBe(200);
    expect(signedIn.headers()["content-type"]).toBe("image/jpeg");
    // The signed-in browser may keep it (never a shared cache), then revalidates it by its tag (SECURITY.md).
    expect(signedIn.headers()["cache-control"]).toBe("private, max-age=1800, immutable");
    expect(signedIn.headers()["x-content-type-options"]).toBe("nosniff");
    expect(signedIn.headers()["content-disposition"]).toMatch(/^inline; filename="lesion-image/);
    const etag = signedIn.headers()["etag"]!;
    expect((await page.request.get(src!, { headers: { "if-none-match": etag } })).status()).toBe(304);
    const anonymous = await playwright.request.newContext({ baseURL });
    expect((await anonymous.get(src!, { headers: { "if-none-match": etag } })).status()).toBe(401);
    // The login page (after sign-out, an expired session, before the next user signs in) empties the browser's cache.
    expect((await anonymous.get("/login")).headers()["clear-site-data"]).toBe('"cache"');
    expect((await anonymous.post(`/api/lesions/${lesion.id}/images`, { data: first, headers: { "content-type": "application/octet-stream" } })).status()).toBe(401);
    await anonymous.dispose();

    // A text file named .jpg, dropped on the drop zone, is refused with its reason.
    const dataTransfer = await page.evaluateHandle(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(["Clinic notes: not a picture.\n"], "notes.jpg", { type: "image/jpeg" }));
      return transfer;
    });
    await page.getByTestId("drop-zone").dispatchEvent("drop", { dataTransfer });
    // Generous: at start the worker scores the demo's images with the 128-px model and the two cores are busy.
    await expect(items.filter({ hasText: "notes.jpg" })).toContainText("Rejected: This file is text, not a JPEG, PNG, BMP or TIFF image.", {
      timeout: 30_000,
    });
    // Refused: it shows as failed (a red bar, "Failed"), not as a full progress bar although every byte was sent.
    await expect(items.filter({ hasText: "notes.jpg" }).getByText("Failed", { exact: true })).toBeVisible();
    await expect(page.getByLabel("Upload progress of notes.jpg")).toHaveCount(0);

    // The first picture again: a duplicate, nothing added.
    await page.getByLabel("Choose images").setInputFiles([{ name: "visit-1-copy.jpg", mimeType: "image/jpeg", buffer: first }]);
    await expect(items.filter({ hasText: "visit-1-copy.jpg" })).toContainText("Duplicate: this picture is already stored on this lesion", { timeout: 30_000 });
    expect(await db.lesionImage.count({ where: { lesionId: lesion.id } })).toBe(2);

    // Compare the two side by side.
    await page.getByLabel("Compare image 1").check();
    await page.getByLabel("Compare image 2").check();
    const comparison = page.getByTestId("comparison");
    await expect(comparison.getByRole("img")).toHaveCount(2);
    for (const image of await comparison.getByRole("img").all()) {
      await expect(image).toHaveJSProperty("complete", true);
      expect(await image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(500);
    }
  });
});
