/**
 * Idempotency is the product: re-running a step after success, after a crash between its side effect and its
 * record, or on a duplicate SQS delivery leaves exactly one user pool, one namespace object set, one pipeline
 * run and one welcome email. Steps are invoked through the Lambda API of the local cloud; crashes are
 * simulated by doing a step's side effect with the real adapter and stopping before the step records it.
 */
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { ListExecutionsCommand, SFNClient } from "@aws-sdk/client-sfn";
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { KubernetesObjectApi } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { clusterFromEnvironment } from "../../core/adapters/cluster.js";
import { CognitoIdentityProvisioner } from "../../core/adapters/identity.js";
import { CodePipelineRunner } from "../../core/adapters/pipeline.js";
import { DynamoPlanStore } from "../../core/adapters/plan-store.js";
import { DynamoTenantStore } from "../../core/adapters/tenant-store.js";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import { tenantObjects } from "../../core/cluster/tenant-objects.js";
import { newTenant } from "../../core/tenant/model.js";
import { slugCandidate } from "../../core/tenant/slug.js";
import { kubeConfigFor } from "../../local/k8s/kubeconfig.js";
import { awsConfig, cloud } from "../support/cloud.js";
import {
  eventually,
  postSignup,
  sentMail,
  uniqueCompany,
  useEmbarkEnvironment,
  waitForTenant,
} from "../support/embark.js";

useEmbarkEnvironment();
const lambda = new LambdaClient(awsConfig());
const sqs = new SQSClient(awsConfig());
const identity = new CognitoIdentityProvisioner();
const TEST_INVITATION = { subject: "Your sign-in", html: "<p>Temporary password: {####}</p>" };
const tenants = DynamoTenantStore.fromEnvironment();
const plans = DynamoPlanStore.fromEnvironment();

async function invoke(fn: string, payload: unknown): Promise<Record<string, unknown>> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: fn, Payload: JSON.stringify(payload) }));
  const body = JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString() || "null");
  if (out.FunctionError) throw new Error(`${fn} failed: ${JSON.stringify(body)}`);
  return body;
}

async function resourceVersions(namespace: string): Promise<Record<string, string>> {
  const api = KubernetesObjectApi.makeApiClient(kubeConfigFor(cloud().kubernetes));
  const versions: Record<string, string> = {};
  for (const [apiVersion, kind] of [
    ["v1", "ResourceQuota"],
    ["v1", "LimitRange"],
    ["v1", "ServiceAccount"],
    ["networking.k8s.io/v1", "NetworkPolicy"],
    ["rbac.authorization.k8s.io/v1", "Role"],
    ["rbac.authorization.k8s.io/v1", "RoleBinding"],
  ] as const) {
    const list = await api.list(apiVersion, kind, namespace);
    for (const o of list.items) versions[`${kind}/${o.metadata?.name}`] = String(o.metadata?.resourceVersion);
  }
  return versions;
}

/** Waits until a queue has nothing visible or in flight: every delivery has been handled. */
async function drained(queueName: string): Promise<void> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
  const attrs = await eventually(
    async () =>
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }))).Attributes ?? {},
    (a) => Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible) === 0,
  );
  expect(attrs).toMatchObject({
    ApproximateNumberOfMessages: "0",
    ApproximateNumberOfMessagesNotVisible: "0",
  });
}

async function sendTo(queueName: string, body: unknown): Promise<void> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(body) }));
}

describe("re-running steps of an onboarded tenant", () => {
  const adminEmail = `ops+${Date.now()}@again.test`;
  let tenantId: string;
  let slug: string;
  let namespace: string;

  beforeAll(async () => {
    const res = await postSignup({ companyName: uniqueCompany("Again"), adminEmail, plan: "standard" });
    tenantId = String(res.body.tenantId);
    const view = await waitForTenant(tenantId, ["ACTIVE"]);
    slug = view.slug;
    namespace = String(view.resources.namespace);
    await eventually(
      async () =>
        (await sentMail()).filter((m) => m.to.includes(adminEmail) && /Welcome to Embark/.test(m.subject))
          .length,
      (n) => n === 1,
    );
  });

  it("create-identity after success returns the same pool and makes no second one", async () => {
    const before = await tenants.require(tenantId);
    const again = await invoke("create-identity", { tenantId });
    expect(again.userPoolId).toBe(before.resources.userPoolId);
    expect(await identity.findPoolsForTenant(tenantId)).toEqual([before.resources.userPoolId]);
  });

  it("setup-namespace after success changes no object", async () => {
    const before = await resourceVersions(namespace);
    expect(Object.keys(before).length).toBeGreaterThanOrEqual(7);
    await invoke("setup-namespace", { tenantId });
    expect(await resourceVersions(namespace)).toEqual(before);
  });

  it("a duplicate welcome message on the emails queue sends no second email", async () => {
    await sendTo(LOCAL_NAMES.queue("emails"), { tenantId, template: "welcome" });
    await drained(LOCAL_NAMES.queue("emails"));
    expect(
      (await sentMail()).filter((m) => m.to.includes(adminEmail) && /Welcome to Embark/.test(m.subject)),
    ).toHaveLength(1);
  });

  it("a duplicate signup message starts no second execution", async () => {
    await sendTo(LOCAL_NAMES.queue("signups"), { tenantId });
    await drained(LOCAL_NAMES.queue("signups"));
    const sfn = new SFNClient(awsConfig());
    const list = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:embark-onboarding",
      }),
    );
    const mine = (list.executions ?? []).filter((e) => e.name?.startsWith(`${slug}-onboard-`));
    expect(mine.map((e) => [e.name, e.status])).toEqual([[`${slug}-onboard-1`, "SUCCEEDED"]]);
  });
});

