/**
 * The artifact that deploys is the one that runs: the journey of test/support/journey.ts (every function of
 * the manifest) on a local cloud that runs the deployment bundles (`npm run bundle`, SST's esbuild options),
 * each from a task root of its own with no node_modules to fall back on. A bundling break (a dynamic require,
 * a file read beside a package, a CommonJS package in the ESM output, a missing export) fails here, as it
 * would on Lambda. The cloud runs in its own process (test/support/bundle-cloud-setup.ts).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FUNCTION_NAMES } from "../../core/app/manifest.js";
import { cloud } from "../support/cloud.js";
import type { FirstInvocation } from "../support/first-invocations.js";
import { journey } from "../support/journey.js";

describe("every function, run from its bundle", () => {
  const j = journey(cloud());
  afterAll(() => j.destroy());
  let standardSlug: string;
  let standardAdmin: string;
  let standardPool: string | undefined;

  it("a standard signup reaches ACTIVE, and GET /tenants/{slug} shows it", async () => {
    const r = await j.standardSignup();
    expect(r.status).toBe(202);
    expect(r.active.status).toBe("ACTIVE");
    expect(Object.fromEntries(r.active.steps.map((s) => [s.name, s.status]))).toMatchObject({
      reserveTenant: "done",
      createIdentity: "done",
      setupNamespace: "done",
      runPipeline: "skipped",
      activateTenant: "done",
    });
    expect(r.bySlug?.tenantId).toBe(r.body.tenantId);
    standardSlug = r.body.slug;
    standardAdmin = r.adminEmail;
    standardPool = r.active.resources.userPoolId;
  });

  it("the admin signs in for the first time: sign-in page, sign-in ids, SRP, new password, tenant claims", async () => {
    const r = await j.firstSignIn(standardSlug, standardAdmin);
    expect(r.page.status).toBe(200);
    expect(r.page.text).toContain("Password");
    expect(r.config.userPoolId).toBe(standardPool);
    expect(r.claims).toMatchObject({ tenant_slug: standardSlug, tenant_plan: "standard" });
  });

  it("a reconcile pass over the active tenant finds nothing to repair", async () => {
    const r = await j.reconcile(standardSlug);
    expect(r.functionError).toBeUndefined();
    expect(r.report.checked).toEqual({ ACTIVE: 1 });
    expect(r.report.actions).toEqual([]);
  });

  it("serves the signup page, the plan catalog and slug availability", async () => {
    const r = await j.httpRoutes(standardSlug);
    expect(r.page.status).toBe(200);
    expect(r.page.contentType).toMatch(/text\/html/);
    expect(r.page.text).toContain("<form");
    expect(r.plans.status).toBe(200);
    expect(r.plans.body.plans.map((p) => p.id)).toEqual(expect.arrayContaining(["standard", "enterprise"]));
    expect(r.taken.body).toMatchObject({ slug: standardSlug, available: false, reason: "taken" });
    expect(r.free.body).toMatchObject({ available: true });
  });

  it("a signed checkout webhook onboards an enterprise customer through the pipeline", async () => {
    const r = await j.enterpriseFromCheckout();
    expect(r.accepted).toMatchObject({ status: 200, body: { received: true, handled: true } });
    expect(r.routed.outcome).toBe("created");
    expect(r.active.status).toBe("ACTIVE");
    expect(r.active.steps.find((s) => s.name === "runPipeline")?.status).toBe("done");
  });

  it("a subscription update changes the plan (PlanChange, pipeline teardown)", async () => {
    const r = await j.planChange();
    expect(r.routed).toMatchObject({ outcome: "started", execution: `${r.slug}-plan-change-1` });
    expect(r.execution).toBe("SUCCEEDED");
    expect(r.record?.plan).toBe("standard");
  });

  it("a failed payment past the grace period suspends the tenant", async () => {
    const r = await j.suspend();
    expect(r.execution).toBe("SUCCEEDED");
    expect(r.record?.status).toBe("SUSPENDED");
  });

  it("a paid invoice reactivates it", async () => {
    const r = await j.reactivate();
    expect(r.execution).toBe("SUCCEEDED");
    expect(r.record?.status).toBe("ACTIVE");
  });

  it("a deleted subscription offboards it", async () => {
    const r = await j.offboard();
    expect(r.execution).toBe("SUCCEEDED");
    expect(r.record?.status).toBe("OFFBOARDED");
  });

  it("a failing pipeline fails the onboarding, and record-failure says where and why", async () => {
    const r = await j.failedOnboarding();
    expect(r.status).toBe(202);
    expect(r.failed.status).toBe("FAILED");
    expect(r.failed.failure).toMatchObject({ step: "runPipeline", error: "PipelineFailed" });
    expect(r.failed.failure?.cause).toContain("Deploy stage failed: journey");
  });

  it("ran every function of the manifest from its bundle", async () => {
    const file = join(cloud().stateDir, "first-invocations.json");
    const ran = JSON.parse(await readFile(file, "utf8")) as Record<string, FirstInvocation>;
    expect(Object.keys(ran).sort()).toEqual([...FUNCTION_NAMES].sort());
  });
});
