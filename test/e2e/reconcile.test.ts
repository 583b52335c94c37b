/**
 * The reconciler against the local cloud, one drift at a time: each drift is made the way an operator or an
 * outage would make it (kubectl, the AWS CLI), then one pass of `npm run ops -- reconcile` (the same core pass
 * the scheduled function runs) repairs it or flags it with a precise reason, and says so on the tenant
 * (`tenants show`, the console). Passes are targeted (`--tenant`) so suites sharing the cloud are not touched.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import type { ReconcileReport } from "../../core/reconcile/report.js";
import { newTenant, type Tenant } from "../../core/tenant/model.js";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../local/aws/constants.js";
import { cloud } from "../support/cloud.js";
import {
  eventually,
  getTenant,
  postSignup,
  uniqueCompany,
  useEmbarkEnvironment,
  waitForTenant,
} from "../support/embark.js";
import { runOpsCli } from "../support/ops-cli.js";

useEmbarkEnvironment();
const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "embark-reconcile-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const env = () => ({
  ...process.env,
  AWS_ENDPOINT_URL: cloud().edge,
  AWS_REGION: LOCAL_REGION,
  AWS_DEFAULT_REGION: LOCAL_REGION,
  AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  TENANTS_TABLE: LOCAL_NAMES.table("tenants"),
  PLANS_TABLE: LOCAL_NAMES.table("plans"),
  KUBECONFIG: cloud().kubeconfig,
  NODE_NO_WARNINGS: "1",
});

async function runProcess(
  file: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // A time limit, so a command that hangs fails naming itself instead of running into the test's timeout.
    const { stdout, stderr } = await exec(file, args, {
      cwd: ROOT,
      env: env(),
      maxBuffer: 16 * 1024 * 1024,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

const ops = (...args: string[]) => runOpsCli(args, env());
async function aws(...args: string[]): Promise<string> {
  const r = await runProcess("aws", args);
  if (r.code !== 0) throw new Error(`aws ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}
async function kubectl(...args: string[]): Promise<string> {
  const r = await runProcess("/usr/bin/kubectl", args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

// Each test onboards a tenant and shells out to the ops CLI, the AWS CLI and kubectl several times, some on to an
// offboarding and its purge: more than vitest's default minute when the shared cloud is busy.
const SLOW = 150_000;

/** The messages on a queue, seen with the AWS CLI and left visible. */
async function peek(queueUrl: string): Promise<{ Messages?: unknown[] }> {
  const out = await aws(
    "sqs",
    "receive-message",
    "--queue-url",
    queueUrl,
    "--max-number-of-messages",
    "10",
    "--visibility-timeout",
    "0",
    "--endpoint-url",
    cloud().edge,
  );
  return JSON.parse(out || "{}");
}

/** One targeted pass through the ops CLI; its JSON report. */
async function reconcile(tenant: string, ...extra: string[]): Promise<ReconcileReport> {
  const r = await ops("reconcile", "--tenant", tenant, "--stale-after", "0", "--json", ...extra);
  if (r.code !== 0) throw new Error(`reconcile exited ${r.code}: ${r.stderr}\n${r.stdout}`);
  return JSON.parse(r.stdout) as ReconcileReport;
}
const summary = (r: ReconcileReport) => r.actions.map((a) => `${a.check}:${a.action}:${a.outcome}`);

async function record(tenantId: string): Promise<Tenant> {
  const { DynamoTenantStore } = await import("../../core/adapters/tenant-store.js");
  return DynamoTenantStore.fromEnvironment().require(tenantId);
}

async function activeTenant(
  plan = "standard",
  slug?: string,
): Promise<{ tenantId: string; slug: string; ns: string }> {
  const res = await postSignup({
    companyName: uniqueCompany("Reconciled"),
    adminEmail: `rec+${randomUUID().slice(0, 8)}@reconcile.test`,
    plan,
    ...(slug ? { slug } : {}),
  });
  expect(res.status).toBe(202);
  const t = await waitForTenant(String(res.body.tenantId), ["ACTIVE"]);
  return { tenantId: t.tenantId, slug: t.slug, ns: `tenant-${t.slug}` };
}

