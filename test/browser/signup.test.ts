/**
 * The signup page in Chromium against the local cloud: plan cards from GET /plans, live slug checks, precise
 * errors (client-side rules and the server's own refusals), one tenant per form fill, and the progress view
 * following GET /tenants/{id} until the workspace is ready. Screenshots at 1280×800 and 390 px go to screenshots/.
 */

import type { Page, Request } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DynamoTenantStore } from "../../core/adapters/tenant-store.js";
import { cloud } from "../support/cloud.js";
import { postSignup, uniqueCompany, useEmbarkEnvironment } from "../support/embark.js";
import { EXPECTED_STEP_LABELS } from "../support/onboarding-steps.js";
import { hasChromium, screenshot, useChromium } from "./support.js";

useEmbarkEnvironment();

describe.skipIf(!hasChromium)("signup page (Chromium)", () => {
  const { desktop, phone } = useChromium();

  async function openForm(page: Page, query = ""): Promise<void> {
    await page.goto(`${cloud().web}/${query}`);
    // Plan cards come from GET /plans.
    await page.locator(".plan-card").nth(2).waitFor();
  }

  it("shows the plans from the catalog and checks the slug while typing", async () => {
    const { page, errors } = desktop;
    await openForm(page);
    // Other suites add plans of their own to the shared catalog (e.g. a short-grace plan); the shipped ones keep
    // their order.
    const shipped = ["Free", "Standard", "Enterprise"];
    const names = await page.locator(".plan-card .plan-name").allTextContents();
    expect(names.filter((name) => shipped.includes(name))).toEqual(shipped);
    expect(await page.locator("#plan-enterprise-details").textContent()).toContain("Dedicated resources");
    expect(await page.locator("#plan-standard").isChecked()).toBe(true);

    const company = uniqueCompany("Live Check");
    await page.getByLabel("Company name").fill(company);
    const derived = company.toLowerCase().replace(/ /g, "-");
    await page.locator("#slug-status.ok", { hasText: `Your workspace ID will be “${derived}”` }).waitFor();

    await page.getByLabel(/Workspace ID/).fill("admin");
    await page.locator("#slug-error", { hasText: 'Slug "admin" is reserved' }).waitFor();
    expect(await page.getByLabel(/Workspace ID/).getAttribute("aria-invalid")).toBe("true");

    await page.getByLabel(/Workspace ID/).fill("Acme_Co");
    await page
      .locator("#slug-error", {
        hasText:
          'Slug "Acme_Co" contains "A" at position 1; only a-z, 0-9 and "-" are allowed; use lowercase letters',
      })
      .waitFor();

    const taken = (
      await postSignup({ companyName: uniqueCompany("Taken"), adminEmail: "a@taken.test", plan: "free" })
    ).body.slug as string;
    await page.getByLabel(/Workspace ID/).fill(taken);
    await page.locator("#slug-error", { hasText: `Slug "${taken}" is already taken` }).waitFor();

    await page.getByLabel(/Workspace ID/).fill(`free-${Date.now().toString(36)}`);
    await page.locator("#slug-status.ok", { hasText: "is available" }).waitFor();
    await screenshot(page, "signup-form-1280");
    expect(errors).toEqual([]);
  });

  it("refuses invalid input with precise messages, client-side and from the server", async () => {
    const { page, errors } = desktop;
    await openForm(page);
    const posts: Request[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST") posts.push(r);
    });

    await page.getByRole("button", { name: "Create workspace" }).click();
    await page.locator("#companyName-error", { hasText: "Enter your company name." }).waitFor();
    expect(await page.locator("#adminEmail-error").textContent()).toBe(
      "Enter the email address of your workspace admin.",
    );
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("companyName");

    await page.getByLabel("Company name").fill(uniqueCompany("Precise"));
    await page.getByLabel("Admin email").fill("not-an-email");
    await page.getByRole("button", { name: "Create workspace" }).click();
    await page
      .locator("#adminEmail-error", { hasText: '"not-an-email" is not a valid email address.' })
      .waitFor();
    expect(await page.locator("#companyName-error").isHidden()).toBe(true);
    expect(posts).toHaveLength(0); // the client caught both

    // The server stays the authority: a slug taken after the live check said "available" is refused with 409.
    const slug = `race-${Date.now().toString(36)}`;
    await page.getByLabel("Admin email").fill("owner@precise.test");
    await page.getByLabel(/Workspace ID/).fill(slug);
    await page.locator("#slug-status.ok", { hasText: `“${slug}” is available` }).waitFor();
    const other = await postSignup({
      companyName: uniqueCompany("Faster"),
      adminEmail: "a@faster.test",
      plan: "free",
      slug,
    });
    expect(other.status).toBe(202);
    await page.getByRole("button", { name: "Create workspace" }).click();
    await page.locator("#slug-error", { hasText: `Slug "${slug}" is already taken` }).waitFor();
    expect(posts).toHaveLength(1);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("slug");
    await screenshot(page, "signup-errors-1280");

    await phone.page.goto(page.url());
    await phone.page.locator(".plan-card").nth(2).waitFor();
    await phone.page.getByRole("button", { name: "Create workspace" }).click();
    await phone.page.locator("#companyName-error").waitFor();
    await screenshot(phone.page, "signup-errors-390");
    expect([...errors, ...phone.errors]).toEqual([]);
  });

  it("creates one tenant per form fill (double click) and follows its progress until it is ready", async () => {
    const { page, errors } = desktop;
    await openForm(page);
    const company = uniqueCompany("Progress Inc");
    const email = `admin+${Date.now()}@progress.test`;
    const posts: Request[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && r.url().endsWith("/signups")) posts.push(r);
    });
    await page.getByLabel("Company name").fill(company);
    await page.getByLabel("Admin email").fill(email);
    await page.locator("#plan-standard").check();
    await page.getByRole("button", { name: "Create workspace" }).dblclick();

    await page.locator("#step-list li").nth(6).waitFor();
    expect(page.url()).toMatch(/\?tenant=[0-9a-f-]{36}$/);
    expect(await page.locator("#step-list li .step-label").allTextContents()).toEqual(EXPECTED_STEP_LABELS);
    await screenshot(page, "signup-progress-1280");

    await page.locator("#progress-pill", { hasText: "Ready" }).waitFor({ timeout: 30_000 });
    await page.locator("#ready-box").waitFor();
    const tenantId = new URL(page.url()).searchParams.get("tenant") ?? "";
    const slug = company.toLowerCase().replace(/ /g, "-");
    expect(await page.locator("#progress-title").textContent()).toBe(`${company} is ready`);
    expect(await page.locator("#ready-namespace").textContent()).toBe(`tenant-${slug}`);
    expect(await page.locator("#ready-pool").textContent()).toMatch(/\S+_\S+/);
    expect(await page.locator("#ready-login").getAttribute("href")).toMatch(
      new RegExp(`/login\\?tenant=${slug}$`),
    );
    expect(await page.locator('li[data-step="runPipeline"]').getAttribute("data-state")).toBe("skipped");
    expect(await page.locator('li[data-step="activateTenant"]').getAttribute("data-state")).toBe("done");
    expect(await page.locator("#progress-elapsed").textContent()).toMatch(/^Ready in /);

    // However many clicks got through, every request carried the same Idempotency-Key: one tenant.
    expect(posts.length).toBeGreaterThanOrEqual(1);
    const keys = new Set(
      await Promise.all(posts.map(async (r) => (await r.allHeaders())["idempotency-key"])),
    );
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^[\w.:-]{8,128}$/);
    const mine = (await DynamoTenantStore.fromEnvironment().list()).filter((t) => t.companyName === company);
    expect(mine.map((t) => t.tenantId)).toEqual([tenantId]);
    await screenshot(page, "signup-ready-1280");

    // The progress view survives a reload (and can be opened on another device) through ?tenant=.
    await phone.page.goto(page.url());
    await phone.page.locator("#ready-box").waitFor();
    await screenshot(phone.page, "signup-ready-390");
    await phone.page.goto(`${cloud().web}/`);
    await phone.page.locator(".plan-card").nth(2).waitFor();
    await screenshot(phone.page, "signup-form-390");
    expect([...errors, ...phone.errors]).toEqual([]);
  });
});
