import aslValidator from "asl-validator";
import { describe, expect, it } from "vitest";
import {
  ONBOARDING_STATES,
  type OnboardingSummary,
  onboardingDefinition,
} from "../../../core/onboarding/workflow.js";
import { ONBOARDING_STEPS, STEP_LABELS, stepForStateName } from "../../../core/tenant/model.js";
import { type Branch, type JsonValue, walkStates } from "../../../core/workflow/asl.js";
import { executionFailedPattern } from "../../../core/workflow/failure-events.js";
import {
  executionName,
  parseExecutionName,
  STATE_MACHINE_FOR_WORKFLOW,
  STATE_MACHINE_NAMES,
  WORKFLOWS,
} from "../../../core/workflow/names.js";
import {
  LAMBDA_SERVICE_ERRORS,
  RETRYABLE_ERRORS,
  StepError,
  sqsRetry,
  toStepError,
  transientRetry,
} from "../../../core/workflow/retry.js";
import {
  EMAILS_QUEUE_URL,
  embarkFunctionArn,
  TEST_REFS as refs,
  runStateMachine,
  type StateMachineRun,
  type TaskHandler,
} from "../../support/state-machine-run.js";

const S = ONBOARDING_STATES;

/** All `"key.$": "path"` pairs of a payload template, however deep. */
function pathFields(value: JsonValue | undefined): Array<[string, string]> {
  if (value === null || typeof value !== "object") return [];
  if (Array.isArray(value)) return value.flatMap(pathFields);
  return Object.entries(value).flatMap(
    ([key, v]): Array<[string, string]> =>
      key.endsWith(".$") && typeof v === "string" ? [[key, v]] : pathFields(v),
  );
}

function transitionTargets(scope: Branch): string[] {
  return Object.values(scope.States).flatMap((state) => {
    const targets: string[] = [];
    if ("Next" in state && typeof state.Next === "string") targets.push(state.Next);
    if (state.Type === "Choice") {
      targets.push(...state.Choices.map((c) => c.Next));
      if (state.Default) targets.push(state.Default);
    }
    if ("Catch" in state && state.Catch) targets.push(...state.Catch.map((c) => c.Next));
    return targets;
  });
}

function scopes(def: Branch): Branch[] {
  return [
    def,
    ...Object.values(def.States).flatMap((s) => (s.Type === "Parallel" ? s.Branches.flatMap(scopes) : [])),
  ];
}

