/**
 * Billing events as Embark acts on them. The billing provider's events (Stripe's, see stripe-event.ts) and the
 * ops CLI's lifecycle commands are both turned into a BillingEvent: what happened, to which customer, when.
 */
import { randomUUID } from "node:crypto";
import * as z from "zod";

/** What an event asks of Embark. */
export const BILLING_ACTIONS = [
  "subscribe",
  "plan",
  "payment_failed",
  "payment_succeeded",
  "cancel",
  /** An operator's `ops restore`: a CANCELLED tenant back to ACTIVE within its grace period. */
  "restore",
] as const;
export type BillingAction = (typeof BILLING_ACTIONS)[number];

/**
 * Facts that are ordered independently: the newest plan event decides the plan, the newest payment event
 * decides whether the tenant is in good standing, and the newest cancellation or restore decides whether it is
 * cancelled (a restoring event is marked on `cancel` while the tenant is CANCELLED, so a late or repeated
 * cancellation older than the restore never cancels again). Ordering them separately is
 * what makes a shuffled delivery end where in-order delivery ends (a late, older plan change must not be
 * masked by a newer payment event, and the other way round).
 */
export const BILLING_ASPECTS = ["plan", "standing", "cancel"] as const;
export type BillingAspect = (typeof BILLING_ASPECTS)[number];

export function aspectOf(action: BillingAction): BillingAspect {
  if (action === "subscribe" || action === "plan") return "plan";
  if (action === "cancel" || action === "restore") return "cancel";
  return "standing";
}

/** Actions that bring a CANCELLED tenant back: a new subscription, a paid invoice, `ops restore`. */
export const RESTORING_ACTIONS: readonly BillingAction[] = ["subscribe", "payment_succeeded", "restore"];

export const SignupDetails = z.object({
  companyName: z.string().optional(),
  adminEmail: z.string().optional(),
  slug: z.string().optional(),
});

export const BillingEvent = z.object({
  /** The provider's event id (Stripe `evt_…`), or `ops-…` for an operator's command. */
  id: z.string().min(1).max(255),
  /** The provider's event type, e.g. `invoice.paid`, or `ops.suspend`. */
  type: z.string().min(1),
  /** Seconds since the epoch when the provider created the event: the order events are applied in. */
  created: z.int().nonnegative(),
  action: z.enum(BILLING_ACTIONS),
  source: z.enum(["stripe", "ops"]),
  customerId: z.string().optional(),
  subscriptionId: z.string().optional(),
  /** The price billed (subscription item), mapped to a plan through the catalog's billingPriceIds. */
  priceId: z.string().optional(),
  /** A plan named outright (checkout metadata `plan`, `change-plan`); a price wins over it. */
  planId: z.string().optional(),
  /** Who to onboard (checkout metadata and customer email). */
  signup: SignupDetails.optional(),
  /** An existing tenant the checkout is for (metadata `tenantId`, or `client_reference_id`). */
  tenantRef: z.string().optional(),
  /**
   * Where tenantRef came from. Metadata is set by whoever creates the checkout (the SaaS backend);
   * `client_reference_id` can come from a payment link's URL, i.e. from the customer, so it only links a
   * tenant whose admin email is the checkout's email.
   */
  tenantRefFrom: z.enum(["metadata", "client_reference_id"]).optional(),
  /** When the unpaid invoice was created: the plan's grace period runs from there. */
  invoiceCreated: z.int().optional(),
  /** Suspend without waiting for the grace period (operator's command). */
  immediate: z.boolean().optional(),
  /** A cancellation's grace period in seconds instead of the plan's (operator's command, `--grace`). */
  graceSeconds: z
    .int()
    .min(0)
    .max(10 * 365 * 24 * 3600)
    .optional(),
});
export type BillingEvent = z.infer<typeof BillingEvent>;

/** Total order of events: by `created`, then by id (so two events of the same second still have an order). */
export function compareEvents(
  a: { created: number; id: string },
  b: { created: number; id: string },
): number {
  return a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** What happened to an event; also what the router returns (and Powertools idempotency stores) for it. */
export type OutcomeKind =
  | "started" // a lifecycle workflow was started
  | "created" // a tenant was created and its onboarding queued
  | "linked" // the customer/subscription was linked to an existing tenant
  | "recorded" // applied, nothing to run (e.g. same plan, invoice paid while active)
  | "duplicate" // the same event was applied before (its workflow start repeated: a no-op)
  | "superseded" // older than an event already applied for the same fact: recorded and ignored
  | "parked" // kept until its tenant exists or finishes onboarding
  | "ignored"; // nothing to do (unknown type, unknown price, offboarded tenant, …)

export interface BillingOutcome {
  outcome: OutcomeKind;
  reason: string;
  tenantId?: string;
  execution?: string;
}

/**
 * The id of an operator command's event (`ops-<ms, base 36>-<uuid>`). Events of the same second are ordered by
 * id, so the time comes first: a restore right after a cancel must sort after it (a bare uuid ordered them by
 * chance, and the restore was ignored as older half the time).
 */
export function opsEventId(now = Date.now()): string {
  return `ops-${now.toString(36).padStart(9, "0")}-${randomUUID()}`;
}
