/** The ops CLI's pure parts: command-line handling, target resolution, the history timeline, formatting. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HistoryEvent } from "@aws-sdk/client-sfn";
import { describe, expect, it } from "vitest";
import { LOCAL_NAMES } from "../../../core/app/resources.js";
import { LOCAL_CREDENTIALS } from "../../../local/aws/constants.js";
import { runCli } from "../../../ops/cli/cli.js";
import { duration, redact, table } from "../../../ops/cli/format.js";
import { LOCAL_RESOURCE_NAMES, resolveTarget, stateMachineEnvVar } from "../../../ops/cli/target.js";
import { buildTimeline } from "../../../ops/cli/timeline.js";

/** Runs the CLI in process against an endpoint nothing listens on (usage errors never get that far). */
async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(
    argv,
    { out: (t) => (stdout += t), err: (t) => (stderr += t) },
    {
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      AWS_REGION: "us-east-1",
      AWS_MAX_ATTEMPTS: "1",
      TENANTS_TABLE: "t",
      PLANS_TABLE: "p",
    },
  );
  return { code, stdout, stderr };
}

describe("ops command line", () => {
  it("answers usage errors with exit 2, a message and the usage line", async () => {
    expect(await cli()).toMatchObject({ code: 2, stdout: "" });
    expect((await cli()).stderr).toContain("commands:");
    const unknown = await cli("teleport");
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr).toContain('unknown command "teleport"');
    const group = await cli("dlq");
    expect(group.code).toBe(2);
    expect(group.stderr).toContain("dlq redrive <queue>");
    const extra = await cli("tenants", "list", "surplus");
    expect(extra.code).toBe(2);
    expect(extra.stderr).toBe(
      'error: unexpected argument "surplus"\nusage: npm run ops -- tenants list [--status S]\n',
    );
    const badOption = await cli("tenants", "list", "--colour");
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toBe(
      "error: Unknown option '--colour'\nusage: npm run ops -- tenants list [--status S]\n",
    );
    const missingValue = await cli("tenants", "list", "--status");
    expect(missingValue.code).toBe(2);
    expect(missingValue.stderr).toContain("--status");
  });

  it("validates option values before calling AWS", async () => {
    const status = await cli("tenants", "list", "--status", "sleepy");
    expect(status).toMatchObject({ code: 2, stdout: "" });
    expect(status.stderr).toBe(
      'error: Unknown tenant status "sleepy"; choose one of: PROVISIONING, ACTIVE, FAILED, SUSPENDED, DEGRADED, CANCELLED, OFFBOARDING, OFFBOARDED\n',
    );
    const execStatus = await cli("executions", "list", "--status", "done");
    expect(execStatus.code).toBe(2);
    expect(execStatus.stderr).toContain('Unknown execution status "done"');
    const workflow = await cli("executions", "list", "--workflow", "teleport");
    expect(workflow.code).toBe(2);
    expect(workflow.stderr).toContain('Unknown workflow "teleport"');
    const limit = await cli("executions", "list", "--limit", "0");
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain("--limit expects a positive whole number");
    const stale = await cli("reconcile", "--stale-after", "soon");
    expect(stale).toMatchObject({ code: 2, stdout: "" });
    expect(stale.stderr).toContain('--stale-after expects a number of minutes, got "soon"');
    const tenants = await cli("reconcile", "--tenant", " , ");
    expect(tenants.code).toBe(2);
    expect(tenants.stderr).toContain("--tenant expects ids or slugs");
  });

  it("prints help on stdout with exit 0, globally, per group and per command", async () => {
    const top = await cli("--help");
    expect(top.code).toBe(0);
    for (const c of [
      "tenants list",
      "tenants show <tenant>",
      "executions history <execution>",
      "redrive <execution>",
      "dlq list",
      "dlq redrive <queue>",
      "plans list",
      "plans set <plan> <field> <value>",
    ]) {
      expect(top.stdout).toContain(c);
    }
    expect(top.stdout).toContain("Exit codes: 0 ok, 1 unexpected error, 2 usage error, 3 not found");
    expect((await cli("plans", "--help")).stdout).toContain("plans set <plan> <field> <value>");
    const one = await cli("--json", "plans", "set", "-h");
    expect(one.code).toBe(0);
    expect(one.stdout).toContain("usage: npm run ops -- plans set <plan> <field> <value>");
    expect(one.stdout).toContain("quota.requests.cpu");
  });

  it("exits 1 naming the endpoint it could not reach", async () => {
    const run = await cli("plans", "list");
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("error: cannot reach http://127.0.0.1:9: ECONNREFUSED\n");
  });
});

