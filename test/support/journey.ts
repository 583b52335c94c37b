/**
 * One pass through every function of the manifest on a running local cloud, through its public doors (HTTP
 * routes, the Stripe-signed billing webhook) and the real AWS SDK for reads: a standard signup to ACTIVE, the
 * HTTP routes, an enterprise customer onboarded from a checkout (pipeline wait and callback), a plan change,
 * suspend, reactivate, offboard, and an onboarding whose pipeline fails (record-failure). Each step returns
 * what it saw; test/bundles/journey.test.ts asserts on it, test/bench/cold-start.ts times the functions it
 * wakes. Endpoints are passed in, so it runs inside or outside vitest.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { DescribeExecutionCommand, SFNClient } from "@aws-sdk/client-sfn";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import Stripe from "stripe";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import type { EventRecord } from "../../core/billing/records.js";
import type { PublicTenantView, Tenant } from "../../core/tenant/model.js";
import { STATE_MACHINE_FOR_WORKFLOW, type Workflow } from "../../core/workflow/names.js";
import { localClientConfig } from "../../local/aws/client-config.js";
import {
  checkoutCompleted,
  invoiceEvent,
  newCustomerId,
  newSubscriptionId,
  now,
  type StripeTestEvent,
  subscriptionDeleted,
  subscriptionUpdated,
} from "./billing.js";
import { claimsOf, signIn } from "./srp-sign-in.js";

export interface JourneyCloud {
  web: string;
  edge: string;
  stripeWebhookSecret: string;
}

const DAY = 24 * 60 * 60;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

export function journey(c: JourneyCloud) {
  const config = localClientConfig(c.edge);
  const docs = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  const sfn = new SFNClient(config);
  const lambda = new LambdaClient(config);
  const run = `${Date.now().toString(36)}${process.pid.toString(36)}`;

  const http = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${c.web}${path}`, {
      method,
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, contentType: res.headers.get("content-type") ?? "", text };
  };
  const json = <T = Record<string, unknown>>(r: { text: string }) => JSON.parse(r.text) as T;

  const tenant = async (id: string) => {
    const r = await http("GET", `/tenants/${encodeURIComponent(id)}`);
    return r.status === 200 ? json<PublicTenantView>(r) : undefined;
  };
  const waitForTenant = (id: string, statuses: string[]) =>
    poll(`tenant ${id} to be ${statuses.join("|")}`, async () => {
      const t = await tenant(id);
      return t && statuses.includes(t.status) ? t : undefined;
    });
  const item = async (pk: string) =>
    (
      await docs.send(
        new GetCommand({ TableName: LOCAL_NAMES.table("tenants"), Key: { pk }, ConsistentRead: true }),
      )
    ).Item;
  const record = async (tenantId: string) => (await item(`TENANT#${tenantId}`)) as Tenant | undefined;
  const webhook = async (event: StripeTestEvent) => {
    const payload = JSON.stringify(event);
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: c.stripeWebhookSecret });
    const r = await http("POST", "/billing/webhook", payload, { "stripe-signature": signature });
    return { status: r.status, body: json(r) };
  };
  /** What the billing router made of an event, once it has. */
  const outcome = (eventId: string) =>
    poll(`an outcome for ${eventId}`, async () => {
      const r = (await item(`BILLINGEVENT#${eventId}`)) as EventRecord | undefined;
      return r?.outcome ? r : undefined;
    });
  const execution = (workflow: Workflow, name: string) =>
    poll(`execution ${name} to end`, async () => {
      const executionArn = `arn:aws:states:us-east-1:000000000000:execution:${STATE_MACHINE_FOR_WORKFLOW[workflow]}:${name}`;
      const out = await sfn.send(new DescribeExecutionCommand({ executionArn })).catch(() => undefined);
      return out?.status && out.status !== "RUNNING" ? out.status : undefined;
    });
  /** The local CodePipeline's failure injection, limited to one tenant's runs. */
  const pipelineBehaviour = async (behaviour: { fail?: string; match?: Record<string, string> }) => {
    const res = await fetch(c.edge, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "CodePipeline_20150709.EmbarkLocalSetBehaviour",
      },
      body: JSON.stringify({ name: LOCAL_NAMES.pipeline, ...behaviour }),
    });
    if (res.status !== 200) throw new Error(`EmbarkLocalSetBehaviour answered ${res.status}`);
  };

  // The enterprise customer the billing steps follow, created in time order (Stripe's `created`).
  const customer = newCustomerId();
  const subscription = newSubscriptionId();
  const t0 = now() - 3600;
  let enterprise: { tenantId: string; slug: string } | undefined;
  const customerTenant = () => {
    if (!enterprise) throw new Error("run enterpriseFromCheckout first");
    return enterprise;
  };
  /** A billing event through the webhook, the router's outcome, and the workflow it started, run to its end. */
  const billingStep = async (event: StripeTestEvent, workflow: Workflow) => {
    const { slug, tenantId } = customerTenant();
    const accepted = await webhook(event);
    const routed = await outcome(event.id);
    const status = routed.execution ? await execution(workflow, routed.execution) : undefined;
    const view = await tenant(tenantId);
    return { accepted, routed, execution: status, slug, record: await record(tenantId), view };
  };

  return {
    /** POST /signups (standard) → ACTIVE; then GET /tenants/{id} by slug. */
    async standardSignup() {
      const res = await http("POST", "/signups", {
        companyName: `Standard Journey ${run}`,
        adminEmail: `ops+${run}@standard.test`,
        plan: "standard",
      });
      const body = json<{ tenantId: string; slug: string }>(res);
      await waitForTenant(body.tenantId, ["ACTIVE", "FAILED"]);
      // ACTIVE is written inside "Activate tenant", just before the step records itself done.
      const active = await poll(`tenant ${body.tenantId}'s activation to be recorded`, async () => {
        const t = await tenant(body.tenantId);
        const step = t?.steps.find((s) => s.name === "activateTenant")?.status;
        return t && (t.status !== "ACTIVE" || step === "done") ? t : undefined;
      });
      const bySlug = await tenant(body.slug);
      return { status: res.status, body, active, bySlug, adminEmail: `ops+${run}@standard.test` };
    },

    /**
     * The admin's first sign-in, as the sign-in page does it: the page, the tenant's sign-in ids, the invitation
     * from the mail store, SRP with the temporary password, a new password, tokens (the claims trigger runs).
     */
    async firstSignIn(slug: string, adminEmail: string) {
      const page = await http("GET", `/login?tenant=${encodeURIComponent(slug)}`);
      const config = json<{ userPoolId: string; clientId: string }>(
        await http("GET", `/tenants/${encodeURIComponent(slug)}/sign-in`),
      );
      const invitation = await poll(`the invitation to ${adminEmail}`, async () => {
        const store = (await (await fetch(`${c.edge}/_aws/ses`)).json()) as {
          emails?: Array<{ destination?: { to?: string[] }; body?: { html?: string } }>;
        };
        return store.emails?.find(
          (e) => e.destination?.to?.includes(adminEmail) && /Temporary password/.test(e.body?.html ?? ""),
        );
      });
      const temporary =
        /Temporary password: <strong>([^<]+)<\/strong>/.exec(invitation.body?.html ?? "")?.[1] ?? "";
      const first = await signIn(c.edge, config, adminEmail, temporary);
      if (first.kind !== "newPasswordRequired") throw new Error(`first sign-in answered ${first.kind}`);
      const session = await first.complete(`Journey-${run}-Aa1!`);
      return { page, config, claims: claimsOf(session.getIdToken().getJwtToken()) };
    },

    /** A reconcile pass for one tenant, invoked as the schedule invokes it (Lambda Invoke on the edge). */
    async reconcile(slug: string) {
      const out = await lambda.send(
        new InvokeCommand({ FunctionName: "reconcile", Payload: JSON.stringify({ tenants: [slug] }) }),
      );
      return {
        functionError: out.FunctionError,
        report: JSON.parse(new TextDecoder().decode(out.Payload)) as {
          checked: Record<string, number>;
          actions: Array<{ outcome: string }>;
        },
      };
    },

    /** The other HTTP routes: the signup page, the plan catalog, slug availability. */
    async httpRoutes(takenSlug: string) {
      const page = await http("GET", "/");
      const plans = await http("GET", "/plans");
      const taken = await http("GET", `/slugs/${takenSlug}`);
      const free = await http("GET", `/slugs/free-${run}`);
      return {
        page,
        plans: { status: plans.status, body: json<{ plans: { id: string }[] }>(plans) },
        taken: { status: taken.status, body: json(taken) },
        free: { status: free.status, body: json(free) },
      };
    },

    /** checkout.session.completed for a new enterprise customer → a tenant, through the pipeline, ACTIVE. */
    async enterpriseFromCheckout() {
      const event = checkoutCompleted(
        {
          customer,
          subscription,
          email: `billing+${run}@enterprise.test`,
          company: `Enterprise Journey ${run}`,
          plan: "enterprise",
        },
        { created: t0 },
      );
      const accepted = await webhook(event);
      const routed = await outcome(event.id);
      const tenantId = String(routed.tenantId);
      const active = await waitForTenant(tenantId, ["ACTIVE", "FAILED"]);
      enterprise = { tenantId, slug: active.slug };
      return { accepted, routed, active };
    },

    /** customer.subscription.updated to the standard price → PlanChange (pipeline teardown). */
    planChange: () =>
      billingStep(
        subscriptionUpdated(
          { customer, subscription, price: "price_standard_monthly" },
          { created: t0 + 10 },
        ),
        "plan-change",
      ),

    /** invoice.payment_failed past the grace period → Suspend. */
    suspend: () =>
      billingStep(
        invoiceEvent(
          "invoice.payment_failed",
          { customer, subscription, invoiceCreated: now() - 31 * DAY },
          { created: t0 + 20 },
        ),
        "suspend",
      ),

    /** invoice.paid → Reactivate. */
    reactivate: () =>
      billingStep(
        invoiceEvent("invoice.paid", { customer, subscription }, { created: t0 + 30 }),
        "reactivate",
      ),

    /** customer.subscription.deleted → Cancel (export, retained), then the purge once the grace period ends. */
    async offboard() {
      const cancelled = await billingStep(
        subscriptionDeleted(
          { customer, subscription, price: "price_standard_monthly" },
          { created: t0 + 40 },
        ),
        "cancel",
      );
      // The purge schedule fires after the plan's grace period (a second in the test clouds).
      const purge = await execution("offboard", `${cancelled.slug}-offboard-1`);
      return {
        ...cancelled,
        cancel: cancelled.execution,
        execution: purge,
        record: await record(customerTenant().tenantId),
      };
    },

    /** An enterprise signup whose pipeline fails → the execution fails → record-failure marks it FAILED. */
    async failedOnboarding() {
      const slug = `fails-${run}`;
      await pipelineBehaviour({ fail: "Deploy stage failed: journey", match: { TENANT_SLUG: slug } });
      const res = await http("POST", "/signups", {
        companyName: `Failing Journey ${run}`,
        adminEmail: `ops+${run}@fails.test`,
        plan: "enterprise",
        slug,
      });
      const { tenantId } = json<{ tenantId: string }>(res);
      const failed = await waitForTenant(tenantId, ["FAILED", "ACTIVE"]);
      await pipelineBehaviour({ match: { TENANT_SLUG: slug } });
      return { status: res.status, failed };
    },

    destroy() {
      docs.destroy();
      sfn.destroy();
      lambda.destroy();
    },
  };
}

export type Journey = ReturnType<typeof journey>;

/** Every step in order (the benchmark's drive; the test runs them one `it` at a time). */
export async function runJourney(c: JourneyCloud): Promise<void> {
  const j = journey(c);
  try {
    const standard = await j.standardSignup();
    if (standard.active.status !== "ACTIVE")
      throw new Error(`standard signup ended ${standard.active.status}`);
    await j.httpRoutes(standard.body.slug);
    const enterprise = await j.enterpriseFromCheckout();
    if (enterprise.active.status !== "ACTIVE") throw new Error(`checkout ended ${enterprise.active.status}`);
    for (const step of [j.planChange, j.suspend, j.reactivate, j.offboard]) {
      const r = await step();
      if (r.execution !== "SUCCEEDED") throw new Error(`a lifecycle workflow ended ${r.execution}`);
    }
    const failing = await j.failedOnboarding();
    if (failing.failed.status !== "FAILED") throw new Error("the failing onboarding did not fail");
  } finally {
    j.destroy();
  }
}
