/**
 * What a billing event does to a tenant, decided from the tenant as read (a pure function; apply.ts makes the
 * decision stick with a conditional write and decides again if the tenant changed in between).
 *
 * Per aspect (event.ts), the newest event wins: an event older than the one the tenant last applied for the
 * same aspect is superseded (recorded, never applied), the same event again is a duplicate. Then:
 * - plan (subscription created/updated, checkout): a different plan → PlanChange; the same plan → recorded.
 * - payment failed: an ACTIVE tenant → Suspend, which waits out the plan's grace period counted from the
 *   unpaid invoice's creation and suspends only if no newer payment event arrived meanwhile.
 * - payment succeeded: a SUSPENDED tenant → Reactivate; an ACTIVE one → recorded (it voids a pending Suspend).
 * - cancellation → Offboard (once).
 * A tenant still onboarding (or whose onboarding failed, except for a cancellation) keeps the event parked
 * until onboarding ends; an offboarded tenant ignores everything.
 */
import { findPlanByPriceId, type Plan } from "../plans/catalog.js";
import type { BillingMark, Tenant } from "../tenant/model.js";
import type { TenantStatus } from "../tenant/status.js";
import type { Workflow } from "../workflow/names.js";
import { aspectOf, type BillingAspect, type BillingEvent, compareEvents } from "./event.js";

export type Decision =
  | { kind: "ignore"; reason: string }
  | { kind: "duplicate"; mark: BillingMark }
  | { kind: "superseded"; reason: string }
  | { kind: "park"; reason: string; whileStatus: TenantStatus[] }
  | { kind: "mark"; aspect: BillingAspect; mark: BillingMark; reason: string };

export const PARK_WHILE: TenantStatus[] = ["PROVISIONING", "FAILED"];
const DAY_SECONDS = 24 * 60 * 60;

/** The plan an event asks for: its price's plan, else the plan it names. */
export function planFor(
  e: Pick<BillingEvent, "priceId" | "planId">,
  plans: readonly Plan[],
): Plan | undefined {
  const byPrice = e.priceId ? findPlanByPriceId(plans, e.priceId) : undefined;
  return byPrice ?? (e.planId ? plans.find((p) => p.id === e.planId) : undefined);
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export function decide(t: Tenant, e: BillingEvent, plans: readonly Plan[]): Decision {
  const aspect = aspectOf(e.action);
  const last = t.billing?.[aspect];
  if (last?.eventId === e.id) return { kind: "duplicate", mark: last };

  const subscription = t.billing?.subscriptionId;
  if (e.source === "stripe" && e.subscriptionId && subscription && e.subscriptionId !== subscription) {
    return {
      kind: "ignore",
      reason: `event is for subscription ${e.subscriptionId}; the tenant's is ${subscription}`,
    };
  }
  if (last && aspect === "cancel") {
    return { kind: "superseded", reason: `the tenant is already being offboarded (${last.eventId})` };
  }
  if (last && compareEvents(e, { created: last.created, id: last.eventId }) < 0) {
    return {
      kind: "superseded",
      reason: `older than ${last.eventId} (created ${last.created}), already applied to the tenant's ${aspect}`,
    };
  }
  if (t.status === "OFFBOARDING" || t.status === "OFFBOARDED") {
    return { kind: "ignore", reason: `the tenant is ${t.status}` };
  }
  if (t.status === "PROVISIONING" || (t.status === "FAILED" && aspect !== "cancel")) {
    return {
      kind: "park",
      reason: `the tenant is ${t.status}; applied when its onboarding ends`,
      whileStatus: PARK_WHILE,
    };
  }

  const base = { eventId: e.id, created: e.created };
  const start = (
    workflow: Workflow,
    input: Record<string, unknown>,
    reason: string,
    value?: string,
  ): Decision => ({
    kind: "mark",
    aspect,
    mark: {
      ...base,
      ...(value ? { value } : {}),
      workflow,
      input: { tenantId: t.tenantId, eventId: e.id, ...input },
    },
    reason,
  });
  const record = (reason: string, value?: string): Decision => ({
    kind: "mark",
    aspect,
    mark: { ...base, ...(value ? { value } : {}) },
    reason,
  });

  switch (e.action) {
    case "subscribe":
    case "plan": {
      const plan = planFor(e, plans);
      if (!plan) {
        const what = e.priceId ? `price ${e.priceId}` : e.planId ? `plan "${e.planId}"` : "no price or plan";
        return { kind: "ignore", reason: `${what} matches no plan in the catalog` };
      }
      const current = last?.value ?? t.plan;
      if (plan.id === current) return record(`already on plan ${plan.id}`, plan.id);
      return start("plan-change", { plan: plan.id }, `plan ${current} → ${plan.id}`, plan.id);
    }
    case "payment_failed": {
      if (t.status !== "ACTIVE") return record(`payment failed; the tenant is already ${t.status}`, "failed");
      const grace = plans.find((p) => p.id === t.plan)?.suspendGraceDays ?? 0;
      const from = e.invoiceCreated ?? e.created;
      const suspendAt = e.immediate ? e.created : from + grace * DAY_SECONDS;
      const when = e.immediate ? "now" : `when the ${grace}-day grace period ends (${iso(suspendAt)})`;
      return start("suspend", { suspendAt: iso(suspendAt) }, `payment failed; suspends ${when}`, "failed");
    }
    case "payment_succeeded":
      if (t.status === "SUSPENDED") return start("reactivate", {}, "paid while suspended", "paid");
      return record("paid while in good standing (a pending suspension will not happen)", "paid");
    case "cancel":
      return start("offboard", {}, e.source === "ops" ? "offboarding requested" : "subscription cancelled");
  }
}
