import http from "node:http";
import { expect, makeUser, signInViaApi, test } from "./fixtures";

/**
 * POSTs a body declared as `declaredBytes` but sends only its first kilobyte, and waits for an answer: one can only
 * come from the headers. A server that first receives the whole body (Next.js's proxy does) never answers: refused
 * after `patienceMs`.
 */
// Patience: a route's first request in a web process loads its modules (the upload's pulls in sharp), and the e2e
// server runs two processes on two busy cores; 10 s was once not enough in CI. A server that waits for the body never
// answers, so a longer patience still catches it.
function postWithoutTheBody(path: string, headers: Record<string, string>, declaredBytes = 50 * 1024 * 1024, patienceMs = 30_000) {
  return new Promise<number>((resolve, reject) => {
    const request = http.request({ host: "127.0.0.1", port: 3100, path, method: "POST", headers: { ...headers, "content-length": String(declaredBytes) } });
    const timer = setTimeout(() => {
      request.destroy();
      reject(new Error(`no answer to ${path} within ${patienceMs} ms: the server waited for the body`));
    }, patienceMs);
    request.on("response", (response) => {
      clearTimeout(timer);
      response.resume();
      resolve(response.statusCode ?? 0);
      request.destroy();
    });
    request.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.write(Buffer.alloc(1024, 0x20));
  });
}

