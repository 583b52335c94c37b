/**
 * Offboarding that loses nothing by mistake (design §2, "Retention"), end to end on the local cloud through real
 * clients: a cancellation retains the tenant (Cognito reports its users disabled, the quota allows no pods, the
 * running pods are gone, a purge schedule waits in EventBridge Scheduler); a restore within the grace period
 * brings back the very same pool, users and namespace (untouched objects keep their resourceVersion); the purge
 * runs once when the grace period ends and leaves a receipt; and duplicated or late billing events never
 * resurrect a purged tenant nor purge a restored one.
 */

import { createHash } from "node:crypto";
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { DynamoPlanStore } from "../../core/adapters/plan-store.js";
import { atExpression } from "../../core/adapters/purge-schedules.js";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import { DEFAULT_PLANS } from "../../core/plans/catalog.js";
import { kubeConfigFor } from "../../local/k8s/kubeconfig.js";
import {
  billingOutcome,
  executionsOf,
  invoiceEvent,
  now,
  postWebhook,
  subscriptionCreated,
  subscriptionDeleted,
  tenantFromCheckout,
  tenantRecord,
  waitForLifecycleExecution,
} from "../support/billing.js";
import { awsConfig, cloud } from "../support/cloud.js";
import { eventually, sentMail, uniqueCompany } from "../support/embark.js";
import { opsAwsEnv, runOpsCli } from "../support/ops-cli.js";

/** Reads an object of the local S3 through the edge with the real S3 client. */
async function readS3(bucket: string, key: string): Promise<string> {
  const s3 = new S3Client({ ...awsConfig(), forcePathStyle: true });
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await res.Body?.transformToString()) ?? "";
}
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
/** Timings printed for docs/benchmarks.md (never asserted). */
const timing = (what: string, ms: number) => console.log(`[retention timing] ${what}: ${ms} ms`);

const ops = (...args: string[]) => runOpsCli(args, { ...process.env, ...opsAwsEnv(), NODE_NO_WARNINGS: "1" });

/** A plan of this suite's own: the test cloud's shipped plans have a one-second grace period. */
const RETAINED_PLAN = "retention-hour";

