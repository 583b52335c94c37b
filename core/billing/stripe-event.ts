/**
 * Stripe's events, read leniently: only the fields Embark uses, in both older and current API shapes (ids or
 * expanded objects; `invoice.subscription` before 2025-03-31, `invoice.parent.subscription_details` after).
 */
import * as z from "zod";
import type { BillingAction, BillingEvent } from "./event.js";

/** `source` of the events the webhook puts on the bus (the rules match it and Stripe's partner source). */
export const BILLING_EVENT_SOURCE = "embark.billing";
/** Stripe's EventBridge partner event sources are named `aws.partner/stripe.com/<destination id>`. */
export const STRIPE_PARTNER_SOURCE_PREFIX = "aws.partner/stripe.com";

/** The Stripe event types Embark acts on (contract: the EventBridge rules route exactly these). */
export const BILLING_EVENT_ACTIONS = {
  "checkout.session.completed": "subscribe",
  "customer.subscription.created": "subscribe",
  "customer.subscription.updated": "plan",
  "invoice.payment_failed": "payment_failed",
  "invoice.paid": "payment_succeeded",
  "customer.subscription.deleted": "cancel",
} as const satisfies Record<string, BillingAction>;
export type BillingEventType = keyof typeof BILLING_EVENT_ACTIONS;
export const BILLING_EVENT_TYPES = Object.keys(BILLING_EVENT_ACTIONS) as BillingEventType[];

export function isBillingEventType(type: string): type is BillingEventType {
  return Object.hasOwn(BILLING_EVENT_ACTIONS, type);
}

/** The envelope every Stripe event has (https://docs.stripe.com/api/events/object). */
export const StripeEvent = z.looseObject({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(255),
  created: z.int().nonnegative(),
  data: z.looseObject({ object: z.looseObject({}) }),
});
export type StripeEvent = z.infer<typeof StripeEvent>;

type Obj = Record<string, unknown>;

const asObject = (v: unknown): Obj | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined;
const asString = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
/** A field that is an id or, when expanded, the object with that id. */
const idOf = (v: unknown): string | undefined => asString(v) ?? asString(asObject(v)?.id);
const metadataOf = (o: Obj): Obj => asObject(o.metadata) ?? {};

function firstPriceId(subscription: Obj): string | undefined {
  const items = asObject(subscription.items)?.data;
  const first = Array.isArray(items) ? asObject(items[0]) : undefined;
  return idOf(first?.price) ?? idOf(subscription.plan);
}

function invoiceSubscriptionId(invoice: Obj): string | undefined {
  const details = asObject(asObject(invoice.parent)?.subscription_details);
  return idOf(invoice.subscription) ?? idOf(details?.subscription);
}

/** Metadata Embark reads from a checkout session or subscription (documented in the README). */
function signupFrom(metadata: Obj, email: string | undefined) {
  const signup = {
    companyName: asString(metadata.companyName) ?? asString(metadata.company),
    adminEmail: email ?? asString(metadata.adminEmail),
    slug: asString(metadata.slug),
  };
  return Object.fromEntries(Object.entries(signup).filter(([, v]) => v !== undefined));
}

function tenantRefOf(metadata: Obj, clientReferenceId: string | undefined) {
  const fromMetadata = asString(metadata.tenantId);
  if (fromMetadata) return { tenantRef: fromMetadata, tenantRefFrom: "metadata" as const };
  if (clientReferenceId)
    return { tenantRef: clientReferenceId, tenantRefFrom: "client_reference_id" as const };
  return {};
}

export type NormalizeResult = { handled: true; event: BillingEvent } | { handled: false; reason: string };

/** Turns a verified Stripe event into a BillingEvent, or says why Embark does not act on it. */
export function normalizeStripeEvent(raw: unknown): NormalizeResult {
  const parsed = StripeEvent.safeParse(raw);
  if (!parsed.success)
    return { handled: false, reason: "not a Stripe event (needs id, type, created, data)" };
  const e = parsed.data;
  if (!isBillingEventType(e.type)) return { handled: false, reason: `event type ${e.type} is not handled` };
  const o = e.data.object;
  const md = metadataOf(o);
  const base = {
    id: e.id,
    type: e.type,
    created: e.created,
    action: BILLING_EVENT_ACTIONS[e.type],
    source: "stripe" as const,
    customerId: idOf(o.customer),
  };
  const drop = <T extends Obj>(x: T) =>
    Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined)) as T;

  switch (e.type) {
    case "checkout.session.completed": {
      // Delayed payment methods complete the session unpaid; checkout.session.async_payment_succeeded follows.
      if (o.payment_status === "unpaid")
        return { handled: false, reason: "checkout completed but not paid yet" };
      const email = asString(asObject(o.customer_details)?.email) ?? asString(o.customer_email);
      return {
        handled: true,
        event: drop({
          ...base,
          subscriptionId: idOf(o.subscription),
          planId: asString(md.plan),
          signup: signupFrom(md, email),
          ...tenantRefOf(md, asString(o.client_reference_id)),
        }),
      };
    }
    case "customer.subscription.created":
    case "customer.subscription.updated":
      return {
        handled: true,
        event: drop({
          ...base,
          subscriptionId: asString(o.id),
          priceId: firstPriceId(o),
          planId: asString(md.plan),
          ...(e.type === "customer.subscription.created"
            ? { signup: signupFrom(md, undefined), ...tenantRefOf(md, undefined) }
            : {}),
        }),
      };
    case "invoice.payment_failed":
    case "invoice.paid":
      return {
        handled: true,
        event: drop({
          ...base,
          subscriptionId: invoiceSubscriptionId(o),
          invoiceCreated: typeof o.created === "number" ? o.created : undefined,
        }),
      };
    case "customer.subscription.deleted":
      return { handled: true, event: drop({ ...base, subscriptionId: asString(o.id) }) };
  }
}
