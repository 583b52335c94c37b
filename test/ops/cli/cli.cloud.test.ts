/**
 * The ops CLI as an operator runs it: a child process (`node --import tsx ops/cli/main.ts`, the fastest way
 * measured) against the test run's local cloud, configured like real AWS (AWS_ENDPOINT_URL, credentials, table
 * names and the onboarding state machine ARN from the environment). Checks output and exit codes.
 */
import { GetExecutionHistoryCommand, SFNClient } from "@aws-sdk/client-sfn";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentClient } from "../../../core/adapters/dynamo.js";
import { DynamoPlanStore } from "../../../core/adapters/plan-store.js";
import { DynamoTenantStore } from "../../../core/adapters/tenant-store.js";
import { LOCAL_NAMES } from "../../../core/app/resources.js";
import type { Plan } from "../../../core/plans/catalog.js";
import { newTenant, STEP_LABELS } from "../../../core/tenant/model.js";
import { awsConfig, cloud } from "../../support/cloud.js";
import { postSignup, uniqueCompany, useEmbarkEnvironment, waitForTenant } from "../../support/embark.js";
import { endpointOnlyEnv, opsAwsEnv, runOpsCli } from "../../support/ops-cli.js";
import { signUpEnterpriseFailingInPipeline } from "../../support/pipeline.js";

useEmbarkEnvironment();

const ONBOARDING_ARN = "arn:aws:states:us-east-1:000000000000:stateMachine:embark-onboarding";
const execArn = (name: string) => `arn:aws:states:us-east-1:000000000000:execution:embark-onboarding:${name}`;

/** The environment an operator sets for real AWS, pointed at the test cloud. */
function awsEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...opsAwsEnv(),
    ONBOARDING_STATE_MACHINE_ARN: ONBOARDING_ARN,
  };
}

const ops = (args: string[], env: NodeJS.ProcessEnv = awsEnv()) => runOpsCli(args, env);

