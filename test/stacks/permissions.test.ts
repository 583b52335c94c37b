/**
 * Least privilege, checked against the code: each function's role must grant exactly the IAM actions its code
 * path can call (derived from the adapters' SDK commands, sdk-actions.ts + function-usage.ts), on exactly the
 * resources they act on, plus what its trigger, logging and tracing need from the role. Nothing else.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { functionModule } from "../../core/app/function-spec.js";
import { FUNCTION_NAMES, type FunctionName } from "../../core/app/manifest.js";
import type { onboardingDefinition } from "../../core/onboarding/workflow.js";
import { walkStates } from "../../core/workflow/asl.js";
import {
  grants,
  lambdaFunction,
  roleByArn,
  roleStatements,
  sortedGrants,
  TEST_SECRETS,
  TEST_STAGE,
} from "./support/deployed.js";
import { FUNCTION_USAGE } from "./support/function-usage.js";
import { entryActions, moduleImportActions } from "./support/sdk-actions.js";
import { environmentVariablesRead, ROOT, reachableModules } from "./support/source-graph.js";
import { ACCOUNT, REGION, runSstProgram, type SstRun } from "./support/sst-mocks.js";

/** Powertools' DynamoDB persistence layer: its SDK imports are the idempotency record actions. */
const POWERTOOLS_PERSISTENCE = join(
  ROOT,
  "node_modules/@aws-lambda-powertools/idempotency/lib/esm/persistence/DynamoDBPersistenceLayer.js",
);

const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
const NAMES: FunctionName[] = FUNCTION_NAMES;

let run: SstRun;
beforeAll(async () => {
  run = await runSstProgram({ stage: TEST_STAGE, secrets: TEST_SECRETS });
}, 120_000);

const LIFECYCLE = ["plan-change", "suspend", "reactivate", "cancel", "restore", "offboard"];
const smArn = (wf: string) => arn("states", `stateMachine:embark-${wf}-${TEST_STAGE}`);
const executions = (wf: string) => arn("states", `execution:embark-${wf}-${TEST_STAGE}:*`);

/** The resources an adapter entry's action acts on in this deployment (AWS facts + our wiring). */
function resourcesFor(fn: FunctionName, entry: string, action: string): string[] {
  const table = (logical: string) => run.get("aws:dynamodb/table:Table", logical).state.arn as string;
  const file = entry.split("#")[0];
  switch (file) {
    case "tenant-store.ts":
    case "billing-records.ts": // billing records live in the tenants table
      return [table("TenantsTable")];
    case "reconcile-store.ts": // its cursor and records live in the tenants table; tenants by status in its index
      return action === "dynamodb:Query"
        ? [`${table("TenantsTable")}/index/by-status`]
        : [table("TenantsTable")];
    case "dead-letters.ts": // the signups and emails DLQs
      return ["SignupsDlq", "EmailsDlq"].map((q) => run.get("aws:sqs/queue:Queue", `${q}Queue`).state.arn);
    case "functions/billing-intake.ts": // PutEvents onto the billing bus
      return [run.get("aws:cloudwatch/eventBus:EventBus", "BillingBus").state.arn];
    case "tenant-events.ts": // PutEvents onto the tenant lifecycle events bus
      return [run.get("aws:cloudwatch/eventBus:EventBus", "TenantsBus").state.arn];
    case "plan-store.ts":
      return [table("PlansTable")];
    case "rate-limiter.ts":
      return [table("RateLimitsTable")];
    case "queues.ts":
      return [run.get("aws:sqs/queue:Queue", "SignupsQueueQueue").state.arn];
    case "workflows.ts": {
      // The billing router starts lifecycle workflows; the starter onboarding; record-failure reads both;
      // the reconciler starts onboarding and, for parked billing events, lifecycle workflows, and reads (and
      // redrives) onboarding and offboard executions.
      const started =
        fn === "start-purge"
          ? ["offboard"]
          : fn === "billing-router"
            ? LIFECYCLE
            : fn === "record-failure"
              ? ["onboarding", ...LIFECYCLE]
              : fn === "reconcile"
                ? ["onboarding", ...LIFECYCLE]
                : ["onboarding"];
      // It redrives and reads the history of onboarding and offboard executions only.
      if (fn === "reconcile" && ["states:GetExecutionHistory", "states:RedriveExecution"].includes(action))
        return ["onboarding", "offboard"].map(executions);
      return action === "states:StartExecution" ? started.map(smArn) : started.map(executions);
    }
    case "pipeline.ts":
      return [arn("codepipeline", TEST_SECRETS.PipelineName)];
    case "task-callbacks.ts":
      return ["*"]; // a task token, not an ARN, names the task
    case "identity.ts":
      return ["cognito-idp:CreateUserPool", "cognito-idp:ListUserPools", "tag:GetResources"].includes(action)
        ? ["*"] // no pool before it is created; the list and the tag lookup are account-wide
        : [arn("cognito-idp", "userpool/*")];
    case "cluster.ts":
      return ["eks:DescribeCluster", "eks:CreateAccessEntry"].includes(action)
        ? [arn("eks", `cluster/${TEST_SECRETS.EksClusterName}`)]
        : [arn("eks", `access-entry/${TEST_SECRETS.EksClusterName}/*`)];
    case "purge-schedules.ts": // the one-time purge schedules, by name prefix
      return [arn("scheduler", "schedule/default/embark-purge-*")];
    case "export-store.ts": // the exports bucket's objects
      return [`${run.get("aws:s3/bucketV2:BucketV2", "ExportsBucket").state.arn}/*`];
    case "mail-sender.ts":
      return [
        arn("ses", "identity/mail.example.com"),
        arn("ses", `configuration-set/embark-${TEST_STAGE}-mail`),
      ];
    default:
      throw new Error(`no resource rule for ${entry} (${action}): add one`);
  }
}

