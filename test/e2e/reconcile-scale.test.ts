/**
 * A reconcile pass over 1,000 tenants where nothing drifted, in a local cloud of its own: the scheduled
 * function (invoked through the Lambda API, default settings) writes nothing but its cursor, never scans the
 * tenants table, and reads a bounded page whatever the number of tenants. Every AWS call is counted at the
 * edge (GET /_embark/calls) and every Kubernetes call at the API stand-in. The tenants are seeded fast with
 * direct writes (records in batches, pools and namespaces as onboarding makes them), not through signups.
 * Numbers are printed, not asserted (docs/benchmarks.md).
 */
import { rm } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubernetesClusterProvisioner } from "../../core/adapters/cluster.js";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import { tenantObjects } from "../../core/cluster/tenant-objects.js";
import { DEFAULT_PLANS } from "../../core/plans/catalog.js";
import type { ReconcileReport } from "../../core/reconcile/report.js";
import { DEFAULT_SETTINGS } from "../../core/reconcile/settings.js";
import { newTenant, type Tenant } from "../../core/tenant/model.js";
import { localClientConfig } from "../../local/aws/client-config.js";
import type { LocalCloud } from "../../local/cloud.js";
import { type CallCounts, readCalls, resetCalls, writesOf } from "../../local/edge/calls.js";
import { mountEmbark } from "../../local/embark/mount.js";
import { startTestCloud } from "../support/test-cloud.js";

const TENANTS = 1000;
const MIX = { ACTIVE: 955, SUSPENDED: 20, FAILED: 10, OFFBOARDED: 10, PROVISIONING: 5 } as const;
const MINUTE = 60_000;

let cloud: LocalCloud;
let stateDir: string;
let lambda: LambdaClient;
let documents: DynamoDBDocumentClient;

