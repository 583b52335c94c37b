import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { decide, planFor } from "../../../core/billing/decide.js";
import { type BillingEvent, compareEvents, opsEventId } from "../../../core/billing/event.js";
import { billingEventsPattern } from "../../../core/billing/patterns.js";
import { BILLING_EVENT_TYPES, normalizeStripeEvent } from "../../../core/billing/stripe-event.js";
import { slugCandidates } from "../../../core/billing/subscribe.js";
import { busEntry, verifyWebhook } from "../../../core/billing/webhook.js";
import { DEFAULT_PLANS } from "../../../core/plans/catalog.js";
import { newTenant, type Tenant } from "../../../core/tenant/model.js";
import { validateSlug } from "../../../core/tenant/slug.js";
import { matchesPattern } from "../../../local/eventbridge/pattern.js";

const DAY = 86_400;
const stripe = (type: string, object: Record<string, unknown>, created = 1_700_000_000, id = "evt_1") => ({
  id,
  object: "event",
  type,
  created,
  data: { object },
});

describe("normalizeStripeEvent", () => {
  it("reads a checkout: customer, subscription, who to onboard, the plan and the tenant it is for", () => {
    const r = normalizeStripeEvent(
      stripe("checkout.session.completed", {
        customer: { id: "cus_1", object: "customer" },
        subscription: "sub_1",
        payment_status: "paid",
        customer_details: { email: "ops@acme.test" },
        client_reference_id: "tenant-1",
        metadata: { companyName: "Acme", plan: "standard", slug: "acme" },
      }),
    );
    expect(r).toEqual({
      handled: true,
      event: {
        id: "evt_1",
        type: "checkout.session.completed",
        created: 1_700_000_000,
        action: "subscribe",
        source: "stripe",
        customerId: "cus_1",
        subscriptionId: "sub_1",
        planId: "standard",
        signup: { companyName: "Acme", adminEmail: "ops@acme.test", slug: "acme" },
        tenantRef: "tenant-1",
        tenantRefFrom: "client_reference_id",
      },
    });
  });

  it("does not act on a checkout that is not paid yet", () => {
    const r = normalizeStripeEvent(
      stripe("checkout.session.completed", { customer: "cus_1", payment_status: "unpaid" }),
    );
    expect(r).toEqual({ handled: false, reason: "checkout completed but not paid yet" });
  });

  it("reads the price of a subscription (items, or the legacy plan field)", () => {
    const items = { data: [{ price: { id: "price_enterprise_monthly" } }] };
    const updated = normalizeStripeEvent(
      stripe("customer.subscription.updated", { id: "sub_1", customer: "cus_1", items }),
    );
    expect(updated).toMatchObject({
      event: { action: "plan", priceId: "price_enterprise_monthly", subscriptionId: "sub_1" },
    });
    const legacy = normalizeStripeEvent(
      stripe("customer.subscription.updated", { id: "sub_1", customer: "cus_1", plan: { id: "price_x" } }),
    );
    expect(legacy).toMatchObject({ event: { priceId: "price_x" } });
  });

  it("reads an invoice's subscription in both API shapes, and when it was created", () => {
    const current = normalizeStripeEvent(
      stripe("invoice.payment_failed", {
        customer: "cus_1",
        created: 1_699_000_000,
        parent: { subscription_details: { subscription: "sub_1" } },
      }),
    );
    expect(current).toMatchObject({
      event: { action: "payment_failed", subscriptionId: "sub_1", invoiceCreated: 1_699_000_000 },
    });
    const older = normalizeStripeEvent(stripe("invoice.paid", { customer: "cus_1", subscription: "sub_2" }));
    expect(older).toMatchObject({ event: { action: "payment_succeeded", subscriptionId: "sub_2" } });
  });

  it("says why it does not handle other types and non-events", () => {
    expect(normalizeStripeEvent(stripe("customer.created", {}))).toEqual({
      handled: false,
      reason: "event type customer.created is not handled",
    });
    expect(normalizeStripeEvent({ hello: "world" })).toMatchObject({ handled: false });
  });
});

describe("the billing rule pattern", () => {
  const event = (source: string, detailType: string) => ({ source, "detail-type": detailType, detail: {} });

  it("routes every handled type from the webhook and from Stripe's partner source, and nothing else", () => {
    const pattern = billingEventsPattern();
    for (const type of BILLING_EVENT_TYPES) {
      expect(matchesPattern(pattern, event("embark.billing", type)), type).toBe(true);
      expect(matchesPattern(pattern, event("aws.partner/stripe.com/ed_test_123", type)), type).toBe(true);
    }
    expect(matchesPattern(pattern, event("embark.billing", "customer.created"))).toBe(false);
    expect(matchesPattern(pattern, event("aws.partner/evil.example/x", "invoice.paid"))).toBe(false);
    expect(matchesPattern(pattern, event("embark.signups", "invoice.paid"))).toBe(false);
  });
});