async function json<T>(args: string[]): Promise<T> {
  const run = await ops([...args, "--json"]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

const suffix = `${Date.now().toString(36)}${process.pid.toString(36)}`;
// Onboarded through the real flow (signup → queue → state machine), enterprise so it waits on a task token.
let active: { tenantId: string; slug: string };
// Written straight into the table: it stays PROVISIONING (no execution), for the status filter.
const parked = newTenant({
  slug: `ops-parked-${suffix}`,
  companyName: "Parked Ltd",
  adminEmail: "ops@parked.test",
  plan: "free",
});

beforeAll(async () => {
  await DynamoTenantStore.fromEnvironment().create(parked);
  const res = await postSignup({
    companyName: uniqueCompany("Ops Cli"),
    adminEmail: "ops@opscli.test",
    plan: "enterprise",
    slug: `ops-active-${suffix}`,
  });
  expect(res.status).toBe(202);
  const tenant = await waitForTenant(String(res.body.tenantId), ["ACTIVE", "FAILED"]);
  expect(tenant.status).toBe("ACTIVE");
  active = { tenantId: tenant.tenantId, slug: tenant.slug };
});

describe("target", () => {
  it("with only AWS_ENDPOINT_URL (and credentials) exported, finds the local cloud's tables and lists and shows tenants", async () => {
    // What a user has in a shell after `export AWS_ENDPOINT_URL=…`: no table names, no ARNs.
    const shell = endpointOnlyEnv();
    const list = await ops(["tenants", "list", "--verbose"], shell);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stderr).toContain(`local cloud at ${cloud().edge}`);
    expect(list.stdout).toMatch(new RegExp(`${active.slug}\\s+ACTIVE\\s+enterprise`));
    const show = await ops(["tenants", "show", active.slug], shell);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(active.tenantId);
    // Executions are found too: the state machines have the local cloud's names.
    expect(show.stdout).toContain(`${active.slug}-onboard-1`);
  });

  it("names what it looked for when a stage does not exist", async () => {
    // The local cloud has no SSM: the CLI says what it looked for and where instead of failing obscurely.
    const run = await ops(["tenants", "list", "--stage", "nosuchstage"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/ssm|\/embark\/nosuchstage\/resources/i);
  });
});

describe("tenants", () => {
  it("lists tenants as a table and as JSON, filtered by status", async () => {
    const [table, all, onlyActive] = await Promise.all([
      ops(["tenants", "list"]),
      json<Array<{ slug: string; status: string }>>(["tenants", "list"]),
      json<Array<{ slug: string; status: string }>>(["tenants", "list", "--status", "active"]),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^SLUG\s+STATUS\s+PLAN\s+CREATED/);
    expect(table.stdout).toMatch(new RegExp(`${active.slug}\\s+ACTIVE\\s+enterprise`));
    expect(table.stdout).toMatch(new RegExp(`${parked.slug}\\s+PROVISIONING\\s+free`));
    expect(all.map((t) => t.slug)).toEqual(expect.arrayContaining([active.slug, parked.slug]));
    expect(onlyActive.every((t) => t.status === "ACTIVE")).toBe(true);
    expect(onlyActive.map((t) => t.slug)).toContain(active.slug);
    expect(onlyActive.map((t) => t.slug)).not.toContain(parked.slug);
  });

  it("shows a tenant by slug (record, resources, labelled steps, executions) and by id as JSON", async () => {
    const [bySlug, byId] = await Promise.all([
      ops(["tenants", "show", active.slug]),
      json<{
        tenantId: string;
        status: string;
        resources: { namespace?: string; userPoolId?: string };
        steps: Array<{ name: string; label: string; status: string }>;
        executions: Array<{ name: string; status: string; workflow: string }>;
      }>(["tenants", "show", active.tenantId]),
    ]);
    expect(bySlug.code).toBe(0);
    expect(bySlug.stdout).toMatch(new RegExp(`Tenant:\\s+${active.tenantId}`));
    expect(bySlug.stdout).toMatch(/Status:\s+ACTIVE/);
    expect(bySlug.stdout).toMatch(new RegExp(`Namespace:\\s+tenant-${active.slug}`));
    for (const label of Object.values(STEP_LABELS)) expect(bySlug.stdout).toContain(label);
    expect(bySlug.stdout).toMatch(new RegExp(`${active.slug}-onboard-1\\s+onboarding\\s+SUCCEEDED`));

    expect(byId.tenantId).toBe(active.tenantId);
    expect(byId.resources.namespace).toBe(`tenant-${active.slug}`);
    expect(byId.resources.userPoolId).toBeTruthy();
    expect(byId.steps.map((s) => s.label)).toEqual(Object.values(STEP_LABELS));
    expect(byId.steps.find((s) => s.name === "runPipeline")?.status).toBe("done");
    expect(byId.executions).toEqual([
      expect.objectContaining({
        name: `${active.slug}-onboard-1`,
        status: "SUCCEEDED",
        workflow: "onboarding",
      }),
    ]);
  });

  it("answers an unknown tenant with exit 3 and a clear message", async () => {
    const [bySlug, byId] = await Promise.all([
      ops(["tenants", "show", "no-such-tenant"]),
      ops(["tenants", "show", "00000000-0000-4000-8000-000000000000", "--json"]),
    ]);
    expect(bySlug).toMatchObject({ code: 3, stdout: "" });
    expect(bySlug.stderr).toBe('error: No tenant with id or slug "no-such-tenant"\n');
    expect(byId.code).toBe(3);
    expect(byId.stderr).toContain("00000000-0000-4000-8000-000000000000");
  });
});

describe("executions", () => {
  it("lists executions by workflow and status", async () => {
    const name = `${active.slug}-onboard-1`;
    const [table, onboarding, failed] = await Promise.all([
      ops(["executions", "list", "--workflow", "onboarding"]),
      json<Array<{ name: string; status: string; tenantSlug?: string; executionArn: string }>>([
        "executions",
        "list",
        "--workflow",
        "onboarding",
        "--limit",
        "500",
      ]),
      json<Array<{ name: string; status: string }>>([
        "executions",
        "list",
        "--status",
        "FAILED",
        "--limit",
        "500",
      ]),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^NAME\s+WORKFLOW\s+STATUS\s+STARTED\s+DURATION\s+REDRIVES/);
    expect(onboarding.find((e) => e.name === name)).toMatchObject({
      status: "SUCCEEDED",
      tenantSlug: active.slug,
      executionArn: execArn(name),
    });
    expect(failed.every((e) => e.status === "FAILED")).toBe(true);
    expect(failed.map((e) => e.name)).not.toContain(name);
  });

  it("shows an execution's ordered timeline, with data only on request and never a task token", async () => {
    const name = `${active.slug}-onboard-1`;
    const [table, plain, withData] = await Promise.all([
      ops(["executions", "history", name]),
      json<{
        status: string;
        timeline: Array<{ kind: string; state?: string; durationMs?: number; input?: unknown }>;
      }>(["executions", "history", name]),
      ops(["executions", "history", execArn(name), "--data", "--json"]),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Status:\s+SUCCEEDED/);
    expect(table.stdout).toMatch(/entered\s+Reserve tenant/);
    expect(table.stdout).toMatch(/exited\s+Run deployment pipeline\s+\d/);

    expect(plain.status).toBe("SUCCEEDED");
    const kinds = plain.timeline.map((e) => e.kind);
    expect(kinds[0]).toBe("started");
    expect(kinds.at(-1)).toBe("succeeded");
    const states = plain.timeline.filter((e) => e.kind === "entered").map((e) => e.state);
    expect(states.indexOf("Reserve tenant")).toBeLessThan(states.indexOf("Run deployment pipeline"));
    expect(states.indexOf("Run deployment pipeline")).toBeLessThan(states.indexOf("Activate tenant"));
    for (const e of plain.timeline.filter((x) => x.kind === "exited"))
      expect(e.durationMs).toBeGreaterThanOrEqual(0);
    expect(plain.timeline.some((e) => e.input !== undefined)).toBe(false);

    expect(withData.code).toBe(0);
    const data = JSON.parse(withData.stdout) as { timeline: Array<{ kind: string; input?: unknown }> };
    expect(data.timeline.find((e) => e.kind === "started")?.input).toEqual({ tenantId: active.tenantId });
    // The pipeline step waited with a task token (it is in the raw history): the CLI never prints it.
    const raw = await new SFNClient(awsConfig()).send(
      new GetExecutionHistoryCommand({ executionArn: execArn(name), includeExecutionData: true }),
    );
    const token = JSON.stringify(raw.events).match(/taskToken\\":\\"([^\\]+)/)?.[1];
    expect(token).toBeTruthy();
    for (const out of [table.stdout, withData.stdout]) expect(out).not.toContain(String(token));
  });

  it("answers an unknown execution with exit 3", async () => {
    const run = await ops(["executions", "history", "nobody-onboard-7"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('No execution named "nobody-onboard-7"');
  });

  it("redrives a failed onboarding to ACTIVE, and refuses to redrive a succeeded one", async () => {
    const slug = `ops-redrive-${suffix}`;
    const { tenantId, tenant, fixPipeline } = await signUpEnterpriseFailingInPipeline({
      companyName: uniqueCompany("Ops Redrive"),
      adminEmail: "ops@redrive.test",
      slug,
      reason: "Deploy stage failed: quota exceeded",
    });
    expect(tenant.status).toBe("FAILED");

    const [show, history] = await Promise.all([
      ops(["tenants", "show", slug]),
      ops(["executions", "history", `${slug}-onboard-1`]),
    ]);
    expect(show.stdout).toMatch(/Status:\s+FAILED/);
    expect(show.stdout).toMatch(/Failure\nStep:\s+Run deployment pipeline\nError:\s+PipelineFailed/);
    expect(history.stdout).toMatch(
      /Cause:\s+Pipeline run \S+ ended Failed: Deploy stage failed: quota exceeded/,
    );
    expect(history.stdout).toMatch(/failed\s+Run deployment pipeline\s+\S+\s+PipelineFailed: Pipeline run/);

    await fixPipeline();
    const redrive = await ops(["redrive", `${slug}-onboard-1`]);
    expect(redrive.stderr).toBe("");
    expect(redrive.code).toBe(0);
    expect(redrive.stdout).toContain(`Redriven ${slug}-onboard-1 (was FAILED)`);
    expect((await waitForTenant(tenantId, ["ACTIVE"])).status).toBe("ACTIVE");

    const after = await json<{ status: string; redriveCount: number; timeline: Array<{ kind: string }> }>([
      "executions",
      "history",
      `${slug}-onboard-1`,
    ]);
    expect(after).toMatchObject({ status: "SUCCEEDED", redriveCount: 1 });
    expect(after.timeline.map((e) => e.kind)).toContain("redriven");

    const again = await ops(["redrive", `${slug}-onboard-1`]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      "is SUCCEEDED; only FAILED, TIMED_OUT or ABORTED executions can be redriven",
    );
  });
});

describe("plans", () => {
  const store = () => new DynamoPlanStore(documentClient(), LOCAL_NAMES.table("plans"));
  let original: Plan;
  beforeAll(async () => {
    original = await store().get("free");
  });
  afterAll(async () => {
    await store().put(original);
  });

  it("lists the catalog", async () => {
    const [table, plans] = await Promise.all([ops(["plans", "list"]), json<Plan[]>(["plans", "list"])]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^PLAN\s+NAME\s+USD\/MONTH\s+DEDICATED/);
    expect(table.stdout).toMatch(/enterprise\s+Enterprise\s+\d+\s+yes/);
    expect(plans.map((p) => p.id)).toEqual(expect.arrayContaining(["free", "standard", "enterprise"]));
  });

  it("changes a field without a redeploy, and refuses an invalid value with exit 2", async () => {
    const description = `Edited by the ops CLI test ${suffix}`;
    const set = await ops(["plans", "set", "free", "description", description]);
    expect(set.stderr).toBe("");
    expect(set.code).toBe(0);
    expect(set.stdout).toContain("Plan free: description");
    const plans = await json<Plan[]>(["plans", "list"]);
    expect(plans.find((p) => p.id === "free")?.description).toBe(description);

    const [badValue, badField, badPlan] = await Promise.all([
      ops(["plans", "set", "free", "quota.pods", "lots"]),
      ops(["plans", "set", "free", "quota.nope", "1"]),
      ops(["plans", "set", "platinum", "quota.pods", "1"]),
    ]);
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toContain('"lots" is not a whole number');
    expect(badField.code).toBe(2);
    expect(badField.stderr).toContain('Unknown plan field "quota.nope"');
    expect(badPlan.code).toBe(3);
    expect(badPlan.stderr).toContain('Unknown plan "platinum"');
    expect((await store().get("free")).quota.pods).toBe(original.quota.pods);
  });
});

describe("dead-letter queues", () => {
  it("lists every queue with a DLQ and the depth of both", async () => {
    const [table, pairs] = await Promise.all([
      ops(["dlq", "list"]),
      json<Array<{ queue: string; dlq: string; depth: number; dlqDepth: number; maxReceiveCount: number }>>([
        "dlq",
        "list",
      ]),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^QUEUE\s+DEPTH\s+IN FLIGHT\s+DLQ\s+DLQ DEPTH\s+MAX RECEIVES/);
    expect(table.stdout).toMatch(/embark-signups\s+\d+\s+\d+\s+embark-signups-dlq\s+\d+\s+\d+/);
    expect(table.stdout).toMatch(/embark-emails\s+\d+\s+\d+\s+embark-emails-dlq\s+\d+\s+\d+/);
    for (const queue of [LOCAL_NAMES.queue("signups"), LOCAL_NAMES.queue("emails")]) {
      const pair = pairs.find((p) => p.queue === queue);
      expect(pair).toMatchObject({ dlq: `${queue}-dlq`, maxReceiveCount: 4 });
      expect(typeof pair?.depth).toBe("number");
      expect(typeof pair?.dlqDepth).toBe("number");
    }
  });

  it("redrives a DLQ's messages back to its source queue", async () => {
    // A queue pair of this test's own, so no consumer takes the message before we look.
    const sqs = new SQSClient(awsConfig());
    const name = `ops-test-${suffix}`;
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
    const dlqArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }))
    ).Attributes?.QueueArn;
    const source = await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) },
      }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: dlq.QueueUrl, MessageBody: '{"poison":"pill"}' }));

    const listed = await json<Array<{ queue: string; depth: number; dlqDepth: number }>>([
      "dlq",
      "list",
      "--prefix",
      name,
    ]);
    expect(listed).toEqual([expect.objectContaining({ queue: name, depth: 0, dlqDepth: 1 })]);

    const run = await ops(["dlq", "redrive", `${name}-dlq`]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`Moved 1 message(s) from ${name}-dlq back to ${name}.\n`);

    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: source.QueueUrl, WaitTimeSeconds: 1 }));
    expect(got.Messages?.map((m) => m.Body)).toEqual(['{"poison":"pill"}']);
    const after = await json<Array<{ queue: string; dlqDepth: number }>>(["dlq", "list", "--prefix", name]);
    expect(after[0]?.dlqDepth).toBe(0);
  });

  it("answers an unknown queue with exit 3", async () => {
    const run = await ops(["dlq", "redrive", "no-such-queue"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('No queue named "no-such-queue"');
  });
});