test.describe("signing in and roles", () => {
  test("a signed-out visitor is sent to the login page", async ({ page }) => {
    await page.goto("/queue");
    await expect(page).toHaveURL(/\/login/);
    await expect(page.getByRole("heading", { name: "DermFlag" })).toBeVisible();
  });

  test("robots.txt is public and keeps every page out of search engines", async ({ request }) => {
    const response = await request.get("/robots.txt");
    expect(response.status()).toBe(200);
    expect(await response.text()).toContain("Disallow: /");
  });

  test("a wrong password gets one clear message that reveals nothing", async ({ page, db }) => {
    const user = await makeUser(db, "DERMATOLOGIST");
    await page.goto("/login");
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByTestId("login-error")).toHaveText(/Email or password is incorrect/);

    // An unknown email reads exactly the same.
    await page.getByLabel("Email").fill("nobody@e2e.test");
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByTestId("login-error")).toHaveText(/Email or password is incorrect/);
  });

  test("a dermatologist signs in with the form, works the app, and is refused the admin page", async ({ page, db }) => {
    const user = await makeUser(db, "DERMATOLOGIST");
    await page.goto("/login");
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(user.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).toHaveURL(/\/queue$/);
    await expect(page.getByTestId("current-user")).toContainText("Dermatologist");
    const nav = page.getByRole("navigation", { name: "Main" });
    for (const item of ["Queue", "Patients", "Models", "Outcomes"]) {
      await expect(nav.getByRole("link", { name: item })).toBeVisible();
    }
    await expect(nav.getByRole("link", { name: "Admin" })).toHaveCount(0);

    const response = await page.goto("/admin");
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
    // Inside the app's frame: the navigation stays, and a way back.
    await expect(nav.getByRole("link", { name: "Patients" })).toBeVisible();
    await page.getByRole("link", { name: "Back to the queue" }).click();
    await expect(page).toHaveURL(/\/queue$/);
  });

  test("an admin sees the admin page and adds a user; a weak password gets a field error", async ({ signedInAs }) => {
    const { page } = await signedInAs("ADMIN");
    await page.goto("/admin");
    await expect(page.getByTestId("user-table")).toBeVisible();
    const form = page.getByRole("form", { name: "Add a user" });
    const email = `new-${Date.now()}@e2e.test`;
    await form.getByLabel("Name").fill("New Reviewer");
    await form.getByLabel("Email").fill(email);
    await form.getByLabel(/Initial password/).fill("short");
    await form.getByRole("button", { name: "Add user" }).click();
    await expect(form.getByText("Use at least 12 characters.")).toBeVisible();

    await form.getByLabel(/Initial password/).fill("a-much-longer-password");
    await form.getByRole("button", { name: "Add user" }).click();
    await expect(page.getByTestId("user-table")).toContainText(email);
  });

  test("an admin deactivates a user, whose sign-in is then refused, and unlocks a locked-out one", async ({ signedInAs, db, playwright }) => {
    const leaver = await makeUser(db, "DERMATOLOGIST");
    const lockedOut = await makeUser(db, "DERMATOLOGIST");
    // Locked as five wrong passwords would leave it (server/auth/authenticate.ts).
    await db.user.update({ where: { id: lockedOut.id }, data: { failedLoginCount: 5, lockedUntil: new Date(Date.now() + 15 * 60_000) } });
    const { page } = await signedInAs("ADMIN");
    await page.goto("/admin");
    const row = (user: { email: string }) => page.getByTestId("user-row").filter({ hasText: user.email });

    await row(leaver).getByRole("button", { name: "Deactivate" }).click();
    await expect(row(leaver).getByTestId("user-status")).toHaveText("Deactivated");
    const visitor = await playwright.request.newContext({ baseURL: page.url() });
    const { csrfToken } = (await (await visitor.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const refused = await visitor.post("/api/auth/callback/credentials", {
      form: { csrfToken, email: leaver.email, password: leaver.password, callbackUrl: "/queue" },
      maxRedirects: 0,
    });
    expect(refused.headers().location ?? "").toContain("error");
    await visitor.dispose();

    await expect(row(lockedOut).getByTestId("user-status")).toContainText("Locked until");
    await row(lockedOut).getByRole("button", { name: "Unlock" }).click();
    await expect(row(lockedOut).getByTestId("user-status")).toHaveText("Active");
    await signInViaApi(page.request, lockedOut);
  });

  test("after an admin's password reset the user signs in with the temporary one and must change it before anything else", async ({ signedInAs, db, browser }) => {
    const user = await makeUser(db, "DERMATOLOGIST");
    const temporary = "temporary-e2e-4821";
    const chosen = "chosen-by-the-user-7391";
    const { page: admin } = await signedInAs("ADMIN");
    await admin.goto("/admin");
    const row = admin.getByTestId("user-row").filter({ hasText: user.email });
    await row.getByRole("button", { name: "Reset password" }).click();
    await row.getByLabel("Temporary password").fill(temporary);
    await row.getByRole("button", { name: "Set", exact: true }).click();
    await expect(row.getByRole("status")).toContainText("they must change it at sign-in");

    const context = await browser.newContext({ baseURL: "http://127.0.0.1:3100" });
    const page = await context.newPage();
    const signIn = async (password: string) => {
      await page.goto("/login");
      await page.getByLabel("Email").fill(user.email);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
    };
    await signIn(user.password);
    await expect(page.getByTestId("login-error")).toBeVisible();
    await signIn(temporary);
    await expect(page).toHaveURL(/\/account\/password$/);
    await expect(page.getByText("An administrator reset your password")).toBeVisible();
    // Nothing else opens: pages come back here, the API refuses.
    await page.goto("/patients");
    await expect(page).toHaveURL(/\/account\/password$/);
    const refused = await page.request.get("/api/trpc/overview.counts");
    expect(refused.status()).toBe(403);
    expect(await refused.text()).toContain("Choose a new password first.");
    const image = await page.request.get("/api/images/no-such-image");
    expect(image.status()).toBe(403);

    const form = page.getByRole("form", { name: "Change your password" });
    await form.getByLabel("Current password").fill("not-the-temporary-one");
    await form.getByLabel("New password (12+ characters)").fill(chosen);
    await form.getByLabel("New password again").fill(chosen);
    await form.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByTestId("form-error")).toHaveText("The current password is not right.");
    await form.getByLabel("Current password").fill(temporary);
    await form.getByRole("button", { name: "Change password" }).click();
    await expect(page).toHaveURL(/\/queue$/);
    await expect(page.getByTestId("current-user")).toContainText("Dermatologist");
    await page.goto("/patients");
    await expect(page).toHaveURL(/\/patients$/);
    expect((await page.request.get("/api/trpc/overview.counts")).status()).toBe(200);
    await context.close();

    // The temporary password is spent; the chosen one signs in.
    await signInViaApi(admin.request, { email: user.email, password: chosen });
  });

  test("demo mode shows its banner on every page, the login page included", async ({ page, signedInAs }) => {
    await page.goto("/login");
    await expect(page.getByTestId("demo-banner")).toContainText("published passwords");
    await signedInAs("DERMATOLOGIST");
    await page.goto("/patients");
    await expect(page.getByTestId("demo-banner")).toBeVisible();
  });

  test("sign-in, a refused sign-in and sign-out are in the audit log under 'login'", async ({ page, db, signedInAs }) => {
    const user = await makeUser(db, "DERMATOLOGIST");
    const csrf = async () => ((await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string }).csrfToken;
    await page.request.post("/api/auth/callback/credentials", {
      form: { csrfToken: await csrf(), email: user.email, password: "not-the-password", callbackUrl: "/queue" },
      maxRedirects: 0,
    });
    await signInViaApi(page.request, user);
    await page.request.post("/api/auth/signout", { form: { csrfToken: await csrf() } });

    const { page: admin } = await signedInAs("ADMIN");
    await admin.goto(`/audit?action=LOGIN&entityId=${user.id}`);
    const rows = admin.getByTestId("audit-entry");
    await expect(rows).toHaveCount(3);
    await expect(rows.nth(0)).toContainText("signed out");
    await expect(rows.nth(1)).toContainText("signed in");
    // The connection's own address, stamped by the server's start-up hook (instrumentation.ts), not "unknown".
    await expect(rows.nth(1)).toContainText("127.0.0.1");
    await expect(rows.nth(2)).toContainText("sign-in refused");
  });

  test("a session token saved before Auth.js's own sign-out is refused after it", async ({ page, playwright, signedInAs }) => {
    await signedInAs("DERMATOLOGIST");
    const saved = (await page.context().cookies()).find((cookie) => cookie.name === "authjs.session-token");
    expect(saved).toBeDefined();
    // Signed in, a dermatologist is refused the admin API with 403; with a dead session it is 401.
    expect((await page.request.get("/api/trpc/users.list")).status()).toBe(403);
    const { csrfToken } = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
    await page.request.post("/api/auth/signout", { form: { csrfToken } });

    const replay = await playwright.request.newContext({
      baseURL: "http://127.0.0.1:3100",
      extraHTTPHeaders: { cookie: `authjs.session-token=${saved!.value}` },
    });
    expect((await replay.get("/api/trpc/users.list")).status()).toBe(401);
    await replay.dispose();
  });

  test("signing out ends the session", async ({ signedInAs }) => {
    const { page } = await signedInAs("DERMATOLOGIST");
    await page.goto("/patients");
    // The sign-out tells the browser to drop its cached patient images (SECURITY.md, "Patient images in the browser"):
    // the button is a server action whose redirect renders /login in the action's own answer, and Next.js copies
    // /login's headers (Clear-Site-Data, next.config.ts) onto it. Checked here because nothing else guarantees it.
    // (allHeaders: headers() leaves out some that Chromium reports separately.)
    const clearsCache = page.waitForResponse(async (response) => (await response.allHeaders())["clear-site-data"] === '"cache"', { timeout: 15_000 });
    await page.getByRole("button", { name: "Sign out" }).click();
    await clearsCache;
    await expect(page).toHaveURL(/\/login/);
    await page.goto("/patients");
    await expect(page).toHaveURL(/\/login/);
  });
});