describe("verifyWebhook", () => {
  const secret = "whsec_unit";
  const payload = JSON.stringify(stripe("invoice.paid", { customer: "cus_1" }));
  const sign = (body: string, timestamp?: number) =>
    Stripe.webhooks.generateTestHeaderString({ payload: body, secret, ...(timestamp ? { timestamp } : {}) });

  it("accepts a correctly signed event and says whether Embark handles its type", () => {
    expect(verifyWebhook(payload, sign(payload), secret)).toMatchObject({ ok: true, handled: true });
    const other = JSON.stringify(stripe("customer.created", {}));
    expect(verifyWebhook(other, sign(other), secret)).toMatchObject({ ok: true, handled: false });
  });

  it("refuses, with a reason, what it cannot trust", () => {
    const nowS = Math.floor(Date.now() / 1000);
    expect(verifyWebhook(payload, undefined, secret)).toMatchObject({ code: "missing_signature" });
    expect(verifyWebhook(payload, sign(payload), "whsec_other")).toMatchObject({ code: "invalid_signature" });
    expect(verifyWebhook(`${payload} `, sign(payload), secret)).toMatchObject({ code: "invalid_signature" });
    expect(verifyWebhook(payload, sign(payload, nowS - 301), secret)).toMatchObject({
      code: "stale_timestamp",
    });
    expect(verifyWebhook(payload, sign(payload, nowS + 301), secret)).toMatchObject({
      code: "stale_timestamp",
    });
    expect(verifyWebhook(payload, sign(payload, nowS - 200), secret)).toMatchObject({ ok: true });
    expect(verifyWebhook(payload, "v1=abc", secret)).toMatchObject({ code: "malformed_signature" });
    expect(verifyWebhook("{", sign("{"), secret)).toMatchObject({ code: "invalid_json", status: 400 });
    const big = JSON.stringify({ pad: "x".repeat(300_000) });
    expect(verifyWebhook(big, sign(big), secret)).toMatchObject({ code: "body_too_large", status: 413 });
  });

  it("puts the event on the bus as received: source embark.billing, detail-type the Stripe type", () => {
    const check = verifyWebhook(payload, sign(payload), secret);
    if (!check.ok) throw new Error("expected ok");
    expect(busEntry(check.event, payload, "embark-billing")).toEqual({
      EventBusName: "embark-billing",
      Source: "embark.billing",
      DetailType: "invoice.paid",
      Detail: payload,
      Time: new Date(1_700_000_000 * 1000),
    });
  });
});

