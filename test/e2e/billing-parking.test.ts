/**
 * Events that arrive before their tenant can take them are kept, not lost, and not applied early:
 * - for a customer no tenant has yet: parked on the customer (a clear, recorded outcome; nothing changes),
 *   then applied once a checkout onboards the tenant;
 * - for a tenant still onboarding: parked on the tenant, applied when onboarding ends.
 * And a payment failure within the plan's grace period waits; a payment meanwhile means no suspension.
 */
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetExecutionHistoryCommand, SFNClient } from "@aws-sdk/client-sfn";
import { beforeAll, describe, expect, it } from "vitest";
import { DynamoBillingRecords } from "../../core/adapters/billing-records.js";
import { documentClient } from "../../core/adapters/dynamo.js";
import { DynamoTenantStore } from "../../core/adapters/tenant-store.js";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import { newTenant } from "../../core/tenant/model.js";
import { STATE_MACHINE_NAMES } from "../../core/workflow/names.js";
import {
  billingOutcome,
  checkoutCompleted,
  customerRecord,
  executionArn,
  invoiceEvent,
  newCustomerId,
  newSubscriptionId,
  now,
  postWebhook,
  subscriptionUpdated,
  tenantFromCheckout,
  tenantRecord,
  waitForLifecycleExecution,
  waitForRecord,
} from "../support/billing.js";
import { awsConfig } from "../support/cloud.js";
import {
  eventually,
  postSignup,
  uniqueCompany,
  useEmbarkEnvironment,
  waitForTenant,
} from "../support/embark.js";

beforeAll(() => useEmbarkEnvironment());

describe("an event for a customer Embark does not know", () => {
  const customer = newCustomerId();
  const subscription = newSubscriptionId();
  const t0 = now() - 600;
  // Unpaid since just now: the Standard plan's 14 days of grace have not run out.
  const failed = invoiceEvent(
    "invoice.payment_failed",
    { customer, subscription, invoiceCreated: now() },
    {
      created: t0 + 10,
    },
  );
  let tenantId: string;
  let slug: string;

  it("is parked on the customer: a recorded outcome, and nothing else changes", async () => {
    expect((await postWebhook(failed)).status).toBe(200);
    const outcome = await billingOutcome(failed.id);
    expect(outcome).toMatchObject({ outcome: "parked", customerId: customer });
    expect(outcome.reason).toMatch(/no tenant for customer/);
    expect(outcome.tenantId).toBeUndefined();
    const link = await customerRecord(customer);
    expect(link?.tenantId).toBeUndefined();
    expect(Object.keys((link?.parked ?? {}) as object)).toEqual([failed.id]);
  });

  it("a checkout for the customer onboards its tenant, then the parked event is applied", async () => {
    const fresh = await tenantFromCheckout(
      {
        customer,
        subscription,
        email: `parked+${Date.now()}@billing.test`,
        company: uniqueCompany("Parked Payments"),
        plan: "standard",
      },
      { created: t0 },
    );
    tenantId = fresh.tenantId;
    slug = fresh.tenant.slug;

    // Applied when onboarding ended: a Suspend that waits out the grace period.
    const applied = await eventually(
      () => billingOutcome(failed.id),
      (o) => o.outcome !== "parked",
    );
    expect(applied).toMatchObject({ outcome: "started", tenantId, execution: `${slug}-suspend-1` });
    expect(await waitForLifecycleExecution("suspend", `${slug}-suspend-1`, ["RUNNING"])).toBe("RUNNING");
    const history = await new SFNClient(awsConfig()).send(
      new GetExecutionHistoryCommand({ executionArn: executionArn("suspend", `${slug}-suspend-1`) }),
    );
    const entered = (history.events ?? []).flatMap((h) => h.stateEnteredEventDetails?.name ?? []);
    expect(entered).toEqual(["Wait for grace period"]);
    const record = await waitForRecord(tenantId, (t) => Object.keys(t.billing?.parked ?? {}).length === 0);
    expect(record.status).toBe("ACTIVE");
  });

  it("paying within the grace period keeps the tenant active; the waiting Suspend finds nothing to do", async () => {
    const paid = invoiceEvent("invoice.paid", { customer, subscription }, { created: t0 + 20 });
    expect((await postWebhook(paid)).status).toBe(200);
    expect(await billingOutcome(paid.id)).toMatchObject({ outcome: "recorded", tenantId });
    expect((await tenantRecord(tenantId))?.billing?.standing).toMatchObject({
      eventId: paid.id,
      value: "paid",
    });

    // What "Suspend tenant" does when the grace period ends: the failure is no longer the newest payment event.
    const lambda = new LambdaClient(awsConfig());
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: "set-tenant-status",
        Payload: JSON.stringify({ tenantId, to: "SUSPENDED", eventId: failed.id }),
      }),
    );
    expect(out.FunctionError).toBeUndefined();
    expect(JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString())).toMatchObject({
      proceed: false,
      status: "ACTIVE",
    });
    expect((await tenantRecord(tenantId))?.status).toBe("ACTIVE");
  });
});

