/**
 * What the soak asks of Embark, over real HTTP: signups (POST /signups with an Idempotency-Key) and checkouts
 * (Stripe-signed webhooks) across every plan, then billing events for a share of the checkout tenants (plan
 * changes, suspensions, reactivations, cancellations), shuffled and some sent twice. Every request is retried the
 * way its real sender retries it (a browser's resubmit with the same key, Stripe's redelivery of the same event)
 * while the cloud answers 5xx or is down.
 */
import { randomBytes } from "node:crypto";
import Stripe from "stripe";
import {
  checkoutCompleted,
  invoiceEvent,
  type StripeTestEvent,
  subscriptionDeleted,
  subscriptionUpdated,
} from "../support/billing-events.js";

export const PLANS = ["free", "standard", "enterprise"] as const;
export type PlanId = (typeof PLANS)[number];

export type Scenario =
  | "signup"
  | "checkout"
  | "planChange"
  | "suspend"
  | "suspendReactivate"
  | "offboard"
  | "planChangeOffboard";

export type ExpectedStatus = "ACTIVE" | "SUSPENDED" | "OFFBOARDED";

export interface SoakTenant {
  index: number;
  slug: string;
  companyName: string;
  adminEmail: string;
  plan: PlanId;
  scenario: Scenario;
  /** What its events ask for, applied in order. */
  expected: { status: ExpectedStatus; plan: PlanId };
  customer?: string;
  subscription?: string;
  /** Known once the signup answered (signups) or the tenant exists (checkouts). */
  tenantId?: string;
  /** Billing events after the checkout, in `created` order (sent shuffled). */
  events: StripeTestEvent[];
}

const DAY = 86_400;
const LIFECYCLE: Scenario[] = [
  "checkout",
  "planChange",
  "suspend",
  "suspendReactivate",
  "offboard",
  "planChangeOffboard",
];

/** N tenants across the plans: half sign up, half come from a checkout and get billing events. */
export function planTenants(n: number, run: string): SoakTenant[] {
  const t0 = Math.floor(Date.now() / 1000) - 3600;
  return Array.from({ length: n }, (_, i) => {
    const plan = PLANS[i % PLANS.length]!;
    const viaCheckout = i % 2 === 1;
    const scenario: Scenario = viaCheckout ? LIFECYCLE[Math.floor(i / 2) % LIFECYCLE.length]! : "signup";
    const other = PLANS[(PLANS.indexOf(plan) + 1) % PLANS.length]!;
    const t: SoakTenant = {
      index: i,
      slug: `soak-${run}-${i}`,
      companyName: `Soak ${run} Tenant ${i}`,
      adminEmail: `admin+${i}@soak-${run}.test`,
      plan,
      scenario,
      expected: { status: "ACTIVE", plan },
      events: [],
    };
    if (!viaCheckout) return t;
    t.customer = `cus_soak${run}${i}`;
    t.subscription = `sub_soak${run}${i}`;
    const ids = { customer: t.customer, subscription: t.subscription };
    const at = (k: number) => ({ created: t0 + 10 * k });
    const failed = () =>
      invoiceEvent("invoice.payment_failed", { ...ids, invoiceCreated: t0 - 40 * DAY }, at(2));
    if (scenario === "planChange" || scenario === "planChangeOffboard") {
      t.events.push(subscriptionUpdated({ ...ids, price: `price_${other}_monthly` }, at(1)));
      t.expected.plan = other;
    }
    if (scenario === "suspend" || scenario === "suspendReactivate") {
      t.events.push(failed());
      t.expected.status = "SUSPENDED";
    }
    if (scenario === "suspendReactivate") {
      t.events.push(invoiceEvent("invoice.paid", ids, at(3)));
      t.expected.status = "ACTIVE";
    }
    if (scenario === "offboard" || scenario === "planChangeOffboard") {
      t.events.push(subscriptionDeleted({ ...ids, price: `price_${t.expected.plan}_monthly` }, at(4)));
      t.expected.status = "OFFBOARDED";
    }
    return t;
  });
}

export function checkoutOf(t: SoakTenant, created: number): StripeTestEvent {
  return checkoutCompleted(
    {
      customer: t.customer!,
      subscription: t.subscription!,
      email: t.adminEmail,
      company: t.companyName,
      plan: t.plan,
      slug: t.slug,
    },
    { created, id: `evt_soak_checkout_${t.slug}` },
  );
}

export function shuffle<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Http {
  /** Retries on network errors and 5xx until `deadlineMs` passed; counts the retries. */
  send(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; json: unknown }>;
  retries: number;
}

export function http(web: () => string, deadlineMs = 180_000): Http {
  const h: Http = {
    retries: 0,
    async send(method, path, body, headers = {}) {
      const until = Date.now() + deadlineMs;
      let delay = 200;
      for (;;) {
        try {
          const res = await fetch(`${web()}${path}`, {
            method,
            headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
            body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
            signal: AbortSignal.timeout(60_000),
          });
          const text = await res.text();
          // 409 request_in_progress: the same Idempotency-Key is still being processed; "retry shortly".
          const inProgress = res.status === 409 && text.includes("request_in_progress");
          if (res.status < 500 && res.status !== 429 && !inProgress) {
            return { status: res.status, json: text ? JSON.parse(text) : undefined };
          }
          if (Date.now() > until) return { status: res.status, json: text };
        } catch (err) {
          if (Date.now() > until) throw err;
        }
        h.retries++;
        await sleep(delay);
        delay = Math.min(delay * 2, 3000);
      }
    },
  };
  return h;
}

/** The Stripe-Signature header for a payload, as Stripe signs it. */
export function sign(payload: string, secret: string): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret });
}

export const runId = () => randomBytes(3).toString("hex");