describe("decide", () => {
  const plans = DEFAULT_PLANS;
  const base = (over: Partial<Tenant> = {}): Tenant => ({
    ...newTenant({ slug: "acme", companyName: "Acme", adminEmail: "ops@acme.test", plan: "standard" }),
    status: "ACTIVE",
    billing: { customerId: "cus_1", subscriptionId: "sub_1" },
    ...over,
  });
  const ev = (over: Partial<BillingEvent> & Pick<BillingEvent, "action">): BillingEvent => ({
    id: "evt_1",
    type: "x",
    created: 1_000,
    source: "stripe",
    customerId: "cus_1",
    subscriptionId: "sub_1",
    ...over,
  });
  const mark = (eventId: string, created: number, extra = {}) => ({ eventId, created, ...extra });
  /** The mark of a decision that records the event without starting a workflow. */
  const recordOnly = (d: ReturnType<typeof decide>) => {
    if (d.kind !== "mark") throw new Error(`expected a mark, got ${d.kind}`);
    expect(d.mark.workflow).toBeUndefined();
    return d.mark;
  };

  it("starts PlanChange for a new plan, records the same plan, ignores an unknown price", () => {
    const t = base();
    expect(decide(t, ev({ action: "plan", priceId: "price_enterprise_yearly" }), plans)).toMatchObject({
      kind: "mark",
      aspect: "plan",
      mark: {
        value: "enterprise",
        workflow: "plan-change",
        input: { tenantId: t.tenantId, eventId: "evt_1", plan: "enterprise" },
      },
    });
    expect(recordOnly(decide(t, ev({ action: "plan", priceId: "price_standard_yearly" }), plans)).value).toBe(
      "standard",
    );
    expect(decide(t, ev({ action: "plan", priceId: "price_nope" }), plans)).toMatchObject({ kind: "ignore" });
  });

  it("compares a plan with the newest applied plan event, not a record still being changed", () => {
    const t = base({ billing: { customerId: "cus_1", plan: mark("evt_0", 900, { value: "enterprise" }) } });
    expect(recordOnly(decide(t, ev({ action: "plan", planId: "enterprise" }), plans)).value).toBe(
      "enterprise",
    );
  });

  it("orders per aspect by (created, id): older is superseded, the same id is a duplicate", () => {
    const t = base({
      billing: {
        customerId: "cus_1",
        plan: mark("evt_b", 1_000, { value: "standard" }),
        standing: mark("evt_s", 2_000, { value: "failed", workflow: "suspend", input: {} }),
      },
    });
    expect(decide(t, ev({ id: "evt_a", created: 1_000, action: "plan", planId: "free" }), plans).kind).toBe(
      "superseded",
    );
    expect(decide(t, ev({ id: "evt_c", created: 1_000, action: "plan", planId: "free" }), plans).kind).toBe(
      "mark",
    );
    // An older payment event does not lose to a newer plan event: aspects are ordered apart.
    expect(decide(t, ev({ id: "evt_p", created: 1_500, action: "payment_succeeded" }), plans).kind).toBe(
      "superseded",
    );
    expect(decide(t, ev({ id: "evt_p", created: 2_500, action: "payment_succeeded" }), plans).kind).toBe(
      "mark",
    );
    expect(decide(t, ev({ id: "evt_s", created: 2_000, action: "payment_failed" }), plans)).toMatchObject({
      kind: "duplicate",
      mark: { workflow: "suspend" },
    });
  });

  it("suspends after the plan's grace period from the invoice, or at once for an operator", () => {
    const t = base();
    const grace = plans.find((p) => p.id === "standard")?.suspendGraceDays ?? 0;
    expect(decide(t, ev({ action: "payment_failed", invoiceCreated: 500 }), plans)).toMatchObject({
      mark: { workflow: "suspend", input: { suspendAt: new Date((500 + grace * DAY) * 1000).toISOString() } },
    });
    expect(decide(t, ev({ action: "payment_failed", immediate: true, source: "ops" }), plans)).toMatchObject({
      mark: { input: { suspendAt: new Date(1_000_000).toISOString() } },
    });
    expect(
      recordOnly(decide(base({ status: "SUSPENDED" }), ev({ action: "payment_failed" }), plans)).value,
    ).toBe("failed");
  });

  it("reactivates only a suspended tenant; a payment while active is recorded", () => {
    expect(decide(base({ status: "SUSPENDED" }), ev({ action: "payment_succeeded" }), plans)).toMatchObject({
      mark: { workflow: "reactivate" },
    });
    expect(recordOnly(decide(base(), ev({ action: "payment_succeeded" }), plans)).value).toBe("paid");
  });

  it("cancels (retains) once, also a tenant whose onboarding failed; an operator may set the grace period", () => {
    expect(decide(base({ status: "FAILED" }), ev({ action: "cancel" }), plans)).toMatchObject({
      mark: { workflow: "cancel" },
    });
    expect(decide(base(), ev({ action: "cancel", source: "ops", graceSeconds: 5 }), plans)).toMatchObject({
      mark: { workflow: "cancel", input: { graceSeconds: 5 } },
    });
    const cancelled = base({
      status: "CANCELLED",
      billing: { customerId: "cus_1", cancel: mark("evt_x", 5, { workflow: "cancel", input: {} }) },
    });
    expect(decide(cancelled, ev({ action: "cancel", created: 9_999 }), plans).kind).toBe("superseded");
    expect(decide(cancelled, ev({ id: "evt_x", action: "cancel", created: 5 }), plans).kind).toBe(
      "duplicate",
    );
  });

  it("restores a CANCELLED tenant on a newer payment, subscription or ops restore, never on an older one", () => {
    const cancelled = base({
      status: "CANCELLED",
      billing: {
        customerId: "cus_1",
        subscriptionId: "sub_1",
        cancel: mark("evt_x", 5, { workflow: "cancel", input: {} }),
      },
    });
    expect(decide(cancelled, ev({ action: "payment_succeeded", created: 6 }), plans)).toMatchObject({
      kind: "mark",
      aspect: "cancel",
      mark: { workflow: "restore" },
    });
    // A new subscription of the same customer restores, and becomes the tenant's subscription.
    expect(
      decide(cancelled, ev({ action: "subscribe", created: 6, subscriptionId: "sub_2" }), plans),
    ).toMatchObject({ mark: { workflow: "restore", input: { subscriptionId: "sub_2" } } });
    expect(decide(cancelled, ev({ action: "restore", source: "ops", created: 6 }), plans)).toMatchObject({
      mark: { workflow: "restore" },
    });
    // Paid before it was cancelled: the cancellation stands.
    expect(decide(cancelled, ev({ action: "payment_succeeded", created: 4 }), plans).kind).toBe("superseded");
    // Other events wait for a restore.
    expect(decide(cancelled, ev({ action: "plan", planId: "free", created: 6 }), plans).kind).toBe("ignore");
    // Restored: the cancellation it answered, delivered again, is older than the restore.
    const restored = base({
      billing: { customerId: "cus_1", cancel: mark("evt_r", 6, { workflow: "restore", input: {} }) },
    });
    expect(decide(restored, ev({ id: "evt_x", action: "cancel", created: 5 }), plans).kind).toBe(
      "superseded",
    );
    expect(decide(restored, ev({ action: "cancel", created: 7 }), plans)).toMatchObject({
      mark: { workflow: "cancel" },
    });
  });

  it("ops restore of a tenant that is not CANCELLED is refused, naming the export after a purge", () => {
    expect(decide(base(), ev({ action: "restore", source: "ops" }), plans)).toMatchObject({
      kind: "ignore",
      reason: expect.stringContaining("not CANCELLED"),
    });
    const purged = base({
      status: "OFFBOARDED",
      export: {
        bucket: "b",
        prefix: "p/",
        manifestKey: "p/manifest.json",
        location: "s3://b/p/manifest.json",
        sha256: "ab",
        objects: 3,
        at: new Date().toISOString(),
      },
    });
    expect(decide(purged, ev({ action: "restore", source: "ops" }), plans)).toMatchObject({
      kind: "ignore",
      reason: expect.stringContaining("s3://b/p/manifest.json"),
    });
  });

  it("parks events for a tenant that is onboarding (or failed to), ignores an offboarded one", () => {
    for (const status of ["PROVISIONING", "FAILED"] as const) {
      expect(decide(base({ status }), ev({ action: "plan", planId: "free" }), plans).kind, status).toBe(
        "park",
      );
    }
    for (const status of ["OFFBOARDING", "OFFBOARDED"] as const) {
      expect(decide(base({ status }), ev({ action: "payment_failed" }), plans).kind, status).toBe("ignore");
    }
  });

  it("ignores events of another subscription of the customer", () => {
    expect(decide(base(), ev({ action: "cancel", subscriptionId: "sub_other" }), plans)).toMatchObject({
      kind: "ignore",
      reason: expect.stringMatching(/sub_other/),
    });
  });
});