describe("guard rails", { timeout: SLOW }, () => {
  it("a NetworkPolicy deleted with kubectl is back after one pass, and the pass is recorded on the tenant", async () => {
    const t = await activeTenant();
    await kubectl("delete", "networkpolicy", "default-deny-all", "-n", t.ns);

    const report = await reconcile(t.slug);
    expect(summary(report)).toEqual(["guard-rails:apply-objects:repaired"]);
    expect(report.actions[0]!.problem).toBe(
      `In namespace ${t.ns}: NetworkPolicy default-deny-all is missing`,
    );
    const policy = JSON.parse(
      await kubectl("get", "networkpolicy", "default-deny-all", "-n", t.ns, "-o", "json"),
    );
    expect(policy.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });

    const shown = JSON.parse((await ops("tenants", "show", t.slug, "--json")).stdout);
    expect(shown.reconcile.entries).toEqual([
      expect.objectContaining({ check: "guard-rails", action: "apply-objects", outcome: "repaired" }),
    ]);
    const human = (await ops("tenants", "show", t.slug)).stdout;
    expect(human).toContain("Reconciler (newest first)");
    expect(human).toContain("NetworkPolicy default-deny-all is missing");

    expect((await reconcile(t.slug)).actions).toEqual([]);
  });

  it("a quota edited with kubectl is put back to the plan's, naming the field", async () => {
    const t = await activeTenant();
    await kubectl(
      "patch",
      "resourcequota",
      "tenant-quota",
      "-n",
      t.ns,
      "--type",
      "merge",
      "-p",
      '{"spec":{"hard":{"pods":"500"}}}',
    );

    const report = await reconcile(t.slug);
    expect(summary(report)).toEqual(["guard-rails:apply-objects:repaired"]);
    expect(report.actions[0]!.problem).toContain(
      'ResourceQuota tenant-quota: spec.hard.pods is "500", Embark sets "50"',
    );
    const quota = JSON.parse(await kubectl("get", "resourcequota", "tenant-quota", "-n", t.ns, "-o", "json"));
    expect(quota.spec.hard.pods).toBe("50");
  });

  it("a namespace deleted with kubectl is re-created with every guard rail", async () => {
    const t = await activeTenant();
    await kubectl("delete", "namespace", t.ns, "--wait=false");
    // Gone once the stand-in's namespace controller has emptied it (a poll: what is tested here is the repair).
    await eventually(
      () => runProcess("/usr/bin/kubectl", ["get", "namespace", t.ns, "-o", "name"]),
      (r) => r.code !== 0 && r.stderr.includes("NotFound"),
    );

    const report = await reconcile(t.slug);
    expect(summary(report)).toEqual(["namespace:apply-objects:repaired"]);
    expect(report.actions[0]!.problem).toBe(
      `Namespace ${t.ns} does not exist (deleted outside Embark): re-created with its guard rails`,
    );
    expect((await kubectl("get", "namespace", t.ns, "-o", "name")).trim()).toBe(`namespace/${t.ns}`);
    const names = await kubectl("get", "quota,limits,netpol,sa,role,rolebinding", "-n", t.ns, "-o", "name");
    expect(names.trim().split("\n").sort()).toEqual(
      [
        "resourcequota/tenant-quota",
        "limitrange/tenant-limits",
        "networkpolicy.networking.k8s.io/allow-dns-egress",
        "networkpolicy.networking.k8s.io/allow-same-namespace",
        "networkpolicy.networking.k8s.io/default-deny-all",
        "serviceaccount/tenant-workloads",
        "role.rbac.authorization.k8s.io/tenant-admin",
        "rolebinding.rbac.authorization.k8s.io/tenant-admin",
      ].sort(),
    );
    const ns = JSON.parse(await kubectl("get", "namespace", t.ns, "-o", "json"));
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });
});

