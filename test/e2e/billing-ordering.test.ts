/**
 * Delivery order does not matter: the same five billing events for three tenants, delivered in order (waiting
 * for each to take effect), in reverse order one at a time (each an "older event arriving late"), and all at
 * once shuffled with a duplicate, leave the three tenants in the same state: record, Kubernetes objects, users.
 */
import { CognitoIdentityProviderClient, ListUsersCommand } from "@aws-sdk/client-cognito-identity-provider";
import { CoreV1Api } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import type { Workflow } from "../../core/workflow/names.js";
import { kubeConfigFor } from "../../local/k8s/kubeconfig.js";
import {
  billingOutcome,
  executionsOf,
  invoiceEvent,
  now,
  postWebhook,
  type StripeTestEvent,
  subscriptionUpdated,
  tenantFromCheckout,
  tenantRecord,
  waitForLifecycleExecution,
} from "../support/billing.js";
import { awsConfig, cloud } from "../support/cloud.js";
import { eventually, uniqueCompany } from "../support/embark.js";

const DAY = 24 * 60 * 60;
const WORKFLOWS: Workflow[] = ["plan-change", "suspend", "reactivate", "cancel", "restore", "offboard"];

interface Subject {
  customer: string;
  subscription: string;
  tenantId: string;
  slug: string;
  userPoolId: string;
  events: StripeTestEvent[];
}

async function onboard(label: string, t0: number): Promise<Subject> {
  const { customer, subscription, tenantId, tenant } = await tenantFromCheckout(
    {
      email: `${label}+${Date.now()}@ordering.test`,
      company: uniqueCompany(`Ordering ${label}`),
      plan: "standard",
    },
    { created: t0 },
  );
  const s = { customer, subscription };
  const oldInvoice = now() - 60 * DAY;
  return {
    customer,
    subscription,
    tenantId,
    slug: tenant.slug,
    userPoolId: tenant.resources.userPoolId as string,
    events: [
      subscriptionUpdated({ ...s, price: "price_enterprise_monthly" }, { created: t0 + 10 }),
      invoiceEvent("invoice.payment_failed", { ...s, invoiceCreated: oldInvoice }, { created: t0 + 20 }),
      invoiceEvent("invoice.paid", s, { created: t0 + 30 }),
      subscriptionUpdated({ ...s, price: "price_free_monthly" }, { created: t0 + 40 }),
      invoiceEvent("invoice.payment_failed", { ...s, invoiceCreated: oldInvoice }, { created: t0 + 50 }),
    ],
  };
}

/** Delivers one event and waits until it has been applied and the execution it started (if any) has ended. */
async function deliverAndSettle(e: StripeTestEvent) {
  expect((await postWebhook(e)).status).toBe(200);
  const outcome = await billingOutcome(e.id);
  if (outcome.execution) {
    const workflow = WORKFLOWS.find((w) => outcome.execution?.includes(`-${w}-`)) as Workflow;
    expect(await waitForLifecycleExecution(workflow, outcome.execution)).toBe("SUCCEEDED");
  }
  return outcome;
}

async function noneRunning(slug: string) {
  return eventually(
    async () => {
      const all = await Promise.all(WORKFLOWS.map((w) => executionsOf(w, slug)));
      return all.flat();
    },
    (xs) => xs.every((x) => x.status !== "RUNNING"),
  );
}

/** What a tenant ends up as, everywhere it lives. */
async function finalState(subject: Subject) {
  const t = await tenantRecord(subject.tenantId);
  const kc = kubeConfigFor(cloud().kubernetes);
  const core = kc.makeApiClient(CoreV1Api);
  const namespace = `tenant-${subject.slug}`;
  const quota = await core.readNamespacedResourceQuota({ name: "tenant-quota", namespace });
  const limits = await core.readNamespacedLimitRange({ name: "tenant-limits", namespace });
  const ns = await core.readNamespace({ name: namespace });
  const users = await new CognitoIdentityProviderClient(awsConfig()).send(
    new ListUsersCommand({ UserPoolId: subject.userPoolId }),
  );
  return {
    status: t?.status,
    plan: t?.plan,
    planLabel: ns.metadata?.labels?.["embark.io/plan"],
    quota: quota.spec?.hard,
    limits: limits.spec?.limits,
    usersEnabled: (users.Users ?? []).map((u) => u.Enabled),
  };
}

describe("billing events for one tenant, in any delivery order", () => {
  const t0 = now() - 7200;
  let inOrder: Subject;
  let reversed: Subject;
  let shuffled: Subject;

  beforeAll(async () => {
    [inOrder, reversed, shuffled] = await Promise.all([
      onboard("inorder", t0),
      onboard("reversed", t0),
      onboard("shuffled", t0),
    ]);
  }, 60_000);

  it("in order: every event is applied", async () => {
    const outcomes = [];
    for (const e of inOrder.events) outcomes.push((await deliverAndSettle(e)).outcome);
    expect(outcomes).toEqual(["started", "started", "started", "started", "started"]);
    expect(await finalState(inOrder)).toMatchObject({
      status: "SUSPENDED",
      plan: "free",
      planLabel: "free",
      quota: { pods: "0", "requests.cpu": "1" },
      usersEnabled: [false],
    });
  });

  it("reversed, one at a time: each older event is recorded as superseded, and the end state is the same", async () => {
    const outcomes = [];
    for (const e of [...reversed.events].reverse()) {
      const o = await deliverAndSettle(e);
      outcomes.push([e.type, o.outcome]);
    }
    expect(outcomes).toEqual([
      ["invoice.payment_failed", "started"], // t+50: suspends
      ["customer.subscription.updated", "started"], // t+40: free
      ["invoice.paid", "superseded"], // t+30: older than the payment failure at t+50
      ["invoice.payment_failed", "superseded"], // t+20
      ["customer.subscription.updated", "superseded"], // t+10: older than the plan change at t+40
    ]);
    expect(await finalState(reversed)).toEqual(await finalState(inOrder));
  });

  it("shuffled, all at once, one of them twice: the same end state", async () => {
    const [e1, e2, e3, e4, e5] = shuffled.events as [StripeTestEvent, ...StripeTestEvent[]];
    const delivery = [e3, e5, e1, e4, e2, e5] as StripeTestEvent[];
    const responses = await Promise.all(delivery.map((e) => postWebhook(e)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    for (const e of shuffled.events) await billingOutcome(e.id);
    await billingOutcome((e5 as StripeTestEvent).id, { deliveries: 2 });
    await noneRunning(shuffled.slug);
    await eventually(
      () => finalState(shuffled),
      (s) => s.status === "SUSPENDED" && s.plan === "free",
    );
    expect(await finalState(shuffled)).toEqual(await finalState(inOrder));
    // The duplicate started nothing of its own: at most one execution per event.
    const started = (await Promise.all(WORKFLOWS.map((w) => executionsOf(w, shuffled.slug)))).flat();
    expect(started.length).toBeLessThanOrEqual(shuffled.events.length);
  });
});