describe("helpers", () => {
  it("orders events by created, then id", () => {
    const sorted = [
      { created: 2, id: "a" },
      { created: 1, id: "b" },
      { created: 1, id: "a" },
    ].sort(compareEvents);
    expect(sorted).toEqual([
      { created: 1, id: "a" },
      { created: 1, id: "b" },
      { created: 2, id: "a" },
    ]);
  });

  it("orders operator commands of the same second as they were issued (a restore right after a cancel)", () => {
    const t = 1_733_000_000_123;
    for (let i = 0; i < 50; i++) {
      const cancel = { created: Math.floor(t / 1000), id: opsEventId(t) };
      const restore = { created: Math.floor(t / 1000), id: opsEventId(t + 1 + (i % 7)) };
      expect(compareEvents(cancel, restore)).toBeLessThan(0);
    }
    expect(opsEventId(t)).toMatch(/^ops-[0-9a-z]{9}-[0-9a-f-]{36}$/);
  });

  it("picks a price's plan over a named plan", () => {
    expect(planFor({ priceId: "price_free_monthly", planId: "enterprise" }, DEFAULT_PLANS)?.id).toBe("free");
    expect(planFor({ planId: "enterprise" }, DEFAULT_PLANS)?.id).toBe("enterprise");
  });

  it("offers the slug, then a deterministic unique one, both valid", () => {
    const long = "a".repeat(40);
    for (const slug of ["acme", long]) {
      const candidates = slugCandidates(slug, "cus_123");
      expect(candidates[0]).toBe(slug);
      expect(candidates[1]).toMatch(/-[0-9a-f]{6}$/);
      expect(candidates).toEqual(slugCandidates(slug, "cus_123"));
      for (const c of candidates) expect(validateSlug(c).ok, c).toBe(true);
    }
  });
});
