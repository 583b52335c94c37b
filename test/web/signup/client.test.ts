/** The signup page's client logic (web/signup/client/model.ts) and the freshness of its committed bundle. */
import { describe, expect, it } from "vitest";
import { parseSignup } from "../../../core/signup/request.js";
import { bundleSignupClient, minifySignupCss } from "../../../scripts/build-web.js";
import {
  checkSignup,
  elapsedMs,
  formatDuration,
  IdempotencyKeys,
  type PublicStep,
  type PublicTenant,
  pollDelayMs,
  signupBody,
  stepView,
} from "../../../web/signup/client/model.js";
import { SIGNUP_CLIENT_JS, SIGNUP_CSS } from "../../../web/signup/generated/page-assets.js";
import { renderSignupPage, SIGNUP_PAGE_CSP } from "../../../web/signup/page.js";

const valid = { companyName: "Acme Corp", adminEmail: "ops@acme.test", plan: "standard", slug: "" };

describe("client-side checks mirror POST /signups", () => {
  it("accepts what the server accepts", () => {
    expect(checkSignup(valid)).toEqual({});
    expect(checkSignup({ ...valid, slug: "acme-eu" })).toEqual({});
    expect(parseSignup(signupBody(valid)).ok).toBe(true);
  });

  it.each([
    [{ companyName: " " }, "companyName", "Enter your company name."],
    [{ companyName: "A" }, "companyName", "Company name must be at least 2 characters."],
    [{ companyName: "x".repeat(101) }, "companyName", "Company name must be at most 100 characters."],
    [{ companyName: "<b>Acme</b>" }, "companyName", 'Company name must not contain "<" or ">".'],
    [
      { companyName: "\u0410cme" },
      "companyName",
      'Company name mixes scripts in the word "\u0410cme" (Cyrillic and Latin): write each word in one script.',
    ],
    [{ adminEmail: "" }, "adminEmail", "Enter the email address of your workspace admin."],
    [{ adminEmail: "ops@acme" }, "adminEmail", '"ops@acme" is not a valid email address.'],
    [{ plan: "" }, "plan", "Choose a plan."],
    [{ slug: "admin" }, "slug", 'Slug "admin" is reserved'],
    [{ slug: "kube-system" }, "slug", 'Slug "kube-system" is reserved'],
    [{ slug: "ab" }, "slug", 'Slug "ab" must be 3-40 characters long (it has 2)'],
    [
      { companyName: "!!!" },
      "slug",
      "We can't make a workspace ID from this company name. Please choose one.",
    ],
  ])("refuses %o on %s: %s", (patch, field, message) => {
    const values = { ...valid, ...patch };
    expect(checkSignup(values)).toEqual({ [field]: message });
    // …and the server refuses the same input.
    expect(parseSignup(signupBody(values)).ok).toBe(false);
  });

  it("uses the server's own email rule (zod's pattern)", () => {
    for (const email of ["a.b+tag@sub.example.co", "x_y@example.io"]) {
      expect(checkSignup({ ...valid, adminEmail: email }).adminEmail).toBeUndefined();
      expect(parseSignup({ ...signupBody(valid), adminEmail: email }).ok).toBe(true);
    }
    for (const email of ["a..b@example.com", "a@b", "a b@example.com", ".a@example.com"]) {
      expect(checkSignup({ ...valid, adminEmail: email }).adminEmail).toBeDefined();
      expect(parseSignup({ ...signupBody(valid), adminEmail: email }).ok).toBe(false);
    }
  });

  it("leaves an empty slug out of the body so the server derives one", () => {
    expect(signupBody({ ...valid, companyName: " Acme Corp " })).toEqual({
      companyName: "Acme Corp",
      adminEmail: "ops@acme.test",
      plan: "standard",
    });
  });
});

describe("IdempotencyKeys", () => {
  it("reuses the key for the same body and makes a new one when the body changes", () => {
    let n = 0;
    const keys = new IdempotencyKeys(() => `key-${++n}-abcdef`);
    const a = keys.keyFor('{"a":1}');
    expect(keys.keyFor('{"a":1}')).toBe(a);
    const b = keys.keyFor('{"a":2}');
    expect(b).not.toBe(a);
    expect(keys.keyFor('{"a":2}')).toBe(b);
  });
});