describe("identity", { timeout: SLOW }, () => {
  it("a user pool deleted with the AWS CLI: DEGRADED with the reason, shown everywhere, and the tenant can still be offboarded", async () => {
    const t = await activeTenant();
    const poolId = (await record(t.tenantId)).resources.userPoolId!;
    await aws("cognito-idp", "delete-user-pool", "--user-pool-id", poolId);

    const report = await reconcile(t.slug);
    expect(summary(report)).toEqual(["user-pool:degrade:flagged"]);
    const after = await record(t.tenantId);
    expect(after.status).toBe("DEGRADED");
    expect(after.reconcile?.degraded).toMatchObject({ check: "user-pool", previousStatus: "ACTIVE" });
    expect(after.reconcile?.degraded?.reason).toContain(`User pool ${poolId} no longer exists`);
    expect((await getTenant(t.tenantId)).body.status).toBe("DEGRADED");
    expect((await ops("tenants", "show", t.slug)).stdout).toMatch(
      /Degraded\nLost: +user-pool\nReason: +User pool/,
    );
    const page = await (await fetch(`${cloud().web}/console/tenants/${t.tenantId}`)).text();
    expect(page).toContain("Degraded: user-pool");
    expect(page).toContain(`User pool ${poolId} no longer exists`);
    expect((await ops("tenants", "list", "--status", "DEGRADED", "--json")).stdout).toContain(t.tenantId);

    const off = await ops("offboard", t.slug, "--wait");
    expect(off.code, off.stderr).toBe(0);
    // `offboard --wait` returns once the tenant is cancelled; the purge follows its (test) grace of a second.
    const purged = await eventually(
      async () => (await record(t.tenantId)).status,
      (s) => s === "OFFBOARDED",
      60_000,
    );
    expect(purged).toBe("OFFBOARDED");
  });

  it("a deleted app client is re-created and its new id recorded", async () => {
    const t = await activeTenant();
    const before = await record(t.tenantId);
    await aws(
      "cognito-idp",
      "delete-user-pool-client",
      "--user-pool-id",
      before.resources.userPoolId!,
      "--client-id",
      before.resources.userPoolClientId!,
    );
    expect(summary(await reconcile(t.slug))).toEqual(["app-client:recreate-app-client:repaired"]);
    const clientId = (await record(t.tenantId)).resources.userPoolClientId!;
    expect(clientId).not.toBe(before.resources.userPoolClientId);
    const described = JSON.parse(
      await aws(
        "cognito-idp",
        "describe-user-pool-client",
        "--user-pool-id",
        before.resources.userPoolId!,
        "--client-id",
        clientId,
      ),
    );
    expect(described.UserPoolClient.ClientName).toBe("embark-app");
  });
});