describe("onboarding definition (static checks)", () => {
  const def = onboardingDefinition(refs);
  const visits = walkStates(def);
  const tasks = visits.flatMap((v) => (v.state.Type === "Task" ? [{ name: v.name, state: v.state }] : []));

  it("is valid ASL according to asl-validator (paths and ARNs checked)", () => {
    // asl-validator adds QueryLanguage to every state it sees: validate a copy.
    const result = aslValidator(structuredClone(def), { checkPaths: true, checkArn: true });
    expect(result.errorsText(), "asl-validator errors").toBe("");
    expect(result.isValid).toBe(true);
  });

  it("is plain JSON (survives a JSON round trip unchanged)", () => {
    expect(JSON.parse(JSON.stringify(def))).toEqual(def);
  });

  it("uses exactly the exported state names, each once", () => {
    const names = visits.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(Object.values(ONBOARDING_STATES).sort());
    expect(def.StartAt).toBe(S.reserveTenant);
  });

  it("maps every step to a Task state and back", () => {
    for (const step of ONBOARDING_STEPS) {
      const stateName = STEP_LABELS[step];
      expect(
        tasks.map((t) => t.name),
        step,
      ).toContain(stateName);
      expect(stepForStateName(stateName)).toBe(step);
    }
    expect(tasks).toHaveLength(ONBOARDING_STEPS.length);
    expect(stepForStateName(S.needsDedicatedResources)).toBeUndefined();
  });

  it("gives every Task a Retry and no Catch, and has no Fail state", () => {
    for (const { name, state } of tasks) {
      expect(state.Retry?.length ?? 0, name).toBeGreaterThan(0);
    }
    const failStates = new Set(visits.filter((v) => v.state.Type === "Fail").map((v) => v.name));
    for (const { name, state } of visits) {
      const catchers = "Catch" in state && state.Catch ? state.Catch : [];
      for (const catcher of catchers)
        expect(failStates.has(catcher.Next), `${name} catches into a Fail`).toBe(false);
    }
    expect(failStates.size).toBe(0);
  });

  it("has every transition target in the same scope, and every state reachable", () => {
    for (const scope of scopes(def)) {
      const names = Object.keys(scope.States);
      const targets = transitionTargets(scope);
      for (const target of targets) expect(names, `target ${target}`).toContain(target);
      const reachable = new Set([scope.StartAt, ...targets]);
      for (const name of names) expect(reachable.has(name), `${name} unreachable`).toBe(true);
    }
  });

  it("is JSONPath only: no JSONata query language, expressions or fields", () => {
    expect(def.QueryLanguage ?? "JSONPath").toBe("JSONPath");
    for (const { name, state } of visits) {
      const raw = state as Record<string, unknown>;
      expect(raw.QueryLanguage ?? "JSONPath", name).toBe("JSONPath");
      for (const field of ["Arguments", "Output", "Assign"])
        expect(raw[field], `${name}.${field}`).toBeUndefined();
    }
    expect(JSON.stringify(def)).not.toMatch(/\{%|%\}|JSONata/i);
  });

  it("runs the pipeline with a task token, a timeout and a heartbeat", () => {
    const waiting = tasks.filter((t) => t.state.Resource.endsWith(".waitForTaskToken"));
    expect(waiting.map((t) => t.name)).toEqual([S.runPipeline]);
    const pipeline = waiting[0]!.state;
    expect(pathFields(pipeline.Parameters)).toContainEqual(["taskToken.$", "$$.Task.Token"]);
    expect(pipeline.Parameters?.FunctionName).toBe(embarkFunctionArn("start-pipeline"));
    expect(pipeline.TimeoutSeconds).toBe(3600);
    expect(pipeline.HeartbeatSeconds).toBe(900);
    expect(pipeline.Retry).toEqual(transientRetry);
  });

  it("sends the welcome email through the SQS integration without keeping its result", () => {
    const send = tasks.find((t) => t.name === S.sendWelcome)!.state;
    expect(send.Resource).toBe("arn:aws:states:::sqs:sendMessage");
    expect(send.Parameters?.QueueUrl).toBe(EMAILS_QUEUE_URL);
    expect(send.ResultPath).toBeNull();
    expect(send.Retry).toEqual(sqsRetry);
  });

  it("only ever reads the task token inside the pipeline Task", () => {
    for (const { name, state } of visits) {
      const params = "Parameters" in state ? state.Parameters : undefined;
      const usesToken = pathFields(params).some(([, path]) => path.startsWith("$$.Task.Token"));
      expect(usesToken, name).toBe(name === S.runPipeline);
    }
  });
});