describe("a crash between a side effect and its record", () => {
  /** A PROVISIONING tenant written straight to the table, as signup-intake would. */
  async function provisioningTenant(prefix: string, plan = "standard") {
    const companyName = uniqueCompany(prefix);
    const tenant = newTenant({
      slug: slugCandidate(companyName),
      companyName,
      adminEmail: `crash+${Date.now()}@crash.test`,
      plan,
    });
    await tenants.create(tenant);
    return tenant;
  }

  it("identity: a pool created but never recorded is found and reused", async () => {
    const tenant = await provisioningTenant("Crash Pool");
    await expect(
      identity.ensureTenantIdentity({ ...tenant, invitation: TEST_INVITATION, settings: {} }, async () => {
        throw new Error("crash after CreateUserPool");
      }),
    ).rejects.toThrow("crash after CreateUserPool");
    const orphans = await identity.findPoolsForTenant(tenant.tenantId);
    expect(orphans).toHaveLength(1);
    expect((await tenants.require(tenant.tenantId)).resources.userPoolId).toBeUndefined();

    const result = await invoke("create-identity", { tenantId: tenant.tenantId });
    expect(result.userPoolId).toBe(orphans[0]);
    expect(await identity.findPoolsForTenant(tenant.tenantId)).toEqual(orphans);
    // The orphan was made without the sign-in settings; the step brought it up to date.
    const pool = await new CognitoIdentityProviderClient(awsConfig()).send(
      new DescribeUserPoolCommand({ UserPoolId: orphans[0] }),
    );
    expect(pool.UserPool?.LambdaConfig?.PreTokenGenerationConfig).toEqual({
      LambdaVersion: "V2_0",
      LambdaArn: "arn:aws:lambda:us-east-1:000000000000:function:pre-token-generation",
    });
    expect(pool.UserPool?.EmailConfiguration).toMatchObject({ EmailSendingAccount: "DEVELOPER" });
    expect(pool.UserPool?.AdminCreateUserConfig?.InviteMessageTemplate?.EmailMessage).toContain("{####}");
  });

  it("namespace: objects applied but never recorded are applied again without change", async () => {
    const tenant = await provisioningTenant("Crash Ns");
    const cluster = await clusterFromEnvironment();
    await cluster.apply(
      tenantObjects({ tenantId: tenant.tenantId, slug: tenant.slug, plan: await plans.get("standard") }),
    );
    const ns = `tenant-${tenant.slug}`;
    const before = await resourceVersions(ns);
    const result = await invoke("setup-namespace", { tenantId: tenant.tenantId });
    expect(result.namespace).toBe(ns);
    expect(await resourceVersions(ns)).toEqual(before);
    expect((await tenants.require(tenant.tenantId)).resources.namespace).toBe(ns);
  });

  it("pipeline: a run started but never recorded is the run onboarding waits on", async () => {
    const tenant = await provisioningTenant("Crash Pipe", "enterprise");
    const runner = new CodePipelineRunner(LOCAL_NAMES.pipeline);
    // What start-pipeline sends first; the crash comes before it records the run.
    const orphan = await runner.start({
      clientRequestToken: `${tenant.tenantId}-first`,
      variables: { TENANT_ID: tenant.tenantId, TENANT_SLUG: tenant.slug, TENANT_PLAN: tenant.plan },
    });
    await sendTo(LOCAL_NAMES.queue("signups"), { tenantId: tenant.tenantId });
    const view = await waitForTenant(tenant.tenantId, ["ACTIVE", "FAILED"]);
    expect(view.status).toBe("ACTIVE");
    expect(view.resources.pipelineExecutionId).toBe(orphan);
  });
});