describe("onboarding", { timeout: SLOW }, () => {
  it("a signup whose message went to the DLQ is onboarded under its one execution name; once offboarded, its dead letter and leftovers go", async () => {
    const { DynamoTenantStore } = await import("../../core/adapters/tenant-store.js");
    const tenant = newTenant({
      slug: `lost-${randomUUID().slice(0, 8)}`,
      companyName: uniqueCompany("Lost Signup"),
      adminEmail: `lost+${randomUUID().slice(0, 8)}@reconcile.test`,
      plan: "standard",
    });
    // What signup-intake wrote; its message never reached onboarding-starter.
    await DynamoTenantStore.fromEnvironment().create(tenant);
    const dlqUrl = JSON.parse(
      await aws("sqs", "get-queue-url", "--queue-name", "embark-signups-dlq", "--endpoint-url", cloud().edge),
    ).QueueUrl;
    await aws(
      "sqs",
      "send-message",
      "--queue-url",
      dlqUrl,
      "--message-body",
      JSON.stringify({ tenantId: tenant.tenantId }),
      "--endpoint-url",
      cloud().edge,
    );

    const report = await reconcile(tenant.slug);
    expect(summary(report)).toEqual(["onboarding-execution:start-onboarding:repaired"]);
    expect(report.actions[0]!.problem).toMatch(
      new RegExp(`^No onboarding execution ${tenant.slug}-onboard-1 after \\d+ min`),
    );
    await waitForTenant(tenant.tenantId, ["ACTIVE"]);
    // Its dead letter names a live tenant: left for operators (a redrive of it would start nothing new).
    const waiting = await peek(dlqUrl);
    expect(JSON.stringify(waiting.Messages ?? [])).toContain(tenant.tenantId);

    const off = await ops("offboard", tenant.slug, "--wait");
    expect(off.code, off.stderr).toBe(0);
    // A leftover made after offboarding: a namespace labelled as the tenant's.
    await writeFile(
      join(tmp, "leftover.json"),
      JSON.stringify({
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
          name: `tenant-${tenant.slug}`,
          labels: { "app.kubernetes.io/managed-by": "embark", "embark.io/tenant-id": tenant.tenantId },
        },
      }),
    );
    await kubectl("apply", "--server-side", "-f", join(tmp, "leftover.json"));

    const cleanup = await reconcile(tenant.slug);
    expect(summary(cleanup).sort()).toEqual([
      "no-dead-letters:delete-dead-letter:repaired",
      "no-namespace:delete-namespace:repaired",
    ]);
    const left = await peek(dlqUrl);
    expect(JSON.stringify(left.Messages ?? [])).not.toContain(tenant.tenantId);
    await eventually(
      async () => (await runProcess("/usr/bin/kubectl", ["get", "namespace", `tenant-${tenant.slug}`])).code,
      (code) => code !== 0,
    );
    const entries = (await record(tenant.tenantId)).reconcile?.entries.map((e) => e.action);
    expect(entries).toEqual(["start-onboarding", "delete-namespace", "delete-dead-letter"]);
  });

  it("an onboarding stopped with the AWS CLI whose status-change event was lost is redriven and completes", async () => {
    const slug = `stopped-${randomUUID().slice(0, 8)}`;
    // This tenant's pipeline run lasts long enough to stop the execution while it waits for it.
    await setPipelineBehaviour({ durationMs: 15_000, match: { TENANT_SLUG: slug } });
    try {
      const res = await postSignup({
        companyName: uniqueCompany("Stopped"),
        adminEmail: `stop+${slug}@reconcile.test`,
        plan: "enterprise",
        slug,
      });
      expect(res.status).toBe(202);
      const tenantId = String(res.body.tenantId);
      await eventually(
        () => record(tenantId),
        (t) => t.steps.runPipeline.status === "running",
      );
      const saved = JSON.parse(
        await aws(
          "dynamodb",
          "get-item",
          "--table-name",
          LOCAL_NAMES.table("tenants"),
          "--key",
          JSON.stringify({ pk: { S: `TENANT#${tenantId}` } }),
          "--consistent-read",
        ),
      ).Item;
      const executionArn = `arn:aws:states:us-east-1:000000000000:execution:embark-onboarding:${slug}-onboard-1`;
      await aws(
        "stepfunctions",
        "stop-execution",
        "--execution-arn",
        executionArn,
        "--cause",
        "stopped by an operator",
      );
      await waitForTenant(tenantId, ["FAILED"]);
      // The event that told the tenant never arrived: the record is as it was before the stop.
      await writeFile(join(tmp, "saved.json"), JSON.stringify(saved));
      await aws(
        "dynamodb",
        "put-item",
        "--table-name",
        LOCAL_NAMES.table("tenants"),
        "--item",
        `file://${join(tmp, "saved.json")}`,
      );
      expect((await record(tenantId)).status).toBe("PROVISIONING");
      // The stop is done: the redriven run need not last long.
      await setPipelineBehaviour({ match: { TENANT_SLUG: slug } });

      const report = await reconcile(slug);
      expect(summary(report)).toEqual(["onboarding-execution:redrive-onboarding:repaired"]);
      expect(report.actions[0]!.problem).toBe(
        `Onboarding execution ${slug}-onboard-1 ended ABORTED but the tenant still says PROVISIONING`,
      );
      await waitForTenant(tenantId, ["ACTIVE"], 30_000);
      const described = JSON.parse(
        await aws("stepfunctions", "describe-execution", "--execution-arn", executionArn),
      );
      expect(described).toMatchObject({ status: "SUCCEEDED", redriveCount: 1 });
    } finally {
      await setPipelineBehaviour({ match: { TENANT_SLUG: slug } });
    }
  });
});

