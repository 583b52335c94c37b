import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloud } from "../support/cloud.js";
import { eventually, sentMail, uniqueCompany, waitForTenant } from "../support/embark.js";
import { endpointOnlyEnv, runOpsCli } from "../support/ops-cli.js";
import {
  DESKTOP,
  hasChromium,
  launchChromium,
  newPage,
  PHONE,
  screenshot,
  type TestPage,
} from "./support.js";

const NEW_PASSWORD = "Fresh-Start-2026!";

/** The ops CLI as an operator runs it against the local cloud: only AWS_ENDPOINT_URL and credentials set. */
const ops = (...args: string[]) => runOpsCli(args, endpointOnlyEnv());

describe.skipIf(!hasChromium)("sign-in page (Chromium)", () => {
  let browser: Browser;
  let desktop: TestPage;
  let phone: TestPage;
  const company = uniqueCompany("Signin Works");
  const email = `admin+${Date.now()}@signin.test`;
  let slug: string;
  let loginLink: string;
  let temporary: string;

  beforeAll(async () => {
    browser = await launchChromium();
    desktop = await newPage(browser, DESKTOP);
    phone = await newPage(browser, PHONE);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("signs up on the signup page; the invitation and the welcome email arrive in the local mail store", async () => {
    const { page } = desktop;
    await page.goto(`${cloud().web}/`);
    await page.locator(".plan-card").nth(2).waitFor();
    await page.getByLabel("Company name").fill(company);
    await page.getByLabel("Admin email").fill(email);
    await page.locator("#plan-standard").check();
    await page.getByRole("button", { name: "Create workspace" }).click();
    await page.locator("#ready-box").waitFor({ timeout: 45_000 });
    const tenantId = new URL(page.url()).searchParams.get("tenant") ?? "";
    slug = (await waitForTenant(tenantId, ["ACTIVE"])).slug;

    const mine = await eventually(
      async () => (await sentMail()).filter((m) => m.to.includes(email)),
      (m) =>
        m.some((x) => /Welcome to Embark/.test(x.subject)) && m.some((x) => /sign-in for/.test(x.subject)),
      30_000,
    );
    const invitation = mine.find((m) => /sign-in for/.test(m.subject));
    expect(invitation?.subject).toBe(`Your Embark sign-in for ${company}`);
    // Embark's wording (the plan's invitation email), the password filled in by Cognito.
    expect(invitation?.html).toContain("on the <strong>Standard</strong> plan");
    temporary = /Temporary password: <strong>([^<]+)<\/strong>/.exec(invitation?.html ?? "")?.[1] ?? "";
    expect(temporary).toMatch(/^\S{12,}$/);
    const welcome = mine.find((m) => /Welcome to Embark/.test(m.subject));
    loginLink = /href="([^"]+\/login\?tenant=[^"]+)"/.exec(welcome?.html ?? "")?.[1] ?? "";
    expect(loginLink).toBe(`${cloud().web}/login?tenant=${slug}`);
    // The ready page links to the same place.
    expect(await page.locator("#ready-login").getAttribute("href")).toBe(loginLink);
  });

  it("refuses a wrong password with a message screen readers hear", async () => {
    const { page, errors } = desktop;
    await page.goto(loginLink);
    await page.locator("#title", { hasText: `Sign in to ${company}` }).waitFor();
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Password", { exact: true }).fill("Not-the-password-1!");
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert");
    await alert.filter({ hasText: "That email and password don't match" }).waitFor();
    expect(await alert.getAttribute("aria-live")).toBe("assertive");
    expect(await page.getByLabel("Password", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    await screenshot(page, "sign-in-wrong-password-1280");
    expect(errors).toEqual([]);
  });

  it("signs in with the temporary password, sets a new one and shows the tenant's claims", async () => {
    const { page, errors } = desktop;
    await page.getByLabel("Password", { exact: true }).fill(temporary);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByLabel("New password").waitFor();
    await screenshot(page, "sign-in-new-password-1280");
    // The pool's policy applies: too weak is refused, with Cognito's reason.
    await page.getByLabel("New password").fill("weakpass");
    await page.getByRole("button", { name: "Set password and sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "Choose a different password" }).waitFor();
    await page.getByLabel("New password").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Set password and sign in" }).click();

    await page.locator("#signed-in").waitFor();
    expect(await page.locator("#who-tenant").textContent()).toBe(`${slug} (${company})`);
    expect(await page.locator("#who-email").textContent()).toBe(email);
    expect(await page.locator("#who-plan").textContent()).toBe("standard");
    const claims = Object.fromEntries(
      await page
        .locator("#claims tr")
        .evaluateAll((rows) =>
          rows.map((r) => [r.querySelector("th")?.textContent, r.querySelector("td")?.textContent]),
        ),
    );
    expect(claims).toMatchObject({ tenant_slug: slug, tenant_plan: "standard", email, token_use: "id" });
    expect(claims.tenant_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("signed-in-title");
    await screenshot(page, "sign-in-signed-in-1280");

    // The new password now signs in directly, on a phone too.
    await phone.page.goto(loginLink);
    await phone.page.getByLabel("Email", { exact: true }).fill(email);
    await phone.page.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
    await phone.page.getByRole("button", { name: "Sign in" }).click();
    await phone.page.locator("#signed-in").waitFor();
    await screenshot(phone.page, "sign-in-signed-in-390");
    expect([...errors, ...phone.errors]).toEqual([]);
  });

  it("a suspended workspace says so instead of offering a sign-in", async () => {
    const suspended = await ops("suspend", slug, "--wait");
    expect(suspended.code, suspended.stderr).toBe(0);
    const { page, errors } = desktop;
    await page.goto(loginLink);
    await page
      .getByRole("alert")
      .filter({ hasText: `Workspace ${slug} is suspended` })
      .waitFor();
    expect(await page.locator("#signin-form").isHidden()).toBe(true);
    await screenshot(page, "sign-in-suspended-1280");

    // An unknown workspace, and a link without one, are explained too.
    await page.goto(`${cloud().web}/login?tenant=no-such-workspace-${Date.now()}`);
    await page.getByRole("alert").filter({ hasText: "There is no workspace" }).waitFor();
    await page.goto(`${cloud().web}/login`);
    await page.getByRole("alert").filter({ hasText: "names no workspace" }).waitFor();
    expect(errors).toEqual([]);
  });
});
