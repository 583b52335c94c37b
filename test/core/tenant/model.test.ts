import { describe, expect, it } from "vitest";
import {
  InvalidTenantError,
  newTenant,
  newTenantId,
  ONBOARDING_STEPS,
  publicTenantView,
  STEP_LABELS,
  stepForStateName,
  Tenant,
} from "../../../core/tenant/model.js";
import { EXPECTED_STEP_LABELS } from "../../support/onboarding-steps.js";

const NOW = new Date("2026-11-23T10:00:00.000Z");
const input = {
  slug: "acme-corp",
  companyName: "Acme Corp",
  adminEmail: "ops@acme.example",
  plan: "standard",
  now: NOW,
};

describe("tenant model", () => {
  it("steps are ordered with human labels", () => {
    expect(ONBOARDING_STEPS).toEqual([
      "reserveTenant",
      "createIdentity",
      "setupNamespace",
      "runPipeline",
      "activateTenant",
      "publishEvents",
      "sendWelcome",
    ]);
    expect(ONBOARDING_STEPS.map((s) => STEP_LABELS[s])).toEqual(EXPECTED_STEP_LABELS);
    // Step Functions state names: at most 80 characters.
    for (const label of Object.values(STEP_LABELS)) expect(label.length).toBeLessThanOrEqual(80);
    expect(stepForStateName("Set up namespace")).toBe("setupNamespace");
    expect(stepForStateName("SetupNamespace")).toBeUndefined();
  });

  it("newTenantId gives distinct UUIDs the schema accepts", () => {
    const a = newTenantId();
    const b = newTenantId();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("newTenant builds a PROVISIONING tenant with every step pending", () => {
    const t = newTenant(input);
    expect(t.status).toBe("PROVISIONING");
    expect(t.version).toBe(1);
    expect(t.createdAt).toBe("2026-11-23T10:00:00.000Z");
    expect(t.updatedAt).toBe(t.createdAt);
    expect(Object.keys(t.steps)).toEqual([...ONBOARDING_STEPS]);
    for (const s of ONBOARDING_STEPS) {
      expect(t.steps[s]).toEqual({ status: "pending", at: t.createdAt, attempts: 0 });
    }
    expect(t.resources).toEqual({});
    expect(t.failure).toBeUndefined();
    expect(t.billing).toBeUndefined();
    expect(Tenant.parse(t)).toEqual(t);
  });

  it("newTenant keeps a given id and billing ids", () => {
    const tenantId = newTenantId();
    const t = newTenant({ ...input, tenantId, billing: { customerId: "cus_1", subscriptionId: "sub_1" } });
    expect(t.tenantId).toBe(tenantId);
    expect(t.billing).toEqual({ customerId: "cus_1", subscriptionId: "sub_1" });
  });

  it("newTenant refuses invalid fields", () => {
    expect(() => newTenant({ ...input, slug: "kube-x" })).toThrow(
      'Invalid tenant: slug: Slug "kube-x" is reserved',
    );
    expect(() => newTenant({ ...input, adminEmail: "not-an-email" })).toThrow(InvalidTenantError);
    expect(() => newTenant({ ...input, adminEmail: "not-an-email" })).toThrow(/adminEmail/);
    expect(() => newTenant({ ...input, plan: "Gold Plan" })).toThrow(/plan: Plan id must be/);
    expect(() => newTenant({ ...input, tenantId: "123" })).toThrow(/tenantId/);
  });

  it("the schema reads a step the record predates as pending and strips unknown attributes (table keys)", () => {
    const t = newTenant(input);
    // A record written before "Publish tenant events" existed.
    const { publishEvents: _, ...older } = t.steps;
    expect(Tenant.parse({ ...t, steps: older }).steps.publishEvents).toEqual({
      status: "pending",
      at: "1970-01-01T00:00:00.000Z",
      attempts: 0,
    });
    expect(Tenant.safeParse({ ...t, steps: { ...t.steps, sendWelcome: { status: "sent" } } }).success).toBe(
      false,
    );
    expect(Tenant.safeParse({ ...t, status: "DELETED" }).success).toBe(false);
    expect(Tenant.safeParse({ ...t, version: 1.5 }).success).toBe(false);
    const parsed = Tenant.parse({ ...t, pk: `TENANT#${t.tenantId}`, gsi1pk: "SLUG#acme-corp" });
    expect(parsed).not.toHaveProperty("pk");
    expect(parsed).toEqual(t);
  });

  it("publicTenantView shows progress, ids and failure, never secrets", () => {
    const t = Tenant.parse({
      ...newTenant(input),
      status: "FAILED",
      steps: {
        ...newTenant(input).steps,
        reserveTenant: { status: "done", at: NOW.toISOString(), attempts: 1 },
        createIdentity: {
          status: "failed",
          at: NOW.toISOString(),
          attempts: 3,
          error: { name: "LimitExceededException", message: "Too many user pools" },
        },
      },
      resources: {
        userPoolId: "us-east-1_abc",
        userPoolClientId: "client1",
        adminUsername: "ops@acme.example",
        namespace: "tenant-acme-corp",
      },
      billing: {
        customerId: "cus_secret",
        subscriptionId: "sub_1",
        lastEventId: "evt_1",
        lastEventCreated: 17,
      },
      failure: {
        step: "createIdentity",
        error: "LimitExceededException",
        cause: "Too many user pools",
        at: NOW.toISOString(),
      },
    });
    const v = publicTenantView(t);
    expect(v.status).toBe("FAILED");
    expect(v.steps.map((s) => s.label)).toEqual(ONBOARDING_STEPS.map((s) => STEP_LABELS[s]));
    expect(v.steps[1]).toMatchObject({ name: "createIdentity", status: "failed", attempts: 3 });
    expect(v.failure).toEqual({
      step: "createIdentity",
      stepLabel: "Create identity",
      error: "LimitExceededException",
      cause: "Too many user pools",
      at: NOW.toISOString(),
    });
    expect(v.resources).toEqual({
      userPoolId: "us-east-1_abc",
      userPoolClientId: "client1",
      namespace: "tenant-acme-corp",
    });
    const json = JSON.stringify(v);
    expect(json).not.toContain("ops@acme.example");
    expect(json).not.toContain("cus_secret");
    expect(json).not.toContain("evt_1");
    expect(v).not.toHaveProperty("version");
    expect(v).not.toHaveProperty("adminEmail");
    expect(v).not.toHaveProperty("billing");
  });

  it("publicTenantView labels a failure recorded by state name and omits absent parts", () => {
    const base = newTenant(input);
    const v = publicTenantView({
      ...base,
      failure: {
        step: "Run deployment pipeline",
        error: "States.Timeout",
        cause: "No answer",
        at: base.createdAt,
      },
    });
    expect(v.failure?.stepLabel).toBe("Run deployment pipeline");
    const clean = publicTenantView(base);
    expect(clean).not.toHaveProperty("failure");
    expect(clean.resources).toEqual({});
    expect(clean.steps.every((s) => !("error" in s))).toBe(true);
  });
});