describe("orphans", { timeout: SLOW }, () => {
  it("a pool and a namespace of a tenant that does not exist: reported within the grace period, deleted after", async () => {
    const ghost = randomUUID();
    const pool = JSON.parse(
      await aws(
        "cognito-idp",
        "create-user-pool",
        "--pool-name",
        `embark-tenant-${ghost}`,
        "--user-pool-tags",
        `embark:tenant-id=${ghost},embark:managed-by=embark`,
      ),
    ).UserPool.Id as string;
    await writeFile(
      join(tmp, "orphan.json"),
      JSON.stringify({
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
          name: `orphan-${ghost.slice(0, 8)}`,
          labels: { "app.kubernetes.io/managed-by": "embark", "embark.io/tenant-id": ghost },
        },
      }),
    );
    await kubectl("apply", "--server-side", "-f", join(tmp, "orphan.json"));

    const young = await reconcile(ghost, "--orphan-grace", "60");
    expect(young.notFound).toEqual([ghost]);
    expect(summary(young).sort()).toEqual([
      "orphan-namespace:await-grace:flagged",
      "orphan-user-pool:await-grace:flagged",
    ]);
    expect(young.actions.map((a) => a.resource).sort()).toEqual([`orphan-${ghost.slice(0, 8)}`, pool].sort());
    await aws("cognito-idp", "describe-user-pool", "--user-pool-id", pool);

    const old = await reconcile(ghost, "--orphan-grace", "0");
    expect(summary(old).sort()).toEqual([
      "orphan-namespace:delete-namespace:repaired",
      "orphan-user-pool:delete-user-pool:repaired",
    ]);
    expect(
      (await runProcess("aws", ["cognito-idp", "describe-user-pool", "--user-pool-id", pool])).stderr,
    ).toContain("ResourceNotFoundException");
  });
});

describe("dry run", { timeout: SLOW }, () => {
  it("reports the repairs it would make and changes nothing (state compared before and after)", async () => {
    const t = await activeTenant();
    const before0 = await record(t.tenantId);
    await kubectl("delete", "networkpolicy", "allow-dns-egress", "-n", t.ns);
    await kubectl(
      "patch",
      "limitrange",
      "tenant-limits",
      "-n",
      t.ns,
      "--type",
      "merge",
      "-p",
      '{"spec":{"limits":[{"type":"Container","max":{"cpu":"64"}}]}}',
    );
    await aws(
      "cognito-idp",
      "delete-user-pool-client",
      "--user-pool-id",
      before0.resources.userPoolId!,
      "--client-id",
      before0.resources.userPoolClientId!,
    );

    const state = async () => {
      const [item, namespace, cluster, clients, executions] = await Promise.all([
        aws(
          "dynamodb",
          "get-item",
          "--table-name",
          LOCAL_NAMES.table("tenants"),
          "--key",
          JSON.stringify({ pk: { S: `TENANT#${t.tenantId}` } }),
          "--consistent-read",
        ),
        kubectl("get", "namespace", t.ns, "-o", "json"),
        kubectl("get", "quota,limits,netpol,sa,role,rolebinding", "-n", t.ns, "-o", "json"),
        aws("cognito-idp", "list-user-pool-clients", "--user-pool-id", before0.resources.userPoolId!),
        aws(
          "stepfunctions",
          "list-executions",
          "--state-machine-arn",
          "arn:aws:states:us-east-1:000000000000:stateMachine:embark-onboarding",
        ),
      ]);
      // Other suites start executions meanwhile: only this tenant's count.
      const ours = (JSON.parse(executions).executions as Array<{ name: string }>).filter((e) =>
        e.name.startsWith(`${t.slug}-`),
      );
      return { item, namespace, cluster, clients, executions: ours };
    };
    const before = await state();

    const dry = await reconcile(t.slug, "--dry-run");
    expect(dry.dryRun).toBe(true);
    expect(summary(dry)).toEqual([
      "app-client:recreate-app-client:planned",
      "guard-rails:apply-objects:planned",
    ]);
    expect(dry.actions[1]!.problem).toContain("NetworkPolicy allow-dns-egress is missing");
    expect(dry.actions[1]!.problem).toContain("LimitRange tenant-limits:");
    expect(await state()).toEqual(before);

    const real = await reconcile(t.slug);
    expect(summary(real)).toEqual([
      "app-client:recreate-app-client:repaired",
      "guard-rails:apply-objects:repaired",
    ]);
    expect(await state()).not.toEqual(before);
    expect((await reconcile(t.slug)).actions).toEqual([]);
  });
});

/** Local-only CodePipeline operation: how one tenant's runs behave (local/codepipeline). */
async function setPipelineBehaviour(behaviour: { durationMs?: number; match: Record<string, string> }) {
  const res = await fetch(cloud().edge, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "CodePipeline_20150709.EmbarkLocalSetBehaviour",
    },
    body: JSON.stringify({ name: LOCAL_NAMES.pipeline, ...behaviour }),
  });
  expect(res.status).toBe(200);
}
