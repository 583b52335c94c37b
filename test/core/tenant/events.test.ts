import { describe, expect, it } from "vitest";
import {
  causeOf,
  TENANT_EVENT_TYPES,
  TenantEvent,
  tenantEventFor,
  tenantEventTypeFor,
} from "../../../core/tenant/events.js";
import { TENANT_STATUSES } from "../../../core/tenant/status.js";

const facts = {
  tenantId: "9f0c6a57-2c5e-4a57-9a38-0a7e3f1d2b11",
  slug: "acme-corp",
  plan: "standard",
  cause: { execution: "acme-corp-onboard-1" },
  now: new Date("2026-12-02T10:00:00Z"),
};

describe("tenant lifecycle events", () => {
  it("names each published transition and nothing for internal moves", () => {
    expect(tenantEventTypeFor("PROVISIONING", "ACTIVE")).toBe("Tenant Activated");
    expect(tenantEventTypeFor("SUSPENDED", "ACTIVE")).toBe("Tenant Reactivated");
    expect(tenantEventTypeFor("PROVISIONING", "FAILED")).toBe("Tenant Onboarding Failed");
    expect(tenantEventTypeFor("ACTIVE", "SUSPENDED")).toBe("Tenant Suspended");
    expect(tenantEventTypeFor("OFFBOARDING", "OFFBOARDED")).toBe("Tenant Offboarded");
    expect(tenantEventTypeFor("FAILED", "PROVISIONING")).toBeUndefined();
    expect(tenantEventTypeFor("ACTIVE", "OFFBOARDING")).toBeUndefined();
    const named = new Set(
      TENANT_STATUSES.flatMap((from) => TENANT_STATUSES.map((to) => tenantEventTypeFor(from, to))),
    );
    // Plan changes are named by their own write (recordPlan), not by a status move.
    expect([...named].filter(Boolean).sort()).toEqual(
      TENANT_EVENT_TYPES.filter((t) => t !== "Tenant Plan Changed").sort(),
    );
  });

  it("derives the identity from the tenant and its next version, so a retry makes the same event", () => {
    const a = tenantEventFor({
      ...facts,
      previousStatus: "PROVISIONING",
      status: "ACTIVE",
      previousVersion: 0,
    });
    const b = tenantEventFor({
      ...facts,
      previousStatus: "PROVISIONING",
      status: "ACTIVE",
      previousVersion: 0,
    });
    expect(a).toEqual(b);
    expect(a?.detail).toMatchObject({
      eventId: `${facts.tenantId}:1`,
      version: 1,
      status: "ACTIVE",
      previousStatus: "PROVISIONING",
      occurredAt: "2026-12-02T10:00:00.000Z",
      cause: { execution: "acme-corp-onboard-1" },
    });
    const next = tenantEventFor({
      ...facts,
      previousStatus: "ACTIVE",
      status: "SUSPENDED",
      previousVersion: 1,
    });
    expect(next?.detail.eventId).toBe(`${facts.tenantId}:2`);
    expect(TenantEvent.parse(next)).toEqual(next);
    expect(
      tenantEventFor({ ...facts, previousStatus: "FAILED", status: "PROVISIONING", previousVersion: 1 }),
    ).toBeUndefined();
  });

  it("a plan change carries the previous plan; a failure its step and cause", () => {
    const changed = tenantEventFor(
      {
        ...facts,
        plan: "enterprise",
        previousPlan: "standard",
        previousStatus: "ACTIVE",
        status: "ACTIVE",
        previousVersion: 3,
      },
      "Tenant Plan Changed",
    );
    expect(changed?.detail).toMatchObject({ plan: "enterprise", previousPlan: "standard", version: 4 });
    const failed = tenantEventFor({
      ...facts,
      previousStatus: "PROVISIONING",
      status: "FAILED",
      previousVersion: 0,
      failure: { step: "setupNamespace", error: "ValidationError", cause: "quota invalid" },
    });
    expect(failed?.detailType).toBe("Tenant Onboarding Failed");
    expect(failed?.detail.failure).toEqual({
      step: "setupNamespace",
      error: "ValidationError",
      cause: "quota invalid",
    });
  });

  it("tells a billing event from an operator command", () => {
    expect(causeOf({ eventId: "evt_123", execution: "acme-suspend-1" })).toEqual({
      billingEventId: "evt_123",
      execution: "acme-suspend-1",
    });
    expect(causeOf({ eventId: "ops-5a1c" })).toEqual({ operatorCommandId: "ops-5a1c" });
    expect(causeOf({})).toEqual({});
  });
});
