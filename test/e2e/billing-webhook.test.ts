/**
 * POST /billing/webhook refuses what it cannot trust with a precise 400 and lets nothing through; what it
 * accepts goes onto the bus. Signatures made with the `stripe` package's own test helper.
 */
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import {
  billingOutcome,
  customerRecord,
  eventRecord,
  newCustomerId,
  newSubscriptionId,
  now,
  postWebhook,
  stripeEvent,
  subscriptionDeleted,
  subscriptionUpdated,
  tenantFromCheckout,
  tenantRecord,
} from "../support/billing.js";
import { awsConfig, cloud } from "../support/cloud.js";
import { uniqueCompany } from "../support/embark.js";

describe("the billing webhook", () => {
  const customer = newCustomerId();
  const subscription = newSubscriptionId();
  const deleted = () => subscriptionDeleted({ customer, subscription, price: "price_free_monthly" });
  let tenantId: string;

  beforeAll(async () => {
    ({ tenantId } = await tenantFromCheckout({
      customer,
      subscription,
      email: `webhook+${Date.now()}@billing.test`,
      company: uniqueCompany("Webhook Works"),
      plan: "free",
    }));
  });

  const refused: string[] = [];
  const expectRefused = async (
    res: { status: number; body: { error?: { code: string; message: string } } },
    code: string,
    message: RegExp,
  ) => {
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe(code);
    expect(res.body.error?.message).toMatch(message);
  };

  it("refuses a body changed after signing (bad signature)", async () => {
    const e = deleted();
    refused.push(e.id);
    const signedFor = JSON.stringify({ ...e, type: "invoice.paid" });
    const signature = Stripe.webhooks.generateTestHeaderString({
      payload: signedFor,
      secret: cloud().stripeWebhookSecret,
    });
    await expectRefused(await postWebhook(e, { signature }), "invalid_signature", /does not match/);
  });

  it("refuses a signature made with another secret", async () => {
    const e = deleted();
    refused.push(e.id);
    await expectRefused(await postWebhook(e, { secret: "whsec_not_the_one" }), "invalid_signature", /secret/);
  });

  it("refuses a replayed request (timestamp outside the tolerance window)", async () => {
    const e = deleted();
    refused.push(e.id);
    await expectRefused(await postWebhook(e, { timestamp: now() - 600 }), "stale_timestamp", /replayed/);
    await expectRefused(await postWebhook(e, { timestamp: now() + 600 }), "stale_timestamp", /300 s/);
  });

  it("refuses a missing or malformed Stripe-Signature header", async () => {
    const e = deleted();
    refused.push(e.id);
    await expectRefused(await postWebhook(e, { signature: null }), "missing_signature", /missing/);
    await expectRefused(await postWebhook(e, { signature: "sha256=abc" }), "malformed_signature", /t=/);
  });

  it("refuses a correctly signed body that is not JSON, or not a Stripe event", async () => {
    await expectRefused(await postWebhook('{"id": "evt_1", '), "invalid_json", /not valid JSON/);
    await expectRefused(await postWebhook('{"hello": "world"}'), "invalid_event", /not a Stripe event/);
  });

  it("acknowledges an event type Embark does not handle (200, handled: false)", async () => {
    const e = stripeEvent("customer.tax_id.created", { id: "txi_1", object: "tax_id", customer });
    refused.push(e.id);
    const res = await postWebhook(e);
    expect(res).toEqual({ status: 200, body: { received: true, id: e.id, type: e.type, handled: false } });
  });

  it("an unhandled type that reaches the billing queue anyway is acknowledged and recorded, not retried", async () => {
    const e = stripeEvent("customer.discount.created", { id: "di_1", object: "discount", customer });
    const sqs = new SQSClient(awsConfig());
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: LOCAL_NAMES.queue("billing") }));
    await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        // As an EventBridge rule delivers it.
        MessageBody: JSON.stringify({
          version: "0",
          id: "x",
          source: "embark.billing",
          "detail-type": e.type,
          detail: e,
        }),
      }),
    );
    expect(await billingOutcome(e.id)).toMatchObject({
      outcome: "ignored",
      reason: "event type customer.discount.created is not handled",
      deliveries: 1,
    });
  });

  it("none of them changed anything: the tenant is as it was and only the valid event was applied", async () => {
    // A valid event after all of the above; once it is applied, anything routed before it would have been too.
    const sentinel = subscriptionUpdated({ customer, subscription, price: "price_free_monthly" });
    expect((await postWebhook(sentinel)).status).toBe(200);
    expect(await billingOutcome(sentinel.id)).toMatchObject({ outcome: "recorded", tenantId });
    for (const id of refused) expect(await eventRecord(id), id).toBeUndefined();
    const t = await tenantRecord(tenantId);
    expect(t).toMatchObject({ status: "ACTIVE", plan: "free" });
    expect(t?.billing?.cancel).toBeUndefined();
    expect((await customerRecord(customer))?.tenantId).toBe(tenantId);
  });
});