describe("command line", () => {
  it("exits 2 on usage errors and prints help with exit 0", async () => {
    // More usage errors are checked in process (test/ops/cli/cli.test.ts); these go through the real process.
    const [unknown, missing, help] = await Promise.all([
      ops(["tenants", "frobnicate"]),
      ops(["executions", "history"]),
      ops(["dlq", "redrive", "--help"]),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "tenants frobnicate"');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing <execution>");
    expect(missing.stderr).toContain("usage: npm run ops -- executions history <execution> [--data]");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("usage: npm run ops -- dlq redrive <queue>");
  });

  it("falls back to the local cloud of .local/endpoints.json when AWS_ENDPOINT_URL is unset", async () => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, EMBARK_STATE_DIR: cloud().stateDir };
    const run = await ops(["plans", "list", "--json", "--verbose"], env);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`target: local cloud at ${cloud().edge}`);
    expect(run.stderr).toContain("tables: tenants=embark-tenants plans=embark-plans");
    expect((JSON.parse(run.stdout) as Plan[]).map((p) => p.id)).toContain("enterprise");
  });

  it("exits 1 with the reason when the endpoint cannot be reached", async () => {
    const run = await ops(["tenants", "list"], {
      ...awsEnv(),
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      AWS_MAX_ATTEMPTS: "1",
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("cannot reach http://127.0.0.1:9");
  });
});
