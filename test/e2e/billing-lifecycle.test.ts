/**
 * One customer's whole billing life, end to end on the local cloud through real clients: Stripe-signed webhooks
 * (and Stripe's partner event source) → EventBridge → billing queue → router → onboarding and the lifecycle
 * state machines; checked through DynamoDB, Step Functions, Cognito, CodePipeline, SQS (AWS SDK v3),
 * @kubernetes/client-node and the SES store.
 */

import {
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  ListUserPoolsCommand,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GetExecutionHistoryCommand, SFNClient } from "@aws-sdk/client-sfn";
import { ListQueuesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { CoreV1Api, type KubeConfig, NetworkingV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import { kubeConfigFor } from "../../local/k8s/kubeconfig.js";
import {
  billingOutcome,
  checkoutCompleted,
  customerRecord,
  executionArn,
  executionsOf,
  invoiceEvent,
  newCustomerId,
  newSubscriptionId,
  now,
  postWebhook,
  subscriptionCreated,
  subscriptionDeleted,
  subscriptionUpdated,
  tenantRecord,
  waitForLifecycleExecution,
} from "../support/billing.js";
import { awsConfig, cloud } from "../support/cloud.js";
import { eventually, sentMail, uniqueCompany, waitForTenant } from "../support/embark.js";
import { pipelineRunsOf } from "../support/pipeline.js";

const DAY = 24 * 60 * 60;

describe("a customer's billing lifecycle", () => {
  const customer = newCustomerId();
  const subscription = newSubscriptionId();
  const company = uniqueCompany("Lifecycle Labs");
  const email = `billing+${Date.now()}@lifecycle.test`;
  // Events are "created" in increasing order, a while ago (Stripe's created is not the delivery time).
  const t0 = now() - 3600;
  const sub = (price: string) => ({ customer, subscription, price });
  let tenantId: string;
  let slug: string;
  let userPoolId: string;
  let kc: KubeConfig;

  const mail = async (template: RegExp, count = 1) => {
    const mine = await eventually(
      async () => (await sentMail()).filter((m) => m.to.includes(email) && template.test(m.subject)),
      (m) => m.length >= count,
    );
    return mine;
  };
  const quota = async () =>
    (
      await kc
        .makeApiClient(CoreV1Api)
        .readNamespacedResourceQuota({ name: "tenant-quota", namespace: `tenant-${slug}` })
    ).spec?.hard;
  const usersEnabled = async () => {
    const cognito = new CognitoIdentityProviderClient(awsConfig());
    const users = (await cognito.send(new ListUsersCommand({ UserPoolId: userPoolId }))).Users ?? [];
    return users.map((u) => u.Enabled);
  };
  const pipelineRuns = () => pipelineRunsOf(tenantId);

  beforeAll(() => {
    kc = kubeConfigFor(cloud().kubernetes);
  });

  it("checkout.session.completed onboards a tenant for the new customer", async () => {
    const e = checkoutCompleted(
      { customer, subscription, email, company, plan: "standard" },
      { created: t0 },
    );
    const res = await postWebhook(e);
    expect(res).toEqual({ status: 200, body: { received: true, id: e.id, type: e.type, handled: true } });

    const outcome = await billingOutcome(e.id);
    expect(outcome).toMatchObject({ outcome: "created", customerId: customer, source: "stripe" });
    tenantId = outcome.tenantId as string;
    const view = await waitForTenant(tenantId, ["ACTIVE", "FAILED"]);
    expect(view.status).toBe("ACTIVE");
    slug = view.slug;
    userPoolId = view.resources.userPoolId as string;

    const record = await tenantRecord(tenantId);
    expect(record).toMatchObject({
      adminEmail: email,
      companyName: company,
      plan: "standard",
      billing: { customerId: customer, subscriptionId: subscription },
    });
    expect((await customerRecord(customer))?.tenantId).toBe(tenantId);
    expect(await mail(/Welcome to Embark/)).toHaveLength(1);
  });

  it("customer.subscription.created for the same customer links; no second tenant", async () => {
    const e = subscriptionCreated(sub("price_standard_monthly"), { created: t0 + 1 });
    expect((await postWebhook(e)).status).toBe(200);
    expect(await billingOutcome(e.id)).toMatchObject({ outcome: "linked", tenantId });
    expect((await customerRecord(customer))?.tenantId).toBe(tenantId);
    expect(await executionsOf("plan-change", slug)).toHaveLength(0);
  });

  it("customer.subscription.updated to enterprise runs PlanChange: quota, limits, pipeline deploy, email", async () => {
    const e = subscriptionUpdated(sub("price_enterprise_monthly"), { created: t0 + 10 });
    expect((await postWebhook(e)).status).toBe(200);
    const outcome = await billingOutcome(e.id);
    expect(outcome).toMatchObject({ outcome: "started", execution: `${slug}-plan-change-1` });
    expect(await waitForLifecycleExecution("plan-change", `${slug}-plan-change-1`)).toBe("SUCCEEDED");

    expect((await tenantRecord(tenantId))?.plan).toBe("enterprise");
    expect(await quota()).toMatchObject({ pods: "200", "requests.cpu": "16" });
    const core = kc.makeApiClient(CoreV1Api);
    const ns = await core.readNamespace({ name: `tenant-${slug}` });
    expect(ns.metadata?.labels?.["embark.io/plan"]).toBe("enterprise");
    const limits = (await core.listNamespacedLimitRange({ namespace: `tenant-${slug}` })).items[0];
    expect(limits?.spec?.limits[0]?._default).toEqual({ cpu: "2", memory: "4Gi" });

    const history = await new SFNClient(awsConfig()).send(
      new GetExecutionHistoryCommand({ executionArn: executionArn("plan-change", `${slug}-plan-change-1`) }),
    );
    const entered = (history.events ?? []).flatMap((h) => h.stateEnteredEventDetails?.name ?? []);
    expect(entered).toEqual([
      "Record new plan",
      "Publish tenant events",
      "Still the newest plan?",
      "Apply plan to namespace",
      "Dedicated resources change?",
      "Run deployment pipeline",
      "Send plan change email",
      "Plan changed",
    ]);
    const runs = await pipelineRuns();
    expect(runs).toEqual([
      expect.objectContaining({
        status: "Succeeded",
        vars: expect.objectContaining({ TENANT_ACTION: "deploy", TENANT_PLAN: "enterprise" }),
      }),
    ]);
    const [changed] = await mail(/plan is now Enterprise/);
    expect(changed?.text).toContain("from the Standard plan to the Enterprise plan");
  });

  it("the same event delivered twice changes nothing more", async () => {
    const e = subscriptionUpdated(sub("price_enterprise_monthly"), { created: t0 + 11 });
    // Same plan as now: recorded only. Then the very same event (same id) again.
    expect((await postWebhook(e)).status).toBe(200);
    expect(await billingOutcome(e.id)).toMatchObject({ outcome: "recorded" });
    const before = await tenantRecord(tenantId);
    expect((await postWebhook(e)).status).toBe(200);
    expect(await billingOutcome(e.id, { deliveries: 2 })).toMatchObject({
      outcome: "recorded",
      deliveries: 2,
    });
    const after = await tenantRecord(tenantId);
    expect(after?.version).toBe(before?.version);
    expect(await executionsOf("plan-change", slug)).toHaveLength(1);
    expect(await mail(/plan is now/)).toHaveLength(1);
  });

  it("an older plan event arriving late is recorded and ignored", async () => {
    const late = subscriptionUpdated(sub("price_free_monthly"), { created: t0 + 5 });
    expect((await postWebhook(late)).status).toBe(200);
    const outcome = await billingOutcome(late.id);
    expect(outcome.outcome).toBe("superseded");
    expect(outcome.reason).toMatch(/older than/);
    expect((await tenantRecord(tenantId))?.plan).toBe("enterprise");
    expect(await executionsOf("plan-change", slug)).toHaveLength(1);
  });

  it("invoice.payment_failed past the grace period suspends: users disabled, zero pods, email", async () => {
    // Enterprise has 30 days of grace, counted from the unpaid invoice.
    const e = invoiceEvent(
      "invoice.payment_failed",
      { customer, subscription, invoiceCreated: now() - 31 * DAY },
      { created: t0 + 20 },
    );
    expect((await postWebhook(e)).status).toBe(200);
    expect(await billingOutcome(e.id)).toMatchObject({ outcome: "started", execution: `${slug}-suspend-1` });
    expect(await waitForLifecycleExecution("suspend", `${slug}-suspend-1`)).toBe("SUCCEEDED");

    const record = await tenantRecord(tenantId);
    expect(record?.status).toBe("SUSPENDED");
    expect(record?.suspendedAt).toBeDefined();
    expect((await waitForTenant(tenantId, ["SUSPENDED"])).status).toBe("SUSPENDED");
    expect(await usersEnabled()).toEqual([false]);
    // No new pods; everything else (and the data) kept.
    expect(await quota()).toMatchObject({ pods: "0", "requests.cpu": "16", "requests.storage": "500Gi" });
    const [suspended] = await mail(/is suspended/);
    expect(suspended?.text).toContain("within 30 days");
  });

  it("invoice.paid from Stripe's partner event source reactivates: users enabled, quota restored, email", async () => {
    const e = invoiceEvent("invoice.paid", { customer, subscription }, { created: t0 + 30 });
    // Stripe's EventBridge integration: its own partner bus, source aws.partner/stripe.com/…, same rule pattern.
    const events = new EventBridgeClient(awsConfig());
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: LOCAL_NAMES.stripePartnerBus,
            Source: "aws.partner/stripe.com/embark-local",
            DetailType: e.type,
            Detail: JSON.stringify(e),
          },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    expect(await billingOutcome(e.id)).toMatchObject({
      outcome: "started",
      execution: `${slug}-reactivate-1`,
    });
    expect(await waitForLifecycleExecution("reactivate", `${slug}-reactivate-1`)).toBe("SUCCEEDED");

    const record = await tenantRecord(tenantId);
    expect(record?.status).toBe("ACTIVE");
    expect(record?.suspendedAt).toBeUndefined();
    expect(await usersEnabled()).toEqual([true]);
    expect(await quota()).toMatchObject({ pods: "200" });
    expect(await mail(/active again/)).toHaveLength(1);
  });

  it("customer.subscription.deleted cancels the tenant, and the purge after its grace period leaves nothing of it", async () => {
    const e = subscriptionDeleted(sub("price_enterprise_monthly"), { created: t0 + 40 });
    expect((await postWebhook(e)).status).toBe(200);
    expect(await billingOutcome(e.id)).toMatchObject({ outcome: "started", execution: `${slug}-cancel-1` });
    expect(await waitForLifecycleExecution("cancel", `${slug}-cancel-1`)).toBe("SUCCEEDED");
    // The suite's cloud gives plans a one-second grace period: the purge schedule starts the purge.
    expect(await waitForLifecycleExecution("offboard", `${slug}-offboard-1`)).toBe("SUCCEEDED");

    // The record is kept, OFFBOARDED with timestamps and the deletion receipt.
    const record = await tenantRecord(tenantId);
    expect(record?.status).toBe("OFFBOARDED");
    expect(Date.parse(record?.cancelledAt as string)).toBeLessThanOrEqual(
      Date.parse(record?.offboardingStartedAt as string),
    );
    expect(Date.parse(record?.offboardingStartedAt as string)).toBeGreaterThanOrEqual(
      Date.parse(record?.purgeAfter as string),
    );
    expect(Date.parse(record?.offboardingStartedAt as string)).toBeLessThanOrEqual(
      Date.parse(record?.offboardedAt as string),
    );
    expect(record?.receipt).toMatchObject({ eventId: e.id, execution: `${slug}-offboard-1` });
    const [receipt] = await mail(/Deletion receipt/);
    expect(receipt?.to).toContain(email);
    expect(await mail(/is cancelled/)).toHaveLength(1);

    // Dedicated resources: stopped at the cancellation, torn down by the purge.
    const runs = await pipelineRuns();
    expect(runs.map((r) => [r.vars.TENANT_ACTION, r.status])).toEqual(
      expect.arrayContaining([
        ["deploy", "Succeeded"],
        ["stop", "Succeeded"],
        ["teardown", "Succeeded"],
      ]),
    );
    expect(runs.filter((r) => r.status === "InProgress")).toEqual([]);

    // User pools: none tagged with the tenant (every pool in the local cloud described).
    const cognito = new CognitoIdentityProviderClient(awsConfig());
    const pools = (await cognito.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools ?? [];
    const tagged = [];
    for (const p of pools) {
      const pool = await cognito
        .send(new DescribeUserPoolCommand({ UserPoolId: p.Id }))
        .catch(() => undefined);
      if (pool?.UserPool?.UserPoolTags?.["embark:tenant-id"] === tenantId) tagged.push(p.Id);
    }
    expect(tagged).toEqual([]);
    await expect(cognito.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }))).rejects.toMatchObject(
      {
        name: "ResourceNotFoundException",
      },
    );

    // Kubernetes: no namespace, and no object anywhere labelled with the tenant.
    const labelSelector = `embark.io/tenant-id=${tenantId}`;
    const core = kc.makeApiClient(CoreV1Api);
    await expect(core.readNamespace({ name: `tenant-${slug}` })).rejects.toMatchObject({ code: 404 });
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    const labelled = [
      ...(await core.listNamespace({ labelSelector })).items,
      ...(await core.listResourceQuotaForAllNamespaces({ labelSelector })).items,
      ...(await core.listLimitRangeForAllNamespaces({ labelSelector })).items,
      ...(await core.listServiceAccountForAllNamespaces({ labelSelector })).items,
      ...(await kc.makeApiClient(NetworkingV1Api).listNetworkPolicyForAllNamespaces({ labelSelector })).items,
      ...(await rbac.listRoleForAllNamespaces({ labelSelector })).items,
      ...(await rbac.listRoleBindingForAllNamespaces({ labelSelector })).items,
    ];
    expect(labelled.map((o) => `${o.kind ?? ""} ${o.metadata?.namespace ?? ""}/${o.metadata?.name}`)).toEqual(
      [],
    );

    // Step Functions: none of the tenant's executions is still running.
    for (const wf of ["onboard", "plan-change", "suspend", "reactivate", "cancel", "offboard"] as const) {
      expect((await executionsOf(wf, slug)).filter((x) => x.status === "RUNNING")).toEqual([]);
    }

    // Queues: no message about the tenant waits anywhere (each queue peeked without hiding its messages).
    const sqs = new SQSClient(awsConfig());
    const urls = (await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "embark-" }))).QueueUrls ?? [];
    expect(urls.length).toBeGreaterThanOrEqual(6);
    for (const QueueUrl of urls) {
      const got = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
          WaitTimeSeconds: 0,
        }),
      );
      const about = (got.Messages ?? []).filter(
        (m) => m.Body?.includes(tenantId) || m.Body?.includes(customer),
      );
      expect(about, QueueUrl).toEqual([]);
    }

    // DynamoDB: the retained records only (tenant, slug and customer claims, billing event log, pipeline run
    // history); no task token is left behind.
    const db = DynamoDBDocumentClient.from(new DynamoDBClient(awsConfig()));
    const items = (await db.send(new ScanCommand({ TableName: LOCAL_NAMES.table("tenants") }))).Items ?? [];
    const mine = items.filter((i) => JSON.stringify(i).includes(tenantId));
    const kinds = new Set(mine.map((i) => String(i.pk).split("#")[0]));
    expect([...kinds].sort()).toEqual(["BILLINGEVENT", "CUSTOMER", "LIFECYCLERUN", "SLUG", "TENANT"]);
    expect(mine.filter((i) => "taskToken" in i)).toEqual([]);
  });

  it("events after offboarding are recorded and ignored", async () => {
    const e = invoiceEvent("invoice.paid", { customer, subscription }, { created: t0 + 50 });
    expect((await postWebhook(e)).status).toBe(200);
    expect(await billingOutcome(e.id)).toMatchObject({
      outcome: "ignored",
      reason: "the tenant is OFFBOARDED",
    });
    expect((await tenantRecord(tenantId))?.status).toBe("OFFBOARDED");
  });
});
