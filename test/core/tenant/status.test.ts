import { describe, expect, it } from "vitest";
import { IllegalTransitionError } from "../../../core/tenant/errors.js";
import {
  allowedPredecessors,
  assertTransition,
  canTransition,
  isTerminal,
  TENANT_STATUSES,
  type TenantStatus,
  TenantStatus as TenantStatusSchema,
} from "../../../core/tenant/status.js";

const LEGAL: Array<[TenantStatus, TenantStatus]> = [
  ["PROVISIONING", "ACTIVE"],
  ["PROVISIONING", "FAILED"],
  ["FAILED", "PROVISIONING"],
  ["ACTIVE", "SUSPENDED"],
  ["SUSPENDED", "ACTIVE"],
  ["ACTIVE", "CANCELLED"],
  ["SUSPENDED", "CANCELLED"],
  ["FAILED", "CANCELLED"],
  ["DEGRADED", "CANCELLED"],
  // Retained: restored within the grace period, or purged after it.
  ["CANCELLED", "ACTIVE"],
  ["CANCELLED", "OFFBOARDING"],
  ["OFFBOARDING", "OFFBOARDED"],
  ["ACTIVE", "DEGRADED"],
  ["SUSPENDED", "DEGRADED"],
  ["DEGRADED", "ACTIVE"],
  ["DEGRADED", "SUSPENDED"],
];

describe("tenant status", () => {
  it("schema accepts the eight statuses and nothing else", () => {
    expect(TENANT_STATUSES).toHaveLength(8);
    for (const s of TENANT_STATUSES) expect(TenantStatusSchema.parse(s)).toBe(s);
    expect(TenantStatusSchema.safeParse("active").success).toBe(false);
    expect(TenantStatusSchema.safeParse("DELETED").success).toBe(false);
  });

  it("allows exactly the legal transitions (every pair checked)", () => {
    for (const from of TENANT_STATUSES) {
      for (const to of TENANT_STATUSES) {
        const legal = LEGAL.some(([f, t]) => f === from && t === to);
        expect(canTransition(from, to), `${from} → ${to}`).toBe(legal);
      }
    }
  });

  it("never moves backwards or to itself", () => {
    expect(canTransition("ACTIVE", "PROVISIONING")).toBe(false);
    expect(canTransition("OFFBOARDED", "ACTIVE")).toBe(false);
    expect(canTransition("OFFBOARDING", "ACTIVE")).toBe(false);
    expect(canTransition("ACTIVE", "ACTIVE")).toBe(false);
    expect(canTransition("PROVISIONING", "OFFBOARDING")).toBe(false);
    // Nothing is deleted without the grace period first.
    expect(canTransition("ACTIVE", "OFFBOARDING")).toBe(false);
    expect(canTransition("OFFBOARDED", "CANCELLED")).toBe(false);
  });

  it("lists predecessors for conditional writes", () => {
    expect(allowedPredecessors("ACTIVE").sort()).toEqual([
      "CANCELLED",
      "DEGRADED",
      "PROVISIONING",
      "SUSPENDED",
    ]);
    expect(allowedPredecessors("CANCELLED").sort()).toEqual(["ACTIVE", "DEGRADED", "FAILED", "SUSPENDED"]);
    expect(allowedPredecessors("OFFBOARDING")).toEqual(["CANCELLED"]);
    expect(allowedPredecessors("DEGRADED").sort()).toEqual(["ACTIVE", "SUSPENDED"]);
    expect(allowedPredecessors("PROVISIONING")).toEqual(["FAILED"]);
    expect(allowedPredecessors("FAILED")).toEqual(["PROVISIONING"]);
    expect(allowedPredecessors("SUSPENDED").sort()).toEqual(["ACTIVE", "DEGRADED"]);
    expect(allowedPredecessors("OFFBOARDED")).toEqual(["OFFBOARDING"]);
  });

  it("predecessors agree with canTransition", () => {
    for (const to of TENANT_STATUSES) {
      for (const from of allowedPredecessors(to)) expect(canTransition(from, to)).toBe(true);
    }
  });

  it("only OFFBOARDED is terminal", () => {
    expect(TENANT_STATUSES.filter(isTerminal)).toEqual(["OFFBOARDED"]);
  });

  it("assertTransition throws a named error with both ends", () => {
    expect(() => assertTransition("PROVISIONING", "ACTIVE")).not.toThrow();
    let caught: unknown;
    try {
      assertTransition("OFFBOARDED", "ACTIVE");
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(IllegalTransitionError);
    const err = caught as IllegalTransitionError;
    expect(err.name).toBe("IllegalTransitionError");
    expect(err.from).toBe("OFFBOARDED");
    expect(err.to).toBe("ACTIVE");
    expect(err.message).toContain("OFFBOARDED to ACTIVE");
    expect(err).toBeInstanceOf(Error);
  });
});
