// The soak audit's judgement of final statuses and execution names, against two-phase offboarding (design §2:
// cancel retains, the purge offboards) and every workflow's execution name (design §4).
import { describe, expect, it } from "vitest";
import { appliedDeadLetter, executionSlug, statusFinding } from "./audit.js";
import type { SoakTenant } from "./drive.js";

const tenant = (status: SoakTenant["expected"]["status"], plan = "standard" as const) => ({
  slug: "soak-1",
  scenario: "offboard" as const,
  expected: { status, plan },
});

describe("statusFinding", () => {
  it("accepts an offboarded tenant whose events asked for offboarding", () => {
    expect(statusFinding(tenant("OFFBOARDED"), { status: "OFFBOARDED", plan: "free" })).toBeUndefined();
  });

  it("calls a tenant still CANCELLED after its grace period stuck: its purge never ran", () => {
    expect(statusFinding(tenant("OFFBOARDED"), { status: "CANCELLED", plan: "standard" })).toEqual({
      kind: "stuck",
      what: "soak-1 (offboard) is CANCELLED; its purge never ran",
    });
  });

  it("calls a tenant in another status than asked lost, and a wrong plan lost", () => {
    expect(statusFinding(tenant("SUSPENDED"), { status: "ACTIVE", plan: "standard" })?.kind).toBe("lost");
    expect(statusFinding(tenant("ACTIVE"), { status: "ACTIVE", plan: "free" })?.kind).toBe("lost");
    expect(statusFinding(tenant("ACTIVE"), { status: "PROVISIONING", plan: "standard" })?.kind).toBe("stuck");
  });
});

describe("executionSlug", () => {
  it("finds the tenant of every workflow's execution, cancel and restore included", () => {
    for (const w of ["onboard", "plan-change", "suspend", "reactivate", "cancel", "restore", "offboard"]) {
      expect(executionSlug(`soak-ab12cd-9-${w}-1`)).toBe("soak-ab12cd-9");
    }
    expect(executionSlug("something-else")).toBeUndefined();
  });
});

describe("appliedDeadLetter", () => {
  const body = (id: string) =>
    JSON.stringify({ source: "embark.billing", detail: { id, type: "invoice.paid" } });
  const outcomes = new Map([
    ["evt_applied", "started"],
    ["evt_parked", "parked"],
  ]);

  it("names a dead-lettered billing event whose event log says it was applied", () => {
    expect(appliedDeadLetter(body("evt_applied"), outcomes)).toBe("evt_applied");
  });

  it("leaves an event still parked, one never recorded, and an unreadable body to count as lost", () => {
    expect(appliedDeadLetter(body("evt_parked"), outcomes)).toBeUndefined();
    expect(appliedDeadLetter(body("evt_unknown"), outcomes)).toBeUndefined();
    expect(appliedDeadLetter("not json", outcomes)).toBeUndefined();
  });
});