/** action → resources each function needs for its code, derived from the adapters it calls. */
function expectedCodeGrants(fn: FunctionName): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (action: string, resources: string[]) => {
    const set = out.get(action) ?? new Set<string>();
    for (const r of resources) set.add(r);
    out.set(action, set);
  };
  const usage = FUNCTION_USAGE[fn];
  for (const entry of usage.calls) {
    for (const action of entryActions(entry)) add(action, resourcesFor(fn, entry, action));
  }
  for (const module of usage.modules ?? []) {
    for (const action of moduleImportActions(join(ROOT, module)))
      add(action, resourcesFor(fn, module, action));
  }
  if (usage.idempotency) {
    const idempotencyTable = run.get("aws:dynamodb/table:Table", "IdempotencyTable").state.arn;
    for (const action of moduleImportActions(POWERTOOLS_PERSISTENCE)) add(action, [idempotencyTable]);
  }
  return out;
}

/** What the role needs for the function's trigger, logs and traces (AWS's documented minimums). */
function expectedPlatformGrants(fn: FunctionName): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  const fnArn = lambdaFunction(run, fn).state.arn;
  const mapping = run
    .ofType("aws:lambda/eventSourceMapping:EventSourceMapping")
    .find((m) => m.inputs.functionName === fnArn);
  if (mapping) {
    for (const a of ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]) {
      g.set(a, new Set([mapping.inputs.eventSourceArn]));
    }
    // The messages it refuses go to that queue's DLQ at once, with the reason (core/runtime/sqs-batch.ts).
    const queue = run
      .ofType("aws:sqs/queue:Queue")
      .find((q) => q.state.arn === mapping.inputs.eventSourceArn);
    const dlq = JSON.parse(String(queue?.inputs.redrivePolicy ?? "{}")).deadLetterTargetArn;
    expect(dlq, `the DLQ of ${mapping.inputs.eventSourceArn}`).toBeDefined();
    g.set("sqs:SendMessage", new Set([dlq]));
  }
  const invokeConfig = run
    .ofType("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")
    .find((c) => c.inputs.functionName === `embark-${TEST_STAGE}-${fn}`);
  const onFailure = invokeConfig?.inputs.destinationConfig?.onFailure?.destination;
  if (onFailure) g.set("sqs:SendMessage", new Set([...(g.get("sqs:SendMessage") ?? []), onFailure]));
  // CreateSchedule/UpdateSchedule name the role Scheduler assumes: the caller needs iam:PassRole on it.
  if (fn === "set-purge-schedule" || fn === "start-purge" || fn === "reconcile") {
    g.set("iam:PassRole", new Set([`arn:aws:iam::${ACCOUNT}:role/embark-${TEST_STAGE}-purge-schedule`]));
  }
  const logGroup = arn("logs", `log-group:/aws/lambda/embark-${TEST_STAGE}-${fn}:*`);
  g.set("logs:CreateLogStream", new Set([logGroup]));
  g.set("logs:PutLogEvents", new Set([logGroup]));
  g.set("xray:PutTraceSegments", new Set(["*"])); // X-Ray has no resource-level permissions
  g.set("xray:PutTelemetryRecords", new Set(["*"]));
  return g;
}

