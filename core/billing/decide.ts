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
 * - cancellation → Cancel: the tenant is retained (CANCELLED) for its plan's grace period, then purged.
 * - while CANCELLED: a new subscription, a paid invoice or `ops restore`, newer than the cancellation →
 *   Restore; anything else waits for that (ignored), and an older event is superseded.
 * A tenant still onboarding (or whose onboarding failed, except for a cancellation) keeps the event parked
 * until onboarding ends; an offboarded tenant ignores everything.
 */
import { findPlanByPriceId, type Plan } from "../plans/catalog.js";
import type { BillingMark, Tenant } from "../tenant/model.js";
import type { TenantStatus } from "../tenant/status.js";
import type { Workflow } from "../workflow/names.js";
import {
  aspectOf,
  type BillingAspect,
  type BillingEvent,
  compareEvents,
  RESTORING_ACTIONS,
} from "./event.js";

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
  const cancelled = t.status === "CANCELLED";
  const restoring = cancelled && RESTORING_ACTIONS.includes(e.action);
  // While CANCELLED, what would restore it is ordered against the cancellation (event.ts).
  const aspect = restoring ? "cancel" : aspectOf(e.action);
  const last = t.billing?.[aspect];
  if (last?.eventId === e.id) return { kind: "duplicate", mark: last };
  if (e.action === "restore" && !cancelled) {
    const why =
      t.status === "OFFBOARDING" || t.status === "OFFBOARDED"
        ? `the tenant was purged${t.export ? `; its export is at ${t.export.location}` : ""}`
        : `the tenant is ${t.status}, not CANCELLED`;
    return { kind: "ignore", reason: `nothing to restore: ${why}` };
  }

  const subscription = t.billing?.subscriptionId;
  // A cancelled tenant's customer may come back with a new subscription: that one is the tenant's from now.
  if (
    !restoring &&
    e.source === "stripe" &&
    e.subscriptionId &&
    subscription &&
    e.subscriptionId !== subscription
  ) {
    return {
      kind: "ignore",
      reason: `event is for subscription ${e.subscriptionId}; the tenant's is ${subscription}`,
    };
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
  if (cancelled && !restoring) {
    const until = t.purgeAfter ? ` until ${t.purgeAfter}` : "";
    return {
      kind: e.action === "cancel" ? "superseded" : "ignore",
      reason:
        e.action === "cancel"
          ? `the tenant is already cancelled (${t.cancellation?.eventId ?? last?.eventId}); retained${until}`
          : `the tenant is CANCELLED (retained${until}); only a new subscription, a paid invoice or ops restore acts on it`,
    };
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

  if (restoring) {
    return start(
      "restore",
      e.subscriptionId ? { subscriptionId: e.subscriptionId } : {},
      `${e.source === "ops" ? "restore requested" : `${e.type} for the cancelled tenant`}; restores it within its grace period`,
      "restored",
    );
  }

  switch (e.action) {
    case "restore":
      return { kind: "ignore", reason: `the tenant is ${t.status}, not CANCELLED` };
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
    case "cancel": {
      const grace = typeof e.graceSeconds === "number" ? { graceSeconds: e.graceSeconds } : {};
      const why = e.source === "ops" ? "offboarding requested" : "subscription cancelled";
      return start(
        "cancel",
        grace,
        `${why}; the tenant is retained for its grace period, then purged`,
        "cancelled",
      );
    }
  }
}
