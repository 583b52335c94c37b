import * as z from "zod";
import { IllegalTransitionError } from "./errors.js";

/** Tenant lifecycle statuses (design §2, contract). */
export const TENANT_STATUSES = [
  "PROVISIONING",
  "ACTIVE",
  "FAILED",
  "SUSPENDED",
  /** Something Embark cannot restore is gone (a deleted user pool): the reason is on `reconcile.degraded`. */
  "DEGRADED",
  /**
   * Cancelled and retained (design §2): sign-in disabled, no pods, data and export kept until `purgeAfter`;
   * a restore brings it back to ACTIVE, the purge moves it on to OFFBOARDING.
   */
  "CANCELLED",
  "OFFBOARDING",
  "OFFBOARDED",
] as const;

export const TenantStatus = z.enum(TENANT_STATUSES);
export type TenantStatus = z.infer<typeof TenantStatus>;

/**
 * Legal moves. A status never moves to itself: a duplicate event finds the tenant already
 * there and the conditional write fails, which callers treat as "already done".
 */
const NEXT: Readonly<Record<TenantStatus, readonly TenantStatus[]>> = {
  PROVISIONING: ["ACTIVE", "FAILED"],
  FAILED: ["PROVISIONING", "CANCELLED"], // a redrive retries; or clean up a failed onboarding
  ACTIVE: ["SUSPENDED", "CANCELLED", "DEGRADED"],
  SUSPENDED: ["ACTIVE", "CANCELLED", "DEGRADED"],
  // The reconciler degrades a tenant and restores its previous status once what was lost is back.
  DEGRADED: ["ACTIVE", "SUSPENDED", "CANCELLED"],
  // A restore within the grace period, or the purge once it is over: nothing is deleted before that.
  CANCELLED: ["ACTIVE", "OFFBOARDING"],
  OFFBOARDING: ["OFFBOARDED"],
  OFFBOARDED: [],
};

export function canTransition(from: TenantStatus, to: TenantStatus): boolean {
  return NEXT[from]?.includes(to) ?? false;
}

/** Statuses a tenant may be in to move to `to`; the condition of the DynamoDB write (`#status IN (...)`). */
export function allowedPredecessors(to: TenantStatus): TenantStatus[] {
  return TENANT_STATUSES.filter((from) => NEXT[from].includes(to));
}

export function isTerminal(status: TenantStatus): boolean {
  return NEXT[status].length === 0;
}

/** The error for a move the lifecycle does not allow, naming the moves it does. */
export function illegalTransition(from: TenantStatus, to: TenantStatus): IllegalTransitionError {
  return new IllegalTransitionError(from, to, NEXT[from] ?? []);
}

/** Throws IllegalTransitionError unless `from → to` is legal. */
export function assertTransition(from: TenantStatus, to: TenantStatus): void {
  if (!canTransition(from, to)) throw illegalTransition(from, to);
}