test.describe("bad input", () => {
  test("an unknown route is a real 404 page", async ({ signedInAs }) => {
    const { page } = await signedInAs("DERMATOLOGIST");
    const response = await page.goto("/no-such-page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    // Inside the app's frame, with its navigation and a way back.
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Patients" })).toBeVisible();
    await page.getByRole("link", { name: "Go to the review queue" }).click();
    await expect(page).toHaveURL(/\/queue$/);
  });

  test("invalid tRPC input is a 400 with field errors", async ({ signedInAs }) => {
    const { page } = await signedInAs("ADMIN");
    const response = await page.request.post("/api/trpc/users.create", {
      data: { json: { email: "not-an-email", name: "", role: "ADMIN", password: "x" } },
    });
    expect(response.status()).toBe(400);
    const body = (await response.json()) as { error: { json: { data: { fieldErrors: Record<string, string[]> } } } };
    expect(Object.keys(body.error.json.data.fieldErrors).sort()).toEqual(["email", "name", "password"]);
  });

  test("an oversized POST to tRPC or the upload is refused from its headers, before the body arrives; pages stay behind the gate", async ({ page, request, signedInAs, db }) => {
    const json = { "content-type": "application/json" };
    const octets = { "content-type": "application/octet-stream" };
    expect(await postWithoutTheBody("/api/trpc/patients.create", json)).toBe(401);
    expect(await postWithoutTheBody("/api/lesions/no-such-lesion/images", octets)).toBe(401);

    await signedInAs("DERMATOLOGIST");
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    expect(await postWithoutTheBody("/api/trpc/patients.create", { ...json, cookie })).toBe(413);
    // The upload answers a lesion that does not exist before reading the body, and a real one's oversized image with
    // 422 (the upload's "rejected" answer, TOO_LARGE over IMAGE_MAX_BYTES), from the declared length alone.
    expect(await postWithoutTheBody("/api/lesions/no-such-lesion/images", { ...octets, cookie })).toBe(404);
    const patient = await db.patient.create({ data: { mrn: `SIZE-${Date.now()}`, name: "Size Limit" }, select: { id: true } });
    const lesion = await db.lesion.create({ data: { patientId: patient.id, bodySite: "back", label: "too large" }, select: { id: true } });
    expect(await postWithoutTheBody(`/api/lesions/${lesion.id}/images`, { ...octets, cookie })).toBe(422);
    expect(await postWithoutTheBody("/api/fhir/Bundle", { "content-type": "application/fhir+json", cookie })).toBe(413);

    // Pages are still behind the proxy's sign-in gate.
    const signedOut = await request.get("/patients", { maxRedirects: 0 });
    expect(signedOut.status()).toBe(307);
    expect(new URL(signedOut.headers().location ?? "", "http://x").pathname).toBe("/login");
  });

  test("the API refuses an anonymous caller with 401 and a dermatologist's admin call with 403", async ({ page, signedInAs }) => {
    const anonymous = await page.request.get("/api/trpc/users.list");
    expect(anonymous.status()).toBe(401);
    const { page: signedIn } = await signedInAs("DERMATOLOGIST");
    const forbidden = await signedIn.request.get("/api/trpc/users.list");
    expect(forbidden.status()).toBe(403);
  });
});