describe("progress view", () => {
  const createdAt = "2026-01-01T00:00:00.000Z";
  const at = (ms: number) => new Date(Date.parse(createdAt) + ms).toISOString();
  const step = (p: Partial<PublicStep>): PublicStep => ({
    name: "createIdentity",
    label: "Create identity",
    status: "pending",
    at: createdAt,
    attempts: 0,
    ...p,
  });
  const base = { createdAt };

  it("describes each step state", () => {
    const now = Date.parse(createdAt) + 5000;
    expect(stepView(step({}), base, now)).toEqual({ state: "pending", text: "Waiting" });
    expect(stepView(step({ status: "running", at: at(2000), attempts: 1 }), base, now).text).toBe(
      "Running · 3.0 s",
    );
    expect(stepView(step({ status: "running", at: at(4000), attempts: 2 }), base, now).text).toBe(
      "Running · attempt 2 · 1.0 s",
    );
    expect(
      stepView(
        step({ status: "retrying", attempts: 1, error: { name: "TransientError", message: "Throttled" } }),
        base,
        now,
      ),
    ).toEqual({ state: "retrying", text: "Retrying · attempt 2", detail: "Last attempt: Throttled" });
    expect(stepView(step({ status: "done", at: at(2400), attempts: 1 }), base, now)).toEqual({
      state: "done",
      text: "Done",
      when: "+2.4 s",
    });
    expect(stepView(step({ status: "skipped" }), base, now).text).toBe("Not needed on this plan");
  });

  it("shows the tenant's failure cause on the failed step", () => {
    const failure = {
      step: "runPipeline",
      stepLabel: "Run deployment pipeline",
      error: "PipelineFailed",
      cause: "quota",
      at: at(900),
    };
    const view = stepView(
      step({
        name: "runPipeline",
        status: "failed",
        at: at(900),
        error: { name: "PipelineFailed", message: "long" },
      }),
      { createdAt, failure },
      0,
    );
    expect(view).toEqual({ state: "failed", text: "Failed", detail: "quota", when: "+900 ms" });
  });

  it("counts elapsed time until ready or failed, and polls while something can change", () => {
    const tenant = (status: PublicTenant["status"], extra: Partial<PublicTenant> = {}): PublicTenant => ({
      tenantId: "t",
      slug: "s",
      companyName: "C",
      plan: "free",
      status,
      steps: [
        step({ name: "activateTenant", status: status === "ACTIVE" ? "done" : "pending", at: at(4200) }),
      ],
      resources: {},
      createdAt,
      updatedAt: at(9000),
      ...extra,
    });
    expect(elapsedMs(tenant("ACTIVE"), Date.parse(createdAt) + 60_000)).toBe(4200);
    expect(elapsedMs(tenant("PROVISIONING"), Date.parse(createdAt) + 1500)).toBe(1500);
    expect(pollDelayMs("PROVISIONING", 1000)).toBe(1000);
    expect(pollDelayMs("PROVISIONING", 120_000)).toBe(3000);
    expect(pollDelayMs("FAILED", 0)).toBe(4000);
    expect(pollDelayMs("ACTIVE", 0)).toBeUndefined();
    expect(formatDuration(65_000)).toBe("1 min 05 s");
  });
});

describe("the page", () => {
  it("inlines the committed bundle, which is what `npm run build:web` builds from the sources now", async () => {
    expect(await bundleSignupClient()).toBe(SIGNUP_CLIENT_JS);
  });

  it("inlines the committed stylesheet, which is what `npm run build:web` makes of styles.css now", async () => {
    expect(await minifySignupCss()).toBe(SIGNUP_CSS);
  });

  it("allows exactly its own script and stylesheet, and escapes the app URL", () => {
    const page = renderSignupPage({ appUrl: 'https://app.example.com/"><script>' });
    expect(page.headers["content-security-policy"]).toBe(SIGNUP_PAGE_CSP);
    expect(SIGNUP_PAGE_CSP).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+';/);
    expect(SIGNUP_PAGE_CSP).not.toContain("unsafe-inline");
    expect(page.html).toContain('data-app-url="https://app.example.com/&#34;&#62;&#60;script&#62;"');
    expect(page.html.match(/<script>/g)).toHaveLength(1);
    for (const id of ["companyName", "adminEmail", "slug"])
      expect(page.html).toContain(`<label for="${id}">`);
  });
});