/** Runs `work` over `items`, `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
}

async function seed(): Promise<void> {
  const config = localClientConfig(cloud.endpoints.edge);
  const cognito = new CognitoIdentityProviderClient(config);
  const kc = new KubeConfig();
  kc.loadFromFile(cloud.endpoints.kubeconfig);
  const cluster = new KubernetesClusterProvisioner(kc);
  const plan = DEFAULT_PLANS.find((p) => p.id === "standard")!;
  const now = Date.now();
  const statuses = Object.entries(MIX).flatMap(([s, n]) =>
    Array.from({ length: n }, () => s as Tenant["status"]),
  );
  expect(statuses).toHaveLength(TENANTS);

  const tenants = statuses.map((status, i) => {
    const created = new Date(now - (TENANTS - i + 60) * MINUTE);
    const t = newTenant({
      slug: `scale-${i}`,
      companyName: `Scale ${i}`,
      adminEmail: `admin${i}@scale.test`,
      plan: plan.id,
      now: created,
    });
    t.status = status;
    t.updatedAt =
      status === "OFFBOARDED"
        ? new Date(now - 30 * 24 * 60 * MINUTE).toISOString() // long gone: outside the leftover window
        : status === "PROVISIONING"
          ? new Date(now).toISOString() // still making progress
          : new Date(created.getTime() + 5 * MINUTE).toISOString();
    if (status === "FAILED")
      t.failure = { step: "setupNamespace", error: "X", cause: "seeded", at: t.updatedAt };
    return t;
  });

  // Pools and namespaces as onboarding makes them, for every tenant that has them.
  await eachLimited(
    tenants.filter((t) => t.status === "ACTIVE" || t.status === "SUSPENDED"),
    8,
    async (t) => {
      const pool = await cognito.send(
        new CreateUserPoolCommand({
          PoolName: `embark-tenant-${t.tenantId}`,
          UserPoolTags: {
            "embark:tenant-id": t.tenantId,
            "embark:managed-by": "embark",
            "embark:slug": t.slug,
          },
        }),
      );
      const client = await cognito.send(
        new CreateUserPoolClientCommand({ UserPoolId: pool.UserPool!.Id!, ClientName: "embark-app" }),
      );
      t.resources = {
        userPoolId: pool.UserPool!.Id!,
        userPoolClientId: client.UserPoolClient!.ClientId!,
        namespace: `tenant-${t.slug}`,
      };
      await cluster.apply(
        tenantObjects({ tenantId: t.tenantId, slug: t.slug, plan, suspended: t.status === "SUSPENDED" }),
      );
    },
  );
  // The records, 25 to a BatchWriteItem.
  const table = LOCAL_NAMES.table("tenants");
  for (let i = 0; i < tenants.length; i += 25) {
    const items = tenants.slice(i, i + 25).map((t) => ({
      PutRequest: { Item: { pk: `TENANT#${t.tenantId}`, entity: "tenant", ...t } },
    }));
    let unprocessed: Record<string, unknown[]> | undefined = { [table]: items };
    while (unprocessed && Object.keys(unprocessed).length > 0) {
      const out = await documents.send(new BatchWriteCommand({ RequestItems: unprocessed as never }));
      unprocessed = out.UnprocessedItems as Record<string, unknown[]> | undefined;
    }
  }
  cognito.destroy();
}

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = "WARN";
  // No scheduled pass: the test's passes are the only ones.
  ({ cloud, stateDir } = await startTestCloud("scale", {
    wire: (c) => mountEmbark(c, { schedules: false }),
  }));
  const config = localClientConfig(cloud.endpoints.edge);
  lambda = new LambdaClient(config);
  documents = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  const t0 = performance.now();
  await seed();
  console.log(`[reconcile-scale] seeded ${TENANTS} tenants in ${Math.round(performance.now() - t0)} ms`);
}, 600_000);

afterAll(async () => {
  await cloud?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

const kubeCalls = async (method = "GET"): Promise<CallCounts> =>
  (await fetch(`${cloud.endpoints.kubernetes}/_embark/calls`, { method })).json() as Promise<CallCounts>;

/** The pass's own calls: without the work queues' pollers (SQS event source mappings) and the test's Invoke. */
function passCalls(all: CallCounts): CallCounts {
  const operations = Object.fromEntries(
    Object.entries(all.operations).filter(
      ([k]) => !/^sqs \w+ embark-(signups|emails|billing)$/.test(k) && k !== "lambda Invoke",
    ),
  );
  return { total: Object.values(operations).reduce((a, b) => a + b, 0), operations };
}

/** One pass of the deployed function (the schedule's event unless told otherwise), counted. */
async function measuredPass(event: object = {}) {
  await resetCalls(cloud.endpoints.edge);
  await kubeCalls("DELETE");
  const t0 = performance.now();
  const out = await lambda.send(
    new InvokeCommand({ FunctionName: "reconcile", Payload: JSON.stringify(event) }),
  );
  const wallMs = Math.round(performance.now() - t0);
  const payload = Buffer.from(out.Payload ?? []).toString();
  expect(out.FunctionError, payload).toBeUndefined();
  return {
    report: JSON.parse(payload) as ReconcileReport,
    wallMs,
    aws: passCalls(await readCalls(cloud.endpoints.edge)),
    kube: await kubeCalls(),
  };
}

const cursor = async () =>
  (
    await documents.send(
      new GetCommand({ TableName: LOCAL_NAMES.table("tenants"), Key: { pk: "RECONCILE#cursor" } }),
    )
  ).Item?.cursor;