function merge(...maps: Map<string, Set<string>>[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of maps) for (const [a, r] of m) out.set(a, new Set([...(out.get(a) ?? []), ...r]));
  return out;
}

describe("each function's role allows exactly what its code calls", () => {
  it.each(NAMES)("%s", (fn) => {
    const role = roleByArn(run, lambdaFunction(run, fn).inputs.role);
    expect(role.inputs.managedPolicyArns ?? []).toEqual([]);
    const actual = sortedGrants(grants(roleStatements(role)));
    const expected = sortedGrants(merge(expectedCodeGrants(fn), expectedPlatformGrants(fn)));
    expect(actual).toEqual(expected);
  });

  it("derives actions from the adapters' SDK commands (spot checks of the derivation itself)", () => {
    expect(existsSync(POWERTOOLS_PERSISTENCE)).toBe(true);
    expect([...entryActions("tenant-store.ts#DynamoTenantStore.require")]).toEqual(["dynamodb:GetItem"]);
    expect([...entryActions("plan-store.ts#DynamoPlanStore.get")].sort()).toEqual([
      "dynamodb:GetItem",
      "dynamodb:Scan",
    ]);
    expect([...entryActions("task-callbacks.ts#StepFunctionsTaskCallbacks.heartbeat")]).toEqual([
      "states:SendTaskHeartbeat",
    ]);
    expect(entryActions("cluster.ts#KubernetesClusterProvisioner.grantNamespaceAccess")).toContain(
      "eks:AssociateAccessPolicy",
    );
    expect([...moduleImportActions(POWERTOOLS_PERSISTENCE)].sort()).toEqual([
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
    ]);
    expect(() => entryActions("tenant-store.ts#DynamoTenantStore.nope")).toThrow(/no such method/);
  });

  it.each(NAMES)(
    "%s: every adapter call listed in function-usage.ts is made by code the function loads",
    (fn) => {
      const modules = reachableModules(functionModule(fn)).filter((m) => !m.startsWith("core/adapters/"));
      const text = modules.map((m) => readFileSync(join(ROOT, m), "utf8")).join("\n");
      for (const entry of FUNCTION_USAGE[fn].calls) {
        const name = entry.split("#")[1]!.split(".").at(-1)!;
        if (name === "*") continue; // a whole adapter: its class is constructed, checked by the env test
        expect(text, `${fn} lists ${entry}, but nothing it loads calls ${name}()`).toMatch(
          new RegExp(`\\b${name}(\\?\\.)?\\(`),
        );
      }
    },
  );
});