describe("cancel, restore and purge", () => {
  let kc: KubeConfig;
  const cognito = () => new CognitoIdentityProviderClient(awsConfig());
  const usersEnabled = async (userPoolId: string) =>
    ((await cognito().send(new ListUsersCommand({ UserPoolId: userPoolId }))).Users ?? []).map(
      (u) => u.Enabled,
    );
  const core = () => kc.makeApiClient(CoreV1Api);

  beforeAll(async () => {
    kc = kubeConfigFor(cloud().kubernetes);
    const standard = DEFAULT_PLANS.find((p) => p.id === "standard")!;
    const store = new DynamoPlanStore(
      DynamoDBDocumentClient.from(new DynamoDBClient(awsConfig())),
      LOCAL_NAMES.table("plans"),
    );
    await store.put({
      ...standard,
      id: RETAINED_PLAN,
      displayName: "Retention (an hour's grace)",
      billingPriceIds: ["price_retention_hour"],
      offboardGraceSeconds: 3600,
    });
  });

  it("a cancellation retains everything; invoice.paid within the grace period restores the very same tenant", async () => {
    const t0 = now() - 600;
    const { customer, subscription, tenantId, tenant } = await tenantFromCheckout(
      { email: `keep+${Date.now()}@retention.test`, company: uniqueCompany("Kept Co"), plan: RETAINED_PLAN },
      { created: t0 },
    );
    const slug = tenant.slug;
    const namespace = `tenant-${slug}`;
    const userPoolId = tenant.resources.userPoolId as string;
    // The tenant's own objects: a ConfigMap (untouched by anything) and a running pod.
    await core().createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: "app-settings" }, data: { mode: "prod" } },
    });
    await core().createNamespacedPod({
      namespace,
      body: { metadata: { name: "web-1" }, spec: { containers: [{ name: "web", image: "nginx" }] } },
    });
    const before = {
      configMap: (await core().readNamespacedConfigMap({ name: "app-settings", namespace })).metadata
        ?.resourceVersion,
      namespace: (await core().readNamespace({ name: namespace })).metadata?.uid,
      limits: (await core().readNamespacedLimitRange({ name: "tenant-limits", namespace })).metadata
        ?.resourceVersion,
    };

    const cancelled = subscriptionDeleted(
      { customer, subscription, price: "price_retention_hour" },
      { created: t0 + 10 },
    );
    const cancelStart = Date.now();
    expect((await postWebhook(cancelled)).status).toBe(200);
    expect(await billingOutcome(cancelled.id)).toMatchObject({
      outcome: "started",
      execution: `${slug}-cancel-1`,
    });
    expect(await waitForLifecycleExecution("cancel", `${slug}-cancel-1`)).toBe("SUCCEEDED");
    timing(
      "cancel (webhook → cancel execution SUCCEEDED: exported, users disabled, pods 0)",
      Date.now() - cancelStart,
    );

    const record = await tenantRecord(tenantId);
    expect(record?.status).toBe("CANCELLED");
    expect(Date.parse(record?.purgeAfter as string) - Date.parse(record?.cancelledAt as string)).toBe(
      3600_000,
    );
    expect(await usersEnabled(userPoolId)).toEqual([false]);

    // The export, written before anything was disabled, read back from the local S3 with the real client.
    const exported = record?.export;
    const prefix = `exports/${tenantId}/${cancelled.id}/`;
    expect(exported).toMatchObject({
      bucket: LOCAL_NAMES.bucket("exports"),
      prefix,
      location: `s3://${LOCAL_NAMES.bucket("exports")}/${prefix}manifest.json`,
    });
    const listed = await new S3Client({ ...awsConfig(), forcePathStyle: true }).send(
      new ListObjectsV2Command({ Bucket: LOCAL_NAMES.bucket("exports"), Prefix: prefix }),
    );
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(
      ["manifest.json", "namespace.yaml", "tenant.json", "users.json"].map((n) => `${prefix}${n}`),
    );
    const manifestBody = await readS3(LOCAL_NAMES.bucket("exports"), `${prefix}manifest.json`);
    expect(sha256(manifestBody)).toBe(exported?.sha256);
    const manifest = JSON.parse(manifestBody) as { objects: Array<{ key: string; sha256: string }> };
    for (const o of manifest.objects) {
      expect(sha256(await readS3(LOCAL_NAMES.bucket("exports"), o.key)), o.key).toBe(o.sha256);
    }
    const users = JSON.parse(await readS3(LOCAL_NAMES.bucket("exports"), `${prefix}users.json`));
    expect(users.users).toEqual([
      expect.objectContaining({
        enabled: true,
        groups: ["admins"],
        attributes: expect.objectContaining({ email: expect.stringContaining("@retention.test") }),
      }),
    ]);
    const namespaceYaml = await readS3(LOCAL_NAMES.bucket("exports"), `${prefix}namespace.yaml`);
    expect(namespaceYaml).toContain("kind: ResourceQuota");
    expect(namespaceYaml).toContain(`name: ${namespace}`);
    const tenantJson = JSON.parse(await readS3(LOCAL_NAMES.bucket("exports"), `${prefix}tenant.json`));
    expect(tenantJson).toMatchObject({ tenantId, slug, status: "CANCELLED" });

    const quota = await core().readNamespacedResourceQuota({ name: "tenant-quota", namespace });
    expect(quota.spec?.hard).toMatchObject({ pods: "0" });
    expect((await core().listNamespacedPod({ namespace })).items).toEqual([]);
    // The purge waits in EventBridge Scheduler, at purgeAfter, for this cancellation.
    const schedule = await new SchedulerClient(awsConfig()).send(
      new GetScheduleCommand({ Name: `embark-purge-${tenantId}` }),
    );
    expect(schedule.ScheduleExpression).toBe(atExpression(new Date(String(record?.purgeAfter))));
    expect(JSON.parse(schedule.Target?.Input ?? "{}")).toEqual({ tenantId, eventId: cancelled.id });
    // The sign-in config answers with the workspace's status: no tokens for a cancelled tenant.
    expect((await fetch(`${cloud().web}/tenants/${slug}/sign-in`)).status).not.toBe(200);

    // Duplicated subscription.deleted during the grace period: the same execution, nothing new.
    expect((await postWebhook(cancelled)).status).toBe(200);
    // A late invoice.paid, created before the cancellation: it does not restore.
    const latePaid = invoiceEvent("invoice.paid", { customer, subscription }, { created: t0 + 5 });
    expect((await postWebhook(latePaid)).status).toBe(200);
    expect(await billingOutcome(latePaid.id)).toMatchObject({ outcome: "superseded" });
    expect((await tenantRecord(tenantId))?.status).toBe("CANCELLED");

    // Paid again after the cancellation: restored.
    const paid = invoiceEvent("invoice.paid", { customer, subscription }, { created: t0 + 20 });
    const restoreStart = Date.now();
    expect((await postWebhook(paid)).status).toBe(200);
    expect(await billingOutcome(paid.id)).toMatchObject({
      outcome: "started",
      execution: `${slug}-restore-1`,
    });
    expect(await waitForLifecycleExecution("restore", `${slug}-restore-1`)).toBe("SUCCEEDED");
    timing(
      "restore (webhook → restore execution SUCCEEDED: ACTIVE, users enabled, quota back)",
      Date.now() - restoreStart,
    );
    const restored = await tenantRecord(tenantId);
    expect(restored).toMatchObject({ status: "ACTIVE", slug, resources: { userPoolId, namespace } });
    expect(restored?.purgeAfter).toBeUndefined();
    await expect(
      cognito().send(new DescribeUserPoolCommand({ UserPoolId: userPoolId })),
    ).resolves.toBeDefined();
    expect(await usersEnabled(userPoolId)).toEqual([true]);
    expect(
      (await core().readNamespacedResourceQuota({ name: "tenant-quota", namespace })).spec?.hard,
    ).toMatchObject({ pods: "50" });
    expect({
      configMap: (await core().readNamespacedConfigMap({ name: "app-settings", namespace })).metadata
        ?.resourceVersion,
      namespace: (await core().readNamespace({ name: namespace })).metadata?.uid,
      limits: (await core().readNamespacedLimitRange({ name: "tenant-limits", namespace })).metadata
        ?.resourceVersion,
    }).toEqual(before);
    await expect(
      new SchedulerClient(awsConfig()).send(new GetScheduleCommand({ Name: `embark-purge-${tenantId}` })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    const mentions = async () =>
      (await sentMail()).filter((m) => m.subject.includes(slug) || m.subject.includes("restored")).length;
    expect(await eventually(mentions, (n) => n >= 2)).toBeGreaterThanOrEqual(2);

    // The duplicated subscription.deleted once more, after the restore: older than the restore, it cancels nothing.
    expect((await postWebhook(cancelled)).status).toBe(200);
    const again = subscriptionDeleted(
      { customer, subscription, price: "price_retention_hour" },
      { created: t0 + 15, id: `evt_${Date.now()}_late` },
    );
    expect((await postWebhook(again)).status).toBe(200);
    expect(await billingOutcome(again.id)).toMatchObject({ outcome: "superseded" });
    expect((await tenantRecord(tenantId))?.status).toBe("ACTIVE");
    expect(await executionsOf("cancel", slug)).toHaveLength(1);
    expect(await executionsOf("offboard", slug)).toHaveLength(0);
  });

  it("with a grace period of a second the purge runs once; restore is then refused, and late events change nothing", async () => {
    const t0 = now() - 600;
    const { customer, subscription, tenantId, tenant } = await tenantFromCheckout(
      { email: `gone+${Date.now()}@retention.test`, company: uniqueCompany("Gone Co"), plan: "standard" },
      { created: t0 },
    );
    const slug = tenant.slug;
    const userPoolId = tenant.resources.userPoolId as string;
    const cancelled = subscriptionDeleted(
      { customer, subscription, price: "price_standard_monthly" },
      { created: t0 + 10 },
    );
    expect((await postWebhook(cancelled)).status).toBe(200);
    const purgeStart = Date.now();
    expect(await waitForLifecycleExecution("offboard", `${slug}-offboard-1`, undefined, 30_000)).toBe(
      "SUCCEEDED",
    );

    const record = await tenantRecord(tenantId);
    expect(record?.status).toBe("OFFBOARDED");
    // Schedule fire (purgeAfter) → OFFBOARDED, from the record's own times.
    timing(
      "purge (purgeAfter → OFFBOARDED)",
      Date.parse(String(record?.offboardedAt)) - Date.parse(String(record?.purgeAfter)),
    );
    timing("cancel webhook answered → OFFBOARDED with a 1 s grace", Date.now() - purgeStart);
    // The export outlives the purge, and the receipt names it.
    expect(record?.export?.location).toMatch(/^s3:\/\/embark-exports\/exports\//);
    expect(record?.receipt?.export).toEqual({
      location: record?.export?.location,
      sha256: record?.export?.sha256,
    });
    const kept = await readS3(LOCAL_NAMES.bucket("exports"), String(record?.export?.manifestKey));
    expect(sha256(kept)).toBe(record?.export?.sha256);
    expect(record?.receipt).toMatchObject({
      eventId: cancelled.id,
      execution: `${slug}-offboard-1`,
      cause: expect.stringContaining(cancelled.id),
    });
    expect(record?.receipt?.deleted.join("; ")).toContain(userPoolId);
    await expect(
      cognito().send(new DescribeUserPoolCommand({ UserPoolId: userPoolId })),
    ).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
    await expect(core().readNamespace({ name: `tenant-${slug}` })).rejects.toMatchObject({ code: 404 });
    const receipts = await eventually(
      async () =>
        (await sentMail()).filter((m) => m.subject === `Deletion receipt for the Embark workspace ${slug}`),
      (m) => m.length >= 1,
    );
    expect(receipts).toHaveLength(1);

    // A duplicated subscription.deleted and a late invoice.paid (newer even) after the purge: nothing moves.
    expect((await postWebhook(cancelled)).status).toBe(200);
    const latePaid = invoiceEvent("invoice.paid", { customer, subscription }, { created: now() });
    expect((await postWebhook(latePaid)).status).toBe(200);
    expect(await billingOutcome(latePaid.id)).toMatchObject({
      outcome: "ignored",
      reason: "the tenant is OFFBOARDED",
    });
    const resubscribed = subscriptionCreated(
      { customer, subscription: `${subscription}_2`, price: "price_standard_monthly" },
      { created: now() },
    );
    expect((await postWebhook(resubscribed)).status).toBe(200);
    expect((await billingOutcome(resubscribed.id)).outcome).not.toBe("started");
    const restore = await ops("restore", slug);
    expect(restore.code).toBe(2);
    expect(restore.stderr).toContain("nothing to restore: the tenant was purged");
    expect(restore.stderr).toContain(String(record?.export?.location));
    expect((await tenantRecord(tenantId))?.status).toBe("OFFBOARDED");
    // Purged once: one purge execution, one receipt.
    expect(await executionsOf("offboard", slug)).toHaveLength(1);
    expect(await executionsOf("restore", slug)).toHaveLength(0);
  });
  it("the operator console cancels (only with the slug typed again) and restores, and shows purgeAfter and the export", async () => {
    const { tenantId, tenant } = await tenantFromCheckout(
      {
        email: `console+${Date.now()}@retention.test`,
        company: uniqueCompany("Console Co"),
        plan: RETAINED_PLAN,
      },
      { created: now() - 600 },
    );
    const slug = tenant.slug;
    const pageUrl = `${cloud().web}/console/tenants/${tenantId}`;
    const post = (action: string, form: Record<string, string>) =>
      fetch(`${pageUrl}/${action}`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
        body: new URLSearchParams(form).toString(),
      });

    const wrong = await post("cancel", { confirm: "not-the-slug" });
    expect(wrong.status).toBe(409);
    expect(await wrong.text()).toContain(`Type the slug ${slug} to confirm`);
    expect((await tenantRecord(tenantId))?.status).toBe("ACTIVE");

    const ok = await post("cancel", { confirm: slug });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toContain("done=cancelled");
    expect(await waitForLifecycleExecution("cancel", `${slug}-cancel-1`)).toBe("SUCCEEDED");
    const record = await tenantRecord(tenantId);
    const cancelledPage = await (await fetch(pageUrl)).text();
    expect(cancelledPage).toContain("Cancelled and retained");
    expect(cancelledPage).toContain(String(record?.export?.location));
    expect(cancelledPage).toContain("Restore tenant");

    const restored = await post("restore", {});
    expect(restored.status).toBe(303);
    expect(await waitForLifecycleExecution("restore", `${slug}-restore-1`)).toBe("SUCCEEDED");
    expect((await tenantRecord(tenantId))?.status).toBe("ACTIVE");
    // A second restore of an ACTIVE tenant is refused, on the page.
    const again = await post("restore", {});
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("Cannot restore");
  }, 180_000);
});
