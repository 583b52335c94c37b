/**
 * Stripe-shaped test events (no vitest, no cloud): checkout, subscription and invoice events as Stripe sends them.
 * test/support/billing.ts re-exports them for the suites; the soak (test/soak) uses them directly.
 */
import { randomBytes } from "node:crypto";

export type StripeTestEvent = {
  id: string;
  object: "event";
  api_version: string;
  created: number;
  livemode: false;
  pending_webhooks: number;
  request: { id: null; idempotency_key: null };
  type: string;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
};

const rand = (n = 14) => randomBytes(n).toString("hex").slice(0, n);
export const now = () => Math.floor(Date.now() / 1000);
export const newCustomerId = () => `cus_${rand()}`;
export const newSubscriptionId = () => `sub_${rand()}`;

export function stripeEvent(
  type: string,
  object: Record<string, unknown>,
  opts: { created?: number; id?: string } = {},
): StripeTestEvent {
  return {
    id: opts.id ?? `evt_${rand(24)}`,
    object: "event",
    api_version: "2025-03-31.basil",
    created: opts.created ?? now(),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

export function checkoutCompleted(
  o: {
    customer: string;
    subscription: string;
    email: string;
    company: string;
    plan: string;
    slug?: string;
    tenantRef?: string;
  },
  opts: { created?: number; id?: string } = {},
) {
  return stripeEvent(
    "checkout.session.completed",
    {
      id: `cs_test_${rand(24)}`,
      object: "checkout.session",
      mode: "subscription",
      status: "complete",
      payment_status: "paid",
      customer: o.customer,
      customer_details: { email: o.email, name: "Pat Admin" },
      subscription: o.subscription,
      client_reference_id: o.tenantRef ?? null,
      metadata: { companyName: o.company, plan: o.plan, ...(o.slug ? { slug: o.slug } : {}) },
    },
    opts,
  );
}

function subscriptionObject(o: { customer: string; subscription: string; price: string }, status = "active") {
  return {
    id: o.subscription,
    object: "subscription",
    customer: o.customer,
    status,
    items: { object: "list", data: [{ id: `si_${rand()}`, price: { id: o.price, object: "price" } }] },
    metadata: {},
  };
}

export const subscriptionCreated = (
  o: { customer: string; subscription: string; price: string },
  opts: { created?: number; id?: string } = {},
) => stripeEvent("customer.subscription.created", subscriptionObject(o), opts);

export const subscriptionUpdated = (
  o: { customer: string; subscription: string; price: string },
  opts: { created?: number; id?: string } = {},
) => stripeEvent("customer.subscription.updated", subscriptionObject(o), opts);

export const subscriptionDeleted = (
  o: { customer: string; subscription: string; price: string },
  opts: { created?: number; id?: string } = {},
) => stripeEvent("customer.subscription.deleted", subscriptionObject(o, "canceled"), opts);

/** An invoice event in the current API shape (`parent.subscription_details`). */
export function invoiceEvent(
  type: "invoice.payment_failed" | "invoice.paid",
  o: { customer: string; subscription: string; invoiceCreated?: number },
  opts: { created?: number; id?: string } = {},
) {
  return stripeEvent(
    type,
    {
      id: `in_${rand()}`,
      object: "invoice",
      customer: o.customer,
      created: o.invoiceCreated ?? opts.created ?? now(),
      status: type === "invoice.paid" ? "paid" : "open",
      attempt_count: 1,
      parent: { type: "subscription_details", subscription_details: { subscription: o.subscription } },
    },
    opts,
  );
}
