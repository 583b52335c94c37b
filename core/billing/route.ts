/**
 * The billing router's work on one queued EventBridge event:
 * - a billing event (source `embark.billing` from the webhook, or Stripe's partner source): normalized, then a
 *   checkout/new subscription goes to subscribe.ts and anything else to the customer's tenant (apply.ts), or is
 *   parked on the customer until a tenant claims it;
 * - an onboarding execution that ended: the events parked on its tenant are applied now.
 * Unhandled types are acknowledged and recorded, never retried. Every outcome is recorded (log.ts).
 */
import * as z from "zod";
import { ExecutionStatusChange } from "../onboarding/record-failure.js";
import { StepError } from "../workflow/retry.js";
import { type ApplyDeps, applyToTenant } from "./apply.js";
import type { BillingDeps } from "./deps.js";
import type { BillingEvent, BillingOutcome } from "./event.js";
import { recordOutcome } from "./log.js";
import { normalizeStripeEvent, StripeEvent } from "./stripe-event.js";
import { sortedParked, subscribe } from "./subscribe.js";

/**
 * The body of a billing-queue message: the EventBridge event as the rule delivered it, with a `detail` that is
 * an execution status change (source `aws.states`) or a Stripe event's envelope (any other source).
 */
export const QueuedEvent = z
  .looseObject({
    id: z.string().max(255).optional(),
    source: z.string().min(1).max(256),
    "detail-type": z.string().max(256),
    detail: z.unknown(),
  })
  .superRefine((message, ctx) => {
    const detail = (message.source === "aws.states" ? ExecutionStatusChange : StripeEvent).safeParse(
      message.detail,
    );
    for (const issue of detail.error?.issues ?? [])
      ctx.addIssue({ code: "custom", path: ["detail", ...issue.path], message: issue.message });
  });
export type QueuedEvent = z.infer<typeof QueuedEvent>;

export const isExecutionStatusChange = (msg: QueuedEvent) => msg.source === "aws.states";

/** A Stripe event (the `detail` of a billing event): applied once per event id by the caller. */
export async function handleStripeEvent(d: BillingDeps, raw: unknown): Promise<BillingOutcome> {
  const normalized = normalizeStripeEvent(raw);
  if (!normalized.handled) {
    const outcome: BillingOutcome = { outcome: "ignored", reason: normalized.reason };
    const envelope = StripeEvent.safeParse(raw);
    if (envelope.success) {
      const { id, type, created } = envelope.data;
      await recordOutcome(d, { id, type, created, source: "stripe" }, outcome);
    }
    return outcome;
  }
  return handleBillingEvent(d, normalized.event);
}

export async function handleBillingEvent(d: BillingDeps, e: BillingEvent): Promise<BillingOutcome> {
  const outcome = await route(d, e);
  // A duplicate keeps the record of its first delivery.
  if (outcome.outcome !== "duplicate") await recordOutcome(d, e, outcome);
  return outcome;
}

async function route(d: BillingDeps, e: BillingEvent): Promise<BillingOutcome> {
  const customerId = e.customerId;
  if (!customerId) return { outcome: "ignored", reason: "the event names no customer" };
  if (e.action === "subscribe") return subscribe(d, { ...e, customerId });
  for (let round = 0; round < 3; round++) {
    const link = await d.records.customer(customerId);
    if (!link?.tenantId) {
      if (await d.records.parkForCustomer(customerId, e)) {
        return {
          outcome: "parked",
          reason: `no tenant for customer ${customerId} yet; applied when a checkout creates or links one`,
        };
      }
      continue; // a tenant claimed the customer meanwhile
    }
    if (!(await d.tenants.get(link.tenantId))) {
      throw new StepError(
        "TransientError",
        `Tenant ${link.tenantId} of ${customerId} is still being created`,
      );
    }
    return applyToTenant(d, link.tenantId, e);
  }
  throw new StepError("TransientError", `Customer ${customerId} kept changing while ${e.id} was applied`);
}

/** Onboarding ended: apply the billing events parked on the tenant meanwhile, oldest first. */
export async function replayParked(
  d: BillingDeps,
  change: ExecutionStatusChange,
): Promise<{ tenantId?: string; applied: BillingOutcome[] }> {
  let tenantId: string | undefined;
  try {
    tenantId = z.object({ tenantId: z.string().min(1) }).parse(JSON.parse(change.input ?? "{}")).tenantId;
  } catch {
    return { applied: [] };
  }
  return { tenantId, applied: await applyParked(d, tenantId) };
}

/**
 * Applies the billing events parked on a tenant whose onboarding ended, oldest first: on the onboarding's end
 * (replayParked), and from the reconciler for a tenant that is ACTIVE or SUSPENDED with events still parked
 * (Step Functions delivers its status-change events best effort: the one that ends the parking can be lost).
 * Safe to run twice at once: each apply is a conditional write, and a repeated one starts the same execution.
 */
export async function applyParked(d: ApplyDeps, tenantId: string): Promise<BillingOutcome[]> {
  const tenant = await d.tenants.get(tenantId);
  const parked = sortedParked(Object.values(tenant?.billing?.parked ?? {}));
  if (!tenant || parked.length === 0) return [];
  // A failed onboarding is recorded by another rule's function; wait for it rather than re-park everything.
  if (tenant.status === "PROVISIONING") {
    throw new StepError("TransientError", `Tenant ${tenantId}'s onboarding end is not recorded yet`);
  }
  const applied: BillingOutcome[] = [];
  for (const e of parked) {
    const outcome = await applyToTenant(d, tenantId, e);
    await recordOutcome(d, e, outcome);
    if (outcome.outcome !== "parked") await d.records.unpark(tenantId, e.id);
    applied.push(outcome);
  }
  return applied;
}
