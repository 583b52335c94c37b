/**
 * Tenant lifecycle events for the application plane (docs/events.md), end to end on the local cloud through real
 * clients: a rule on the `embark-tenants` bus sends every `embark.tenants` event to an SQS queue of the test's,
 * as an application would subscribe. One customer's billing life (every Stripe event delivered twice), a
 * retried step and a second drain must leave exactly one event per transition on it, in `version` order.
 */
import { randomUUID } from "node:crypto";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import type { TenantEventDetail } from "../../core/tenant/events.js";
import {
  billingOutcome,
  checkoutCompleted,
  invoiceEvent,
  newCustomerId,
  newSubscriptionId,
  now,
  postWebhook,
  type StripeTestEvent,
  subscriptionDeleted,
  subscriptionUpdated,
  waitForLifecycleExecution,
} from "../support/billing.js";
import { awsConfig } from "../support/cloud.js";
import { uniqueCompany, waitForTenant } from "../support/embark.js";

const DAY = 24 * 60 * 60;
interface Received {
  source: string;
  "detail-type": string;
  detail: TenantEventDetail;
}

describe("tenant lifecycle events on embark-tenants", () => {
  const sqs = new SQSClient(awsConfig());
  const customer = newCustomerId();
  const subscription = newSubscriptionId();
  const company = uniqueCompany("Events Co");
  const email = `events+${Date.now()}@events.test`;
  const t0 = now() - 3600;
  const sub = (price: string) => ({ customer, subscription, price });
  let queueUrl: string;
  let tenantId: string;
  let slug: string;
  const received: Received[] = [];

  /** Delivers a Stripe event twice (Stripe retries; both are signed and accepted). */
  const deliverTwice = async (e: StripeTestEvent) => {
    expect((await postWebhook(e)).status).toBe(200);
    expect((await postWebhook(e)).status).toBe(200);
  };

  /** Reads the queue until `count` events of this tenant arrived (bounded), keeping them in `received`. */
  const receiveUntil = async (count: number) => {
    const deadline = Date.now() + 30_000;
    while (received.length < count && Date.now() < deadline) await receiveOnce(1);
    return received.map((r) => r["detail-type"]);
  };
  const receiveOnce = async (waitSeconds: number) => {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitSeconds,
      }),
    );
    const messages = out.Messages ?? [];
    for (const m of messages) {
      const event = JSON.parse(m.Body ?? "{}") as Received;
      if (event.detail?.tenantId === tenantId) received.push(event);
    }
    if (messages.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    return messages.length;
  };

  beforeAll(async () => {
    // What an application does to subscribe: a queue and a rule on the bus, matching Embark's source.
    const name = `app-tenant-events-${randomUUID().slice(0, 8)}`;
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string;
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
    );
    const events = new EventBridgeClient(awsConfig());
    const bus = LOCAL_NAMES.bus("tenants");
    await events.send(
      new PutRuleCommand({
        Name: name,
        EventBusName: bus,
        EventPattern: JSON.stringify({ source: ["embark.tenants"] }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: name,
        EventBusName: bus,
        Targets: [{ Id: "app-queue", Arn: attrs.Attributes?.QueueArn }],
      }),
    );
  });

  it("onboarding publishes Tenant Activated once, though the checkout arrived twice", async () => {
    const e = checkoutCompleted(
      { customer, subscription, email, company, plan: "standard" },
      { created: t0 },
    );
    await deliverTwice(e);
    tenantId = (await billingOutcome(e.id)).tenantId as string;
    slug = (await waitForTenant(tenantId, ["ACTIVE"])).slug;
    expect(await receiveUntil(1)).toEqual(["Tenant Activated"]);
    expect(received[0]).toMatchObject({
      source: "embark.tenants",
      detail: {
        eventId: `${tenantId}:1`,
        tenantId,
        slug,
        plan: "standard",
        status: "ACTIVE",
        previousStatus: "PROVISIONING",
        version: 1,
        cause: { execution: `${slug}-onboard-1` },
      },
    });
  });

  it("a plan change publishes Tenant Plan Changed with the billing event that caused it", async () => {
    const e = subscriptionUpdated(sub("price_free_monthly"), { created: t0 + 10 });
    await deliverTwice(e);
    expect(await waitForLifecycleExecution("plan-change", `${slug}-plan-change-1`)).toBe("SUCCEEDED");
    expect(await receiveUntil(2)).toEqual(["Tenant Activated", "Tenant Plan Changed"]);
    expect(received[1]?.detail).toMatchObject({
      plan: "free",
      previousPlan: "standard",
      status: "ACTIVE",
      version: 2,
      cause: { billingEventId: e.id, execution: `${slug}-plan-change-1` },
    });
  });

  it("suspension and reactivation each publish once, also when a step is retried afterwards", async () => {
    const failed = invoiceEvent(
      "invoice.payment_failed",
      { customer, subscription, invoiceCreated: now() - 8 * DAY },
      { created: t0 + 20 },
    );
    await deliverTwice(failed);
    expect(await waitForLifecycleExecution("suspend", `${slug}-suspend-1`)).toBe("SUCCEEDED");
    const paid = invoiceEvent("invoice.paid", { customer, subscription }, { created: t0 + 30 });
    await deliverTwice(paid);
    expect(await waitForLifecycleExecution("reactivate", `${slug}-reactivate-1`)).toBe("SUCCEEDED");

    // A retry of the reactivation's status step and of the drain (as Step Functions' Retry would run them).
    const lambda = new LambdaClient(awsConfig());
    const invoke = async (fn: string, payload: unknown) => {
      const out = await lambda.send(
        new InvokeCommand({ FunctionName: fn, Payload: Buffer.from(JSON.stringify(payload)) }),
      );
      expect(out.FunctionError, Buffer.from(out.Payload ?? []).toString()).toBeUndefined();
    };
    await invoke("set-tenant-status", {
      tenantId,
      to: "ACTIVE",
      eventId: paid.id,
      execution: `${slug}-reactivate-1`,
    });
    await invoke("publish-tenant-events", { tenantId });

    expect(await receiveUntil(4)).toEqual([
      "Tenant Activated",
      "Tenant Plan Changed",
      "Tenant Suspended",
      "Tenant Reactivated",
    ]);
    expect(received[2]?.detail).toMatchObject({ status: "SUSPENDED", cause: { billingEventId: failed.id } });
    expect(received[3]?.detail).toMatchObject({
      status: "ACTIVE",
      previousStatus: "SUSPENDED",
      cause: { billingEventId: paid.id, execution: `${slug}-reactivate-1` },
    });
  });

  it("offboarding publishes Tenant Offboarded; every transition arrived exactly once, in version order", async () => {
    const e = subscriptionDeleted(sub("price_free_monthly"), { created: t0 + 40 });
    await deliverTwice(e);
    expect(await waitForLifecycleExecution("cancel", `${slug}-cancel-1`)).toBe("SUCCEEDED");
    expect(await waitForLifecycleExecution("offboard", `${slug}-offboard-1`)).toBe("SUCCEEDED");
    await receiveUntil(6);
    // Anything more (a duplicate) would be on the queue by now: drain it.
    while ((await receiveOnce(1)) > 0);

    expect(received.map((r) => r["detail-type"])).toEqual([
      "Tenant Activated",
      "Tenant Plan Changed",
      "Tenant Suspended",
      "Tenant Reactivated",
      "Tenant Cancelled",
      "Tenant Offboarded",
    ]);
    expect(received.map((r) => r.detail.version)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(received.map((r) => r.detail.eventId)).toEqual([1, 2, 3, 4, 5, 6].map((v) => `${tenantId}:${v}`));
    expect(received[4]?.detail).toMatchObject({
      status: "CANCELLED",
      purgeAfter: expect.any(String),
      cause: { billingEventId: e.id, execution: `${slug}-cancel-1` },
    });
    expect(received[5]?.detail).toMatchObject({
      status: "OFFBOARDED",
      previousStatus: "OFFBOARDING",
      cause: { billingEventId: e.id, execution: `${slug}-offboard-1` },
    });
    // Timestamps follow the versions.
    const times = received.map((r) => Date.parse(r.detail.occurredAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });
});