describe("an event for a tenant that is still onboarding", () => {
  const customer = newCustomerId();
  const subscription = newSubscriptionId();
  let tenantId: string;

  it("is parked on the tenant, and applied when its onboarding ends", async () => {
    // A tenant caught mid-onboarding (its record PROVISIONING), already linked to its customer.
    const tenants = new DynamoTenantStore(documentClient(), LOCAL_NAMES.table("tenants"));
    const records = new DynamoBillingRecords(documentClient(), LOCAL_NAMES.table("tenants"));
    const company = uniqueCompany("Midway Onboarding");
    const tenant = newTenant({
      slug: `midway-${Date.now().toString(36)}`,
      companyName: company,
      adminEmail: `midway+${Date.now()}@billing.test`,
      plan: "standard",
      billing: { customerId: customer, subscriptionId: subscription },
    });
    tenantId = tenant.tenantId;
    await tenants.create(tenant);
    await records.claimCustomer(customer, tenantId);

    const update = subscriptionUpdated({ customer, subscription, price: "price_free_monthly" });
    expect((await postWebhook(update)).status).toBe(200);
    expect(await billingOutcome(update.id)).toMatchObject({ outcome: "parked", tenantId });
    expect((await tenantRecord(tenantId))?.plan).toBe("standard");

    // Onboarding ends: the tenant is ACTIVE and Step Functions reports the execution's success.
    await tenants.transition(tenantId, "ACTIVE", { set: { activatedAt: new Date().toISOString() } });
    const onboarding = `arn:aws:states:us-east-1:000000000000:stateMachine:${STATE_MACHINE_NAMES.onboarding}`;
    const put = await new EventBridgeClient(awsConfig()).send(
      new PutEventsCommand({
        Entries: [
          {
            Source: "aws.states",
            DetailType: "Step Functions Execution Status Change",
            Detail: JSON.stringify({
              executionArn: `${onboarding.replace(":stateMachine:", ":execution:")}:${tenant.slug}-onboard-1`,
              stateMachineArn: onboarding,
              name: `${tenant.slug}-onboard-1`,
              status: "SUCCEEDED",
              input: JSON.stringify({ tenantId }),
            }),
          },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);

    const applied = await eventually(
      () => billingOutcome(update.id),
      (o) => o.outcome !== "parked",
    );
    expect(applied).toMatchObject({ outcome: "started", execution: `${tenant.slug}-plan-change-1` });
    expect(await waitForLifecycleExecution("plan-change", `${tenant.slug}-plan-change-1`)).toBe("SUCCEEDED");
    const record = await tenantRecord(tenantId);
    expect(record?.plan).toBe("free");
    expect(record?.billing?.parked).toEqual({});
  });
});

describe("a checkout for a tenant that signed up through the form", () => {
  // Signed up on the free plan, then bought Standard.
  it("links the customer to that tenant (client_reference_id) and applies the plan it bought", async () => {
    const adminEmail = `upgrade+${Date.now()}@billing.test`;
    const signup = await postSignup({ companyName: uniqueCompany("Upgrading Co"), adminEmail, plan: "free" });
    const tenantId = String(signup.body.tenantId);
    const { slug } = await waitForTenant(tenantId, ["ACTIVE"]);
    expect((await tenantRecord(tenantId))?.billing).toBeUndefined();

    // client_reference_id can come from a payment link's URL: someone else's checkout does not link it.
    const intruder = checkoutCompleted({
      customer: newCustomerId(),
      subscription: newSubscriptionId(),
      email: "someone-else@billing.test",
      company: "Intruder",
      plan: "standard",
      tenantRef: tenantId,
    });
    expect((await postWebhook(intruder)).status).toBe(200);
    expect((await billingOutcome(intruder.id)).reason).toMatch(/not its admin's/);

    const customer = newCustomerId();
    const subscription = newSubscriptionId();
    const checkout = checkoutCompleted({
      customer,
      subscription,
      email: adminEmail.toUpperCase(),
      company: "Ignored For A Link",
      plan: "standard",
      tenantRef: tenantId,
    });
    expect((await postWebhook(checkout)).status).toBe(200);
    expect(await billingOutcome(checkout.id)).toMatchObject({
      outcome: "started",
      tenantId,
      execution: `${slug}-plan-change-1`,
    });
    expect(await waitForLifecycleExecution("plan-change", `${slug}-plan-change-1`)).toBe("SUCCEEDED");
    const record = await tenantRecord(tenantId);
    expect(record).toMatchObject({
      plan: "standard",
      billing: { customerId: customer, subscriptionId: subscription },
    });
    expect((await customerRecord(customer))?.tenantId).toBe(tenantId);
  });
});