describe("retry policies", () => {
  it("retries Lambda service errors and our transient errors with capped, jittered backoff", () => {
    const main = transientRetry[0]!;
    for (const name of [...LAMBDA_SERVICE_ERRORS, ...RETRYABLE_ERRORS, "Sandbox.Timedout"]) {
      expect(main.ErrorEquals).toContain(name);
    }
    expect(main).toMatchObject({
      IntervalSeconds: 2,
      BackoffRate: 2,
      MaxAttempts: 5,
      MaxDelaySeconds: 30,
      JitterStrategy: "FULL",
    });
    expect(transientRetry.find((r) => r.ErrorEquals.includes("Lambda.Unknown"))?.MaxAttempts).toBe(2);
  });

  it("never retries wildcards or permanent errors", () => {
    const all = [...transientRetry, ...sqsRetry].flatMap((r) => r.ErrorEquals);
    for (const name of [
      "States.ALL",
      "States.TaskFailed",
      "States.Timeout",
      "ValidationError",
      "PipelineFailed",
    ]) {
      expect(all).not.toContain(name);
    }
  });

  it("StepError carries the error name Step Functions matches on", () => {
    const err = new StepError("TransientError", "EKS API busy");
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("TransientError");
  });

  it("toStepError turns retryable AWS SDK and network errors into TransientError, and nothing else", () => {
    const throttled = Object.assign(new Error("Rate exceeded"), {
      name: "TooManyRequestsException",
      $metadata: { httpStatusCode: 400 },
    });
    expect(toStepError(throttled)).toBe(throttled);

    const server = Object.assign(new Error("boom"), { name: "InternalErrorException", $fault: "server" });
    const mapped = toStepError(server) as Error;
    expect(mapped.name).toBe("TransientError");
    expect(mapped.cause).toBe(server);

    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect((toStepError(reset) as Error).name).toBe("TransientError");

    const conflict = Object.assign(new Error("exists"), {
      name: "ConditionalCheckFailedException",
      $fault: "client",
      $metadata: { httpStatusCode: 400 },
    });
    expect(toStepError(conflict)).toBe(conflict);
    expect(toStepError("not an error")).toBe("not an error");
  });
});

describe("execution names", () => {
  it("builds <slug>-<workflow>-<n> and parses it back for every workflow", () => {
    expect(executionName("acme", "onboard", 1)).toBe("acme-onboard-1");
    for (const workflow of WORKFLOWS) {
      for (const slug of ["acme", "acme-plan", "my-onboard-co"]) {
        const name = executionName(slug, workflow, 12);
        expect(parseExecutionName(name)).toEqual({ slug, workflow, n: 12 });
      }
    }
    expect(parseExecutionName("acme-plan-change-3")).toEqual({ slug: "acme", workflow: "plan-change", n: 3 });
  });

  it("refuses names AWS or the convention would not accept", () => {
    expect(() => executionName("acme", "onboard", 0)).toThrow(RangeError);
    expect(() => executionName("acme", "onboard", 1.5)).toThrow(RangeError);
    expect(() => executionName("", "onboard", 1)).toThrow(RangeError);
    expect(() => executionName("acme corp", "onboard", 1)).toThrow(RangeError);
    expect(() => executionName("acme.io", "onboard", 1)).toThrow(RangeError);
    expect(() => executionName("acme", "delete" as never, 1)).toThrow(RangeError);
    const longSlug = "a".repeat(71);
    expect(() => executionName(longSlug, "onboard", 1)).toThrow(/longer than 80/);
    expect(executionName("a".repeat(80 - "-onboard-1".length), "onboard", 1)).toHaveLength(80);
  });

  it("does not parse names Embark did not make", () => {
    for (const name of [
      "acme",
      "acme-onboard",
      "acme-onboard-0",
      "acme-onboard-01",
      "acme-delete-1",
      "-onboard-1",
    ]) {
      expect(parseExecutionName(name), name).toBeUndefined();
    }
    expect(parseExecutionName(`${"a".repeat(75)}-onboard-1`)).toBeUndefined();
  });

  it("names a state machine for every workflow", () => {
    expect(STATE_MACHINE_NAMES.onboarding).toBe("embark-onboarding");
    for (const workflow of WORKFLOWS)
      expect(STATE_MACHINE_FOR_WORKFLOW[workflow]).toMatch(/^embark-[a-z-]+$/);
  });
});

describe("failure event pattern", () => {
  it("matches unsuccessful executions of the given state machines", () => {
    const arn = "arn:aws:states:us-east-1:000000000000:stateMachine:embark-onboarding";
    expect(executionFailedPattern([arn])).toEqual({
      source: ["aws.states"],
      "detail-type": ["Step Functions Execution Status Change"],
      detail: { status: ["FAILED", "TIMED_OUT", "ABORTED"], stateMachineArn: [arn] },
    });
    expect(() => executionFailedPattern([])).toThrow(RangeError);
  });
});