describe(`a reconcile pass over ${TENANTS} tenants where nothing drifted`, () => {
  it("writes only its cursor, never scans the table, and reads a page bounded by its budgets", async () => {
    const { report, wallMs, aws, kube } = await measuredPass();
    const budget = DEFAULT_SETTINGS.perStatus;
    console.log(
      `[reconcile-scale] ${TENANTS} tenants, nothing drifted: pass ${report.durationMs} ms (invoke ${wallMs} ms); ` +
        `AWS calls ${aws.total} ${JSON.stringify(aws.operations)}; Kubernetes calls ${kube.total} ${JSON.stringify(kube.operations)}`,
    );

    expect(report.actions).toEqual([]);
    expect(report.checked).toEqual({
      ACTIVE: budget.ACTIVE,
      SUSPENDED: Math.min(budget.SUSPENDED, MIX.SUSPENDED),
      FAILED: MIX.FAILED,
    });
    expect(report.continued.sort()).toEqual(["ACTIVE", "SUSPENDED"]);
    expect(report.degraded).toBe(0);

    // No writes but the cursor; nothing written to the cluster.
    expect(writesOf(aws)).toEqual({ "dynamodb PutItem embark-tenants": 1 });
    expect(Object.keys(kube.operations).filter((k) => !/^(get|list|discover) /.test(k))).toEqual([]);
    // No full-table scan: tenants come from the by-status index, a page per status, plus one count.
    expect(aws.operations["dynamodb Scan embark-tenants"]).toBeUndefined();
    expect(aws.operations["dynamodb Query embark-tenants"]).toBe(Object.keys(budget).length + 1);
    // Per tenant checked that has a pool: one DescribeUserPool, one DescribeUserPoolClient (never a listing).
    const provisioned = budget.ACTIVE + Math.min(budget.SUSPENDED, MIX.SUSPENDED);
    expect(aws.operations["cognito-idp DescribeUserPool"]).toBe(provisioned);
    expect(aws.operations["cognito-idp DescribeUserPoolClient"]).toBe(provisioned);
    expect(aws.operations["cognito-idp ListUserPools"]).toBe(1); // the orphan sweep's one page
    // Per tenant checked: its namespace, and one list per guard-rail kind.
    expect(kube.operations["get namespaces"]).toBe(provisioned);
    expect(kube.operations["list networkpolicies"]).toBe(provisioned);
    // Bounded by the budgets, not by the 1,000 tenants.
    expect(aws.total).toBeLessThanOrEqual(2 * provisioned + 20);
    expect(kube.total).toBeLessThanOrEqual(7 * provisioned + 10);
  });

  it("the next pass goes on from the cursor (round-robin), and a dry run writes nothing at all", async () => {
    const before = await cursor();
    const next = await measuredPass();
    expect(next.report.actions).toEqual([]);
    const after = await cursor();
    expect(after.statuses.ACTIVE.updatedAt > before.statuses.ACTIVE.updatedAt).toBe(true);

    const dry = await measuredPass({ dryRun: true });
    expect(dry.report.dryRun).toBe(true);
    expect(writesOf(dry.aws)).toEqual({});
    expect(await cursor()).toEqual(after);
    console.log(
      `[reconcile-scale] dry run: pass ${dry.report.durationMs} ms; AWS calls ${dry.aws.total}, Kubernetes calls ${dry.kube.total}`,
    );
  });

  it("a drift among the 1,000 is found when the round-robin reaches it", async () => {
    // The tenant the next pass will check first: right after the cursor.
    const at = (await cursor()).statuses.ACTIVE;
    const { Items } = await documents.send(
      new QueryCommand({
        TableName: LOCAL_NAMES.table("tenants"),
        IndexName: "by-status",
        KeyConditionExpression: "#s = :s",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":s": "ACTIVE" },
        ExclusiveStartKey: at,
        Limit: 1,
      }),
    );
    const target = Items![0] as Tenant;
    const kc = new KubeConfig();
    kc.loadFromFile(cloud.endpoints.kubeconfig);
    await new KubernetesClusterProvisioner(kc).remove({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "allow-dns-egress", namespace: `tenant-${target.slug}` },
    });
    const { report, aws } = await measuredPass();
    expect(report.actions.map((a) => [a.slug, a.check, a.action, a.outcome])).toEqual([
      [target.slug, "guard-rails", "apply-objects", "repaired"],
    ]);
    expect(writesOf(aws)).toEqual({
      "dynamodb PutItem embark-tenants": 1,
      "dynamodb UpdateItem embark-tenants": 1,
    });
  });
});