describe("ops target", () => {
  it("uses the environment when AWS_ENDPOINT_URL is set", () => {
    const t = resolveTarget(
      {
        AWS_ENDPOINT_URL: "http://example:4566",
        TENANTS_TABLE: "prod-tenants",
        ONBOARDING_STATE_MACHINE_ARN: "arn:aws:states:eu-west-1:123456789012:stateMachine:prod-onboarding",
      },
      "/nonexistent",
    );
    expect(t.mode).toBe("aws");
    expect(t.clientConfig).toEqual({ endpoint: "http://example:4566" });
    expect(t.tenantsTable).toBe("prod-tenants");
    expect(t.plansTable).toBeUndefined();
    expect(t.stateMachineArns).toEqual({
      onboarding: "arn:aws:states:eu-west-1:123456789012:stateMachine:prod-onboarding",
    });
    expect(t.description).toContain("http://example:4566");
  });

  it("falls back to the local cloud's endpoints.json and local names when AWS_ENDPOINT_URL is unset", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ops-target-"));
    await writeFile(
      join(dir, "endpoints.json"),
      JSON.stringify({ edge: "http://127.0.0.1:4566", region: "us-east-1", accountId: "000000000000" }),
    );
    const t = resolveTarget({ EMBARK_STATE_DIR: dir, PLANS_TABLE: "override" }, "/");
    expect(t.mode).toBe("local");
    expect(t.clientConfig).toEqual({
      endpoint: "http://127.0.0.1:4566",
      region: "us-east-1",
      credentials: { ...LOCAL_CREDENTIALS },
    });
    expect(t.tenantsTable).toBe(LOCAL_NAMES.table("tenants"));
    expect(t.plansTable).toBe("override");
    expect(t.stateMachineArns.onboarding).toBe(
      "arn:aws:states:us-east-1:000000000000:stateMachine:embark-onboarding",
    );
    expect(t.stateMachineArns.planChange).toBe(
      "arn:aws:states:us-east-1:000000000000:stateMachine:embark-plan-change",
    );
    expect(t.description).toContain(
      `local cloud at http://127.0.0.1:4566 (from ${join(dir, "endpoints.json")}`,
    );
  });

  it("keeps its copy of the local names equal to the wiring's", () => {
    expect(LOCAL_RESOURCE_NAMES).toEqual({
      tenantsTable: LOCAL_NAMES.table("tenants"),
      plansTable: LOCAL_NAMES.table("plans"),
    });
    expect(stateMachineEnvVar("planChange")).toBe("PLAN_CHANGE_STATE_MACHINE_ARN");
    expect(stateMachineEnvVar("onboarding")).toBe("ONBOARDING_STATE_MACHINE_ARN");
  });
});