// ---- Data flow, run in memory with aws-local-stepfunctions (Task states replaced by canned handlers) ----

const TOKEN = "task-token-0123456789";

function tenantFakes(plan: "standard" | "enterprise") {
  const dedicated = plan === "enterprise";
  const summary: OnboardingSummary = {
    tenantId: "t-1",
    slug: "acme",
    plan,
    status: "ACTIVE",
    userPoolId: "us-east-1_abc",
    userPoolClientId: "client-1",
    namespace: "tenant-acme",
    pipelineExecutionId: dedicated ? "pe-1" : null,
    activatedAt: "2026-11-23T12:00:00.000Z",
  };
  const handlers: Record<string, TaskHandler> = {
    // Extra fields (PII, a secret) prove the definition whitelists what it keeps.
    [S.reserveTenant]: () => ({
      tenantId: "t-1",
      slug: "acme",
      plan,
      dedicatedResources: dedicated,
      adminEmail: "admin@acme.test",
    }),
    [S.createIdentity]: () => ({
      userPoolId: "us-east-1_abc",
      userPoolClientId: "client-1",
      temporaryPassword: "Sup3r-secret!",
    }),
    [S.setupNamespace]: () => ({ namespace: "tenant-acme", manifests: 7 }),
    // What the pipeline callback passes to SendTaskSuccess.
    [S.runPipeline]: () => ({ pipelineExecutionId: "pe-1", status: "Succeeded" }),
    [S.activateTenant]: () => ({ ...summary, adminEmail: "admin@acme.test" }),
    // Its result is dropped (ResultPath null): the activation summary flows on untouched.
    [S.publishEvents]: () => ({ tenantId: "t-1", published: ["t-1:1"] }),
    // The SQS integration's result shape.
    [S.sendWelcome]: () => ({ MessageId: "m-1", MD5OfMessageBody: "d41d8cd98f00b204e9800998ecf8427e" }),
  };
  return { summary, handlers };
}

/** The onboarding definition run in memory on `{ tenantId: "t-1" }`, its Tasks answered by `handlers`. */
function runOnboarding(
  handlers: Record<string, TaskHandler>,
  options: { retryIntervals?: Record<string, number> } = {},
): Promise<StateMachineRun> {
  return runStateMachine(onboardingDefinition(refs), { tenantId: "t-1" }, handlers, {
    retryIntervals: options.retryIntervals,
    // The library has no task tokens: $$.Task.Token comes from this static context object.
    context: { Task: { Token: TOKEN } },
  });
}

/** Runs the onboarding of a `plan` tenant whose `state` throws `error` (retried at once, if at all). */
function runFailingAt(plan: "standard" | "enterprise", state: string, error: StepError) {
  const { handlers } = tenantFakes(plan);
  handlers[state] = () => {
    throw error;
  };
  return runOnboarding(handlers, { retryIntervals: { [state]: 0 } });
}

