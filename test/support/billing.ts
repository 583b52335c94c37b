/**
 * Billing test helpers: Stripe-shaped events, webhooks signed with the `stripe` package's own test helper
 * (generateTestHeaderString) and the local cloud's signing secret, and readers for what the router recorded.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from "@aws-sdk/client-sfn";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import Stripe from "stripe";
import { expect } from "vitest";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import type { EventRecord } from "../../core/billing/records.js";
import type { PublicTenantView, Tenant } from "../../core/tenant/model.js";
import { STATE_MACHINE_FOR_WORKFLOW, type Workflow } from "../../core/workflow/names.js";
import {
  checkoutCompleted,
  newCustomerId,
  newSubscriptionId,
  type StripeTestEvent,
} from "./billing-events.js";
import { awsConfig, cloud } from "./cloud.js";
import { eventually, waitForTenant } from "./embark.js";

export {
  checkoutCompleted,
  invoiceEvent,
  newCustomerId,
  newSubscriptionId,
  now,
  type StripeTestEvent,
  stripeEvent,
  subscriptionCreated,
  subscriptionDeleted,
  subscriptionUpdated,
} from "./billing-events.js";

/** POSTs an event to the webhook, signed the way Stripe signs it. */
export async function postWebhook(
  event: StripeTestEvent | string,
  opts: { secret?: string; timestamp?: number; signature?: string | null } = {},
) {
  const payload = typeof event === "string" ? event : JSON.stringify(event);
  const header =
    opts.signature === undefined
      ? Stripe.webhooks.generateTestHeaderString({
          payload,
          secret: opts.secret ?? cloud().stripeWebhookSecret,
          ...(opts.timestamp ? { timestamp: opts.timestamp } : {}),
        })
      : opts.signature;
  const res = await fetch(`${cloud().web}/billing/webhook`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(header === null ? {} : { "stripe-signature": header }),
    },
    body: payload,
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } },
  };
}

/**
 * A fresh tenant through the billing webhook: a signed checkout.session.completed for `customer` (a new one if
 * not given), accepted (200), turned into a tenant by the router, which is then ACTIVE.
 */
export async function tenantFromCheckout(
  o: { email: string; company: string; plan: string; customer?: string; subscription?: string },
  opts: { created?: number } = {},
): Promise<{ customer: string; subscription: string; tenantId: string; tenant: PublicTenantView }> {
  const customer = o.customer ?? newCustomerId();
  const subscription = o.subscription ?? newSubscriptionId();
  const checkout = checkoutCompleted({ ...o, customer, subscription }, opts);
  expect((await postWebhook(checkout)).status).toBe(200);
  const tenantId = (await billingOutcome(checkout.id)).tenantId as string;
  return { customer, subscription, tenantId, tenant: await waitForTenant(tenantId, ["ACTIVE"]) };
}

let docs: DynamoDBDocumentClient | undefined;
function documents(): DynamoDBDocumentClient {
  docs ??= DynamoDBDocumentClient.from(new DynamoDBClient(awsConfig()));
  return docs;
}

async function item(pk: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documents().send(
    new GetCommand({ TableName: LOCAL_NAMES.table("tenants"), Key: { pk }, ConsistentRead: true }),
  );
  return Item;
}

/** The tenant record as stored (the real DynamoDB API). */
export const tenantRecord = async (tenantId: string) =>
  (await item(`TENANT#${tenantId}`)) as (Tenant & Record<string, unknown>) | undefined;

export const customerRecord = (customerId: string) => item(`CUSTOMER#${customerId}`);

/** What the router recorded for an event so far (undefined: it never saw it). */
export const eventRecord = async (eventId: string) =>
  (await item(`BILLINGEVENT#${eventId}`)) as EventRecord | undefined;

/** What the router recorded for an event, once it has. */
export async function billingOutcome(
  eventId: string,
  opts: { deliveries?: number } = {},
  timeoutMs = 20_000,
): Promise<EventRecord> {
  const rec = await eventually(
    async () => (await item(`BILLINGEVENT#${eventId}`)) as EventRecord | undefined,
    (r) =>
      r?.outcome !== undefined && (opts.deliveries === undefined || (r.deliveries ?? 0) >= opts.deliveries),
    timeoutMs,
  );
  if (!rec?.outcome) throw new Error(`no outcome recorded for ${eventId} in ${timeoutMs} ms`);
  return rec;
}

/** Waits for the tenant record to satisfy `ok`. */
export async function waitForRecord(
  tenantId: string,
  ok: (t: Tenant & Record<string, unknown>) => boolean,
  timeoutMs = 20_000,
) {
  const t = await eventually(
    () => tenantRecord(tenantId),
    (t) => t !== undefined && ok(t),
    timeoutMs,
  );
  if (!t || !ok(t)) throw new Error(`tenant ${tenantId} did not get there; last: ${JSON.stringify(t)}`);
  return t;
}

const sfn = () => new SFNClient(awsConfig());
const stateMachineArn = (workflow: Workflow) =>
  `arn:aws:states:us-east-1:000000000000:stateMachine:${STATE_MACHINE_FOR_WORKFLOW[workflow]}`;
export const executionArn = (workflow: Workflow, name: string) =>
  `${stateMachineArn(workflow).replace(":stateMachine:", ":execution:")}:${name}`;

/** Polls DescribeExecution until the execution exists and reaches one of `statuses`. */
export async function waitForLifecycleExecution(
  workflow: Workflow,
  name: string,
  statuses: string[] = ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"],
  timeoutMs = 20_000,
): Promise<string> {
  const client = sfn();
  const status = await eventually(
    async () =>
      (
        await client
          .send(new DescribeExecutionCommand({ executionArn: executionArn(workflow, name) }))
          .catch(() => ({ status: "MISSING" }))
      ).status ?? "",
    (s) => statuses.includes(s),
    timeoutMs,
  );
  return status;
}

/** Executions of `workflow` whose names start with `<slug>-` (ListExecutions, real SDK). */
export async function executionsOf(workflow: Workflow, slug: string) {
  const out = await sfn().send(
    new ListExecutionsCommand({ stateMachineArn: stateMachineArn(workflow), maxResults: 1000 }),
  );
  return (out.executions ?? []).filter((e) => e.name?.startsWith(`${slug}-${workflow}-`));
}