describe("execution timeline", () => {
  const t0 = Date.parse("2026-11-23T10:00:00Z");
  const ev = (
    id: number,
    previousEventId: number,
    ms: number,
    type: string,
    details?: Record<string, unknown>,
  ) =>
    ({
      id,
      previousEventId,
      timestamp: new Date(t0 + ms),
      type,
      ...(details ? { [detailsKey(type)]: details } : {}),
    }) as HistoryEvent;
  const detailsKey = (type: string) =>
    type.endsWith("StateEntered")
      ? "stateEnteredEventDetails"
      : type.endsWith("StateExited")
        ? "stateExitedEventDetails"
        : `${type[0]?.toLowerCase()}${type.slice(1)}EventDetails`;

  // Create identity fails once (throttled), is retried after 200 ms and succeeds; the pipeline then fails.
  const history = [
    ev(1, 0, 0, "ExecutionStarted", { input: '{"tenantId":"t-1"}' }),
    ev(2, 1, 5, "TaskStateEntered", { name: "Create identity", input: '{"tenantId":"t-1"}' }),
    ev(3, 2, 6, "LambdaFunctionScheduled", { resource: "create-identity" }),
    ev(4, 3, 7, "LambdaFunctionStarted"),
    ev(5, 4, 107, "LambdaFunctionFailed", {
      error: "TooManyRequestsException",
      cause: '{"errorMessage":"Rate exceeded"}',
    }),
    ev(6, 5, 307, "LambdaFunctionScheduled", { resource: "create-identity" }),
    ev(7, 6, 308, "LambdaFunctionStarted"),
    ev(8, 7, 400, "LambdaFunctionSucceeded", { output: '{"userPoolId":"p"}' }),
    ev(9, 8, 401, "TaskStateExited", { name: "Create identity", output: '{"userPoolId":"p"}' }),
    ev(10, 9, 402, "TaskStateEntered", { name: "Run deployment pipeline" }),
    ev(11, 10, 403, "TaskScheduled", { parameters: '{"Payload":{"taskToken":"AQsecret"}}' }),
    ev(12, 11, 900, "TaskFailed", { error: "PipelineFailed", cause: "Deploy stage failed" }),
    ev(13, 12, 901, "ExecutionFailed", { error: "PipelineFailed", cause: "Deploy stage failed" }),
  ];

  it("orders entered/exited/failed/retried with durations", () => {
    const timeline = buildTimeline(history);
    expect(timeline.map((e) => [e.kind, e.state ?? null, e.durationMs ?? null])).toEqual([
      ["started", null, null],
      ["entered", "Create identity", null],
      ["failed", "Create identity", 101],
      ["retried", "Create identity", 200],
      ["exited", "Create identity", 396],
      ["entered", "Run deployment pipeline", null],
      ["failed", "Run deployment pipeline", 497],
      ["failed", null, 901],
    ]);
    expect(timeline[3]).toMatchObject({ attempt: 2, offsetMs: 307 });
    expect(timeline[2]).toMatchObject({ error: "TooManyRequestsException" });
    expect(timeline.some((e) => "input" in e || "output" in e)).toBe(false);
  });

  it("adds input and output only when asked, and never a task token", () => {
    const timeline = buildTimeline(history, { data: true });
    expect(timeline[0]?.input).toEqual({ tenantId: "t-1" });
    expect(timeline[4]?.output).toEqual({ userPoolId: "p" });
    expect(JSON.stringify(timeline)).not.toContain("AQsecret");
  });
});

describe("ops formatting", () => {
  it("aligns tables, right-aligns numbers and marks empty cells", () => {
    const out = table(
      [
        { a: "x", n: 5 },
        { a: "longer", n: 12 },
      ],
      [
        { header: "NAME", value: (r) => r.a },
        { header: "N", value: (r) => r.n, right: true },
        { header: "NOTE", value: () => undefined },
      ],
    );
    expect(out).toBe("NAME     N  NOTE\nx        5  -\nlonger  12  -\n");
    expect(table([], [])).toBe("(none)\n");
  });

  it("redacts tokens, passwords and secrets at any depth", () => {
    expect(
      redact({
        Payload: { taskToken: "AQ1", tenantId: "t" },
        list: [{ TemporaryPassword: "pw" }],
        clientSecret: "s",
      }),
    ).toEqual({
      Payload: { taskToken: "[redacted]", tenantId: "t" },
      list: [{ TemporaryPassword: "[redacted]" }],
      clientSecret: "[redacted]",
    });
  });

  it("formats durations for people", () => {
    expect([
      duration(850),
      duration(12_340),
      duration(245_000),
      duration(7_380_000),
      duration(undefined),
    ]).toEqual(["850ms", "12.3s", "4m05s", "2h03m", undefined]);
  });
});