describe("no broad grants", () => {
  /** Actions AWS only authorises on `*` (each commented where it is granted), by service. */
  const STAR_ONLY = new Set(
    Object.entries({
      "cognito-idp": ["CreateUserPool", "ListUserPools"],
      tag: ["GetResources"], // the Resource Groups Tagging API has no resource-level permissions
      states: ["SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat"],
      xray: ["PutTraceSegments", "PutTelemetryRecords", "GetSamplingRules", "GetSamplingTargets"],
      logs: [
        ...["Create", "Get", "Update", "Delete"].map((verb) => `${verb}LogDelivery`),
        "ListLogDeliveries",
        "PutResourcePolicy",
        "DescribeResourcePolicies",
        "DescribeLogGroups",
      ],
    }).flatMap(([service, actions]) => actions.map((action) => `${service}:${action}`)),
  );

  it("no role has a wildcard action, and `*` resources only for actions that have no narrower ARN", () => {
    const roles = run.ofType("aws:iam/role:Role");
    // The functions', the seven state machines', the schedules' and the runtime schedules' (the purge).
    expect(roles.length).toBe(
      NAMES.length +
        run.ofType("aws:sfn/stateMachine:StateMachine").length +
        run.ofType("aws:scheduler/schedule:Schedule").length +
        roles.filter((r) => r.name.endsWith("RuntimeScheduleRole")).length,
    );
    expect(roles.filter((r) => r.name.endsWith("RuntimeScheduleRole"))).toHaveLength(1);
    expect(run.ofType("aws:sfn/stateMachine:StateMachine")).toHaveLength(7);
    for (const role of roles) {
      for (const [action, resources] of grants(roleStatements(role))) {
        expect(action, role.name).not.toContain("*");
        if (resources.has("*")) expect(STAR_ONLY.has(action), `${role.name}: ${action} on *`).toBe(true);
        for (const r of resources) if (r !== "*") expect(r, `${role.name}: ${action}`).toMatch(/^arn:aws:/);
      }
    }
  });

  it("Lambda roles trust only Lambda; state machine roles only Step Functions; schedule roles only Scheduler", () => {
    for (const role of run.ofType("aws:iam/role:Role")) {
      const trust =
        typeof role.inputs.assumeRolePolicy === "string"
          ? JSON.parse(role.inputs.assumeRolePolicy)
          : role.inputs.assumeRolePolicy;
      const principals = trust.Statement.map((s: { Principal: unknown }) => s.Principal);
      // A function's role is `<Function>Role` (set-purge-schedule's ends in ScheduleRole too).
      const pascalOf = (n: string) =>
        n
          .split("-")
          .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
          .join("");
      const isFunction = NAMES.some((n) => role.name === `${pascalOf(n)}Role`);
      const expected = role.name.includes("Workflow")
        ? "states.amazonaws.com"
        : !isFunction && role.name.endsWith("ScheduleRole")
          ? "scheduler.amazonaws.com"
          : "lambda.amazonaws.com";
      expect(principals, role.name).toEqual([{ Service: expected }]);
    }
  });

  it.each(["Onboarding", "PlanChange", "Suspend", "Reactivate", "Offboard"])(
    "the %s state machine role may invoke exactly the Lambdas and send to exactly the queues its ASL names",
    (id) => {
      const sm = run.get("aws:sfn/stateMachine:StateMachine", `${id}StateMachine`);
      const definition = JSON.parse(sm.inputs.definition) as ReturnType<typeof onboardingDefinition>;
      const invoked = new Set<string>();
      const queues = new Set<string>();
      for (const { state } of walkStates(definition)) {
        if (state.Type !== "Task") continue;
        if (state.Resource.startsWith("arn:aws:lambda:")) invoked.add(state.Resource);
        else if (state.Resource.startsWith("arn:aws:states:::lambda:invoke")) {
          invoked.add(String(state.Parameters?.FunctionName));
        } else if (state.Resource === "arn:aws:states:::sqs:sendMessage")
          queues.add(String(state.Parameters?.QueueUrl));
        else throw new Error(`no IAM rule for Task resource ${state.Resource}`);
      }
      expect(invoked.size).toBeGreaterThan(0);
      const queueArns = [...queues].map(
        (url) => run.ofType("aws:sqs/queue:Queue").find((q) => q.state.url === url)?.state.arn,
      );
      const g = grants(roleStatements(roleByArn(run, sm.inputs.roleArn)));
      expect([...(g.get("lambda:InvokeFunction") ?? [])].sort()).toEqual(
        [...invoked].flatMap((a) => [a, `${a}:*`]).sort(),
      );
      expect([...(g.get("sqs:SendMessage") ?? [])].sort()).toEqual(queueArns.sort());
      const other = [...g.keys()].filter((a) => !["lambda:InvokeFunction", "sqs:SendMessage"].includes(a));
      expect(other.every((a) => STAR_ONLY.has(a))).toBe(true);
    },
  );
});

describe("environment", () => {
  /** Read by code the functions load but only meaningful elsewhere. */
  const NOT_FOR_AWS = new Set([
    "KUBECONFIG", // the local cloud's kubeconfig; on AWS the EKS settings apply
    "EMBARK_STRIPE_WEBHOOK_TOLERANCE_SECONDS", // optional: Stripe's default tolerance otherwise
    "EMBARK_PLAN_CACHE_SECONDS", // optional: a warm function keeps a plan 30 s otherwise
  ]);

  it.each(NAMES)("%s gets every variable its code reads", (fn) => {
    const read = environmentVariablesRead(reachableModules(functionModule(fn)));
    const set = Object.keys(lambdaFunction(run, fn).inputs.environment.variables);
    const missing = [...read].filter((v) => !NOT_FOR_AWS.has(v) && !v.startsWith("AWS_") && !set.includes(v));
    expect(missing).toEqual([]);
    expect(set).not.toContain("KUBECONFIG");
  });
});
