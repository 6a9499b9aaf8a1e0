import { expect, makeUser, test } from "./fixtures";

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
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("login-error")).toHaveText(/Email or password is incorrect/);

    // An unknown email reads exactly the same.
    await page.getByLabel("Email").fill("nobody@e2e.test");
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("login-error")).toHaveText(/Email or password is incorrect/);
  });

  test("a dermatologist signs in with the form, works the app, and is refused the admin page", async ({ page, db }) => {
    const user = await makeUser(db, "DERMATOLOGIST");
    await page.goto("/login");
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(user.password);
    await page.getByRole("button", { name: "Sign in" }).click();
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

  test("signing out ends the session", async ({ signedInAs }) => {
    const { page } = await signedInAs("DERMATOLOGIST");
    await page.goto("/patients");
    await page.getByRole("button", { name: "Sign out" }).click();
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

  test("the API refuses an anonymous caller with 401 and a dermatologist's admin call with 403", async ({ page, signedInAs }) => {
    const anonymous = await page.request.get("/api/trpc/users.list");
    expect(anonymous.status()).toBe(401);
    const { page: signedIn } = await signedInAs("DERMATOLOGIST");
    const forbidden = await signedIn.request.get("/api/trpc/users.list");
    expect(forbidden.status()).toBe(403);
  });
});