describe("onboarding data flow (aws-local-stepfunctions)", () => {
  it("standard plan: skips the pipeline and outputs only the tenant's ids", async () => {
    const { summary, handlers } = tenantFakes("standard");
    const run = await runOnboarding(handlers);

    expect(run.error).toBeUndefined();
    expect(run.output).toEqual(summary);
    expect(run.calls[S.runPipeline]).toBeUndefined();
    expect(run.entered).not.toContain(S.runPipeline);
    expect(run.entered.filter((n) => n !== S.createIdentity && n !== S.setupNamespace)).toEqual([
      S.reserveTenant,
      S.provision,
      S.needsDedicatedResources,
      S.activateTenant,
      S.publishEvents,
      S.sendWelcome,
      S.onboarded,
    ]);
    for (const step of [S.reserveTenant, S.createIdentity, S.setupNamespace, S.activateTenant]) {
      expect(run.calls[step], step).toEqual([{ tenantId: "t-1" }]);
    }
    // "Tenant Activated" is published after the transition, recorded as the onboarding step.
    expect(run.calls[S.publishEvents]).toEqual([{ tenantId: "t-1", onboardingStep: true }]);
    expect(run.calls[S.sendWelcome]).toEqual([
      { QueueUrl: EMAILS_QUEUE_URL, MessageBody: { tenantId: "t-1", template: "welcome" } },
    ]);
    const text = JSON.stringify(run.output);
    for (const secret of ["Sup3r-secret!", "admin@acme.test", TOKEN, "MessageId"])
      expect(text).not.toContain(secret);
  });

  it("enterprise plan: runs the pipeline with the task token, then activates", async () => {
    const { summary, handlers } = tenantFakes("enterprise");
    const run = await runOnboarding(handlers);

    expect(run.error).toBeUndefined();
    expect(run.calls[S.runPipeline]).toEqual([
      { FunctionName: embarkFunctionArn("start-pipeline"), Payload: { tenantId: "t-1", taskToken: TOKEN } },
    ]);
    const order = [
      S.needsDedicatedResources,
      S.runPipeline,
      S.activateTenant,
      S.publishEvents,
      S.sendWelcome,
      S.onboarded,
    ];
    expect(run.entered.filter((n) => (order as string[]).includes(n))).toEqual(order);
    expect(run.output).toEqual(summary);
    expect(JSON.stringify(run.output)).not.toContain(TOKEN);
    expect(JSON.stringify(run.output)).not.toMatch(/taskToken/i);
  });

  it("retries a transient error inside a Parallel branch, then succeeds", async () => {
    const { summary, handlers } = tenantFakes("standard");
    let attempts = 0;
    handlers[S.createIdentity] = () => {
      attempts += 1;
      if (attempts < 3) throw new StepError("TransientError", "Cognito busy");
      return { userPoolId: "us-east-1_abc", userPoolClientId: "client-1" };
    };
    const run = await runOnboarding(handlers, { retryIntervals: { [S.createIdentity]: 0 } });

    expect(run.error).toBeUndefined();
    expect(attempts).toBe(3);
    expect(run.output).toEqual(summary);
  });

  it("fails the execution at the Task on a non-retryable error, without running later steps", async () => {
    const invalid = new StepError("ValidationError", "namespace quota invalid");
    const run = await runFailingAt("standard", S.setupNamespace, invalid);

    expect(run.error?.cause).toMatchObject({ name: "ValidationError" });
    expect(run.calls[S.setupNamespace]).toHaveLength(1);
    expect(run.calls[S.activateTenant]).toBeUndefined();
    expect(run.entered).not.toContain(S.needsDedicatedResources);
  });

  it("does not retry a pipeline failure reported through SendTaskFailure", async () => {
    const run = await runFailingAt(
      "enterprise",
      S.runPipeline,
      new StepError("PipelineFailed", "Deploy stage failed"),
    );

    expect(run.error?.cause).toMatchObject({ name: "PipelineFailed" });
    expect(run.calls[S.runPipeline]).toHaveLength(1);
    expect(run.entered.at(-1)).toBe(S.runPipeline);
    expect(run.calls[S.activateTenant]).toBeUndefined();
  });

  it("gives up after MaxAttempts retries of a transient error", async () => {
    const throttled = new StepError("TransientError", "DynamoDB throttled");
    const run = await runFailingAt("standard", S.activateTenant, throttled);

    expect(run.error?.cause).toMatchObject({ name: "TransientError" });
    expect(run.calls[S.activateTenant]).toHaveLength(1 + transientRetry[0]!.MaxAttempts!);
    expect(run.calls[S.sendWelcome]).toBeUndefined();
  });
});
