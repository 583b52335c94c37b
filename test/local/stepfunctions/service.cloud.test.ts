// Local Step Functions through the edge with the real @aws-sdk/client-sfn: state machines built here on the
// fixture functions (test/support/fixture-functions.ts), run and inspected as an operator would on AWS.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionOutput,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  UpdateStateMachineCommand,
} from "@aws-sdk/client-sfn";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localClientConfig } from "../../../local/aws/client-config.js";
import { startEdge } from "../../../local/edge/server.js";
import { FunctionRegistry } from "../../../local/lambda/registry.js";
import {
  createStepFunctionsService,
  type StepFunctionsService,
} from "../../../local/stepfunctions/service.js";
import { awsConfig, cloud } from "../../support/cloud.js";
import { fixtureFunctions } from "../../support/fixture-functions.js";
import {
  bodyOf,
  createQueue,
  receiveUntil as receiveMessagesUntil,
  ruleToQueue,
} from "../../support/queues.js";

const ROLE = "arn:aws:iam::000000000000:role/embark-test-sfn";
const fnArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
const uid = () => randomUUID().slice(0, 8);
const FINISHED = ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"];
// biome-ignore lint/suspicious/noExplicitAny: parsed JSON read by the assertions
type Json = any;

// ---- a Step Functions service of the test's own, behind a private edge, which the persistence tests restart (the
// shared cloud's service cannot be restarted from a test worker). It reaches SQS/EventBridge through the shared
// cloud's edge and runs the fixture functions in this worker. ----------------------------------------------------

interface Harness {
  client: SFNClient;
  service: StepFunctionsService;
  /** Stops the service and starts a fresh one on the same stateDir (which resumes what was running). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

async function startHarness(): Promise<Harness> {
  const stateDir = await mkdtemp(join(tmpdir(), "embark-sfn-test-"));
  const edge = await startEdge({ port: 0 });
  const functions = new FunctionRegistry();
  for (const def of fixtureFunctions) functions.register(def);
  const ctx = { stateDir, edgeUrl: cloud().edge, region: "us-east-1", accountId: "000000000000", functions };
  const create = async () => {
    const service = await createStepFunctionsService(ctx, { retryIntervalScale: 0.01 });
    service.resume();
    return service;
  };
  const harness: Harness = {
    client: new SFNClient(localClientConfig(edge.url)),
    service: await create(),
    async restart() {
      // (A kill -9 is tested with a cloud in a child process: resume.cloud.test.ts.)
      await harness.service.stop();
      harness.service = await create();
      edge.addJsonService(harness.service);
    },
    async close() {
      harness.client.destroy();
      await harness.service.stop();
      await edge.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
  edge.addJsonService(harness.service);
  return harness;
}

// ---- helpers -------------------------------------------------------------------------------------------------

let sfn: SFNClient;
let sqs: SQSClient;
let events: EventBridgeClient;

beforeAll(() => {
  sfn = new SFNClient(awsConfig());
  sqs = new SQSClient(awsConfig());
  events = new EventBridgeClient(awsConfig());
});

afterAll(() => {
  sfn?.destroy();
  sqs?.destroy();
  events?.destroy();
});

async function createMachine(prefix: string, definition: object, client = sfn): Promise<string> {
  const out = await client.send(
    new CreateStateMachineCommand({
      name: `${prefix}-${uid()}`,
      definition: JSON.stringify(definition),
      roleArn: ROLE,
    }),
  );
  return out.stateMachineArn!;
}

async function start(stateMachineArn: string, input: unknown, name?: string, client = sfn): Promise<string> {
  const out = await client.send(
    new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
  );
  return out.executionArn!;
}

/** Polls DescribeExecution until the execution is over (20 s at most). */
async function waitFor(executionArn: string, client = sfn): Promise<DescribeExecutionOutput> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const out = await client.send(new DescribeExecutionCommand({ executionArn }));
    if (FINISHED.includes(out.status!)) return out;
    if (Date.now() > deadline) throw new Error(`${executionArn} still ${out.status}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function history(executionArn: string, client = sfn): Promise<HistoryEvent[]> {
  const out = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return out.events!;
}

/** Polls the history until an event of `type` is there; returns it. */
async function waitForEvent(executionArn: string, type: string, client = sfn): Promise<HistoryEvent> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = (await history(executionArn, client)).find((e) => e.type === type);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ${type} in ${executionArn}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The parameters the last TaskScheduled event of `events` records, parsed. */
const lastScheduledParameters = (events: HistoryEvent[]): Json =>
  JSON.parse(events.filter((e) => e.type === "TaskScheduled").at(-1)!.taskScheduledEventDetails!.parameters!);

/** The task token handed out by a .waitForTaskToken state (read back from TaskScheduled's parameters). */
async function tokenOf(executionArn: string, path: (params: Json) => string, client = sfn): Promise<string> {
  await waitForEvent(executionArn, "TaskSubmitted", client);
  return path(lastScheduledParameters(await history(executionArn, client)));
}

/** A definition (or Parallel branch, or Map processor) that starts at the first of `states`. */
const flow = (states: Record<string, object>, more: object = {}) => ({
  StartAt: Object.keys(states)[0]!,
  States: states,
  ...more,
});

/** A Task whose Resource is the fixture function `fn` itself (input in, result out). */
const lambdaTask = (fn: string, rest: object) => ({ Type: "Task", Resource: fnArn(fn), ...rest });

/** A Task through the optimised Lambda integration (arn:aws:states:::lambda:invoke). */
const invokeTask = (fn: string, payload: object, rest: object) => ({
  Type: "Task",
  Resource: "arn:aws:states:::lambda:invoke",
  Parameters: { FunctionName: fn, Payload: payload },
  ...rest,
});

/** A Task that invokes fixture-echo with its task token and waits for SendTask* (`rest`: Next/End, timeouts…). */
const echoTokenTask = (rest: object) => ({
  Type: "Task",
  Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
  Parameters: { FunctionName: "fixture-echo", Payload: { "taskToken.$": "$$.Task.Token" } },
  ...rest,
});

/** A Task that sends its task token (and `body`) to an SQS queue and waits for SendTask*. */
const sqsTokenTask = (queueUrl: string, rest: object, body: object = {}) => ({
  Type: "Task",
  Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
  Parameters: { QueueUrl: queueUrl, MessageBody: { ...body, "token.$": "$$.Task.Token" } },
  ...rest,
});

/** Starts an execution of a machine whose first wait is an echoTokenTask; returns it with the token handed out. */
async function startWaiting(arn: string, input: unknown, client = sfn) {
  const executionArn = await start(arn, input, undefined, client);
  return { executionArn, token: await tokenOf(executionArn, (p) => p.Payload.taskToken, client) };
}

/** Receives (and deletes) messages from a queue until `done(bodies)` holds (20 s at most); returns the bodies. */
async function receiveUntil(queueUrl: string, done: (bodies: Json[]) => boolean): Promise<Json[]> {
  const received = await receiveMessagesUntil(sqs, queueUrl, (got) => done(got.map(bodyOf)));
  return received.map(bodyOf);
}

/** A queue that receives what an EventBridge rule on the default bus matches. */
async function ruleToNewQueue(pattern: object): Promise<string> {
  const name = `sfn-rule-${uid()}`;
  const queue = await createQueue(sqs, name);
  await ruleToQueue(events, { name, pattern, queue: name });
  return queue.url;
}

/** A machine that fails when its input says `fail`, with error Asked, and succeeds otherwise. */
const SUCCEED_OR_FAIL = {
  StartAt: "Go",
  States: {
    Go: {
      Type: "Choice",
      Choices: [{ Variable: "$.fail", BooleanEquals: true, Next: "Boom" }],
      Default: "Ok",
    },
    Boom: { Type: "Fail", Error: "Asked", Cause: "asked to fail" },
    Ok: { Type: "Succeed" },
  },
};

const types = (events: HistoryEvent[]) => events.map((e) => String(e.type));

/** Polls `done` until it holds (20 s at most). */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("condition not met in 20 s");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The name of the error `promise` rejects with (AWS's exception name); fails if it resolves. */
async function errorName(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return (err as { name: string }).name;
  }
  throw new Error("expected the call to fail");
}

// ---- tests ---------------------------------------------------------------------------------------------------

describe("local Step Functions", () => {
  it("runs a Pass → Task → Parallel → Choice flow and records it as AWS does", async () => {
    const invoke = invokeTask(
      "fixture-echo",
      { "tenant.$": "$.tenant", "id.$": "$$.Execution.Id" },
      { End: true },
    );
    const arn = await createMachine(
      "flow",
      flow({
        Prepare: {
          Type: "Pass",
          Parameters: {
            "tenant.$": "$.tenant",
            "execution.$": "$$.Execution.Name",
            "machine.$": "$$.StateMachine.Name",
            "state.$": "$$.State.Name",
          },
          Next: "Echo",
        },
        Echo: lambdaTask("fixture-echo", { ResultPath: "$.echoed", Next: "Both" }),
        Both: {
          Type: "Parallel",
          Branches: [flow({ Invoke: invoke }), flow({ Zero: { Type: "Pass", Result: 0, End: true } })],
          ResultPath: "$.both",
          Next: "Route",
        },
        Route: {
          Type: "Choice",
          Choices: [{ Variable: "$.both[1]", NumericEquals: 0, Next: "Done" }],
          Default: "Wrong",
        },
        Wrong: { Type: "Fail", Error: "WrongRoute" },
        Done: { Type: "Succeed" },
      }),
    );
    const name = `flow-${uid()}`;
    const executionArn = await start(arn, { tenant: "acme" }, name);
    expect(executionArn).toBe(`${arn.replace(":stateMachine:", ":execution:")}:${name}`);

    const done = await waitFor(executionArn);
    expect(done.status).toBe("SUCCEEDED");
    expect(done.redriveStatus).toBe("NOT_REDRIVABLE");
    const output = JSON.parse(done.output!);
    expect(output).toMatchObject({
      tenant: "acme",
      execution: name,
      machine: arn.split(":").at(-1),
      state: "Prepare",
      echoed: { tenant: "acme", execution: name },
    });
    const invoked = output.both[0];
    expect(invoked).toMatchObject({
      StatusCode: 200,
      ExecutedVersion: "$LATEST",
      Payload: { tenant: "acme", id: executionArn },
    });
    expect(output.both[1]).toBe(0);

    const events = await history(executionArn);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(types(events)).toEqual(
      expect.arrayContaining([
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
        "TaskStateExited",
        "ParallelStateEntered",
        "ParallelStateStarted",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "ParallelStateSucceeded",
        "ParallelStateExited",
        "ChoiceStateEntered",
        "ChoiceStateExited",
        "SucceedStateEntered",
        "SucceedStateExited",
        "ExecutionSucceeded",
      ]),
    );
    expect(types(events)[0]).toBe("ExecutionStarted");
    expect(types(events).at(-1)).toBe("ExecutionSucceeded");
    const byId = new Map(events.map((e) => [e.id, e]));
    // Lambda events chain back to their state's entry.
    const scheduled = events.find((e) => e.type === "LambdaFunctionScheduled")!;
    expect(byId.get(scheduled.previousEventId!)?.stateEnteredEventDetails?.name).toBe("Echo");
    expect(scheduled.lambdaFunctionScheduledEventDetails).toMatchObject({ resource: fnArn("fixture-echo") });
    const taskScheduled = events.find((e) => e.type === "TaskScheduled")!;
    expect(taskScheduled.taskScheduledEventDetails).toMatchObject({
      resourceType: "lambda",
      resource: "invoke",
      region: "us-east-1",
    });
    expect(byId.get(taskScheduled.previousEventId!)?.stateEnteredEventDetails?.name).toBe("Invoke");
    const entered = events.find((e) => e.type === "TaskStateEntered")!;
    expect(JSON.parse(entered.stateEnteredEventDetails!.input!)).toMatchObject({ tenant: "acme" });
    expect(events.find((e) => e.type === "ExecutionSucceeded")!.executionSucceededEventDetails!.output).toBe(
      done.output,
    );
  });

  it("retries a failing Task by error name and passes $$.State.RetryCount", async () => {
    const key = `flaky-${uid()}`;
    const flaky = lambdaTask("fixture-flaky", {
      Parameters: { "key.$": "$.key", failTimes: 2, "retry.$": "$$.State.RetryCount" },
      Retry: [{ ErrorEquals: ["TransientError"], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3 }],
      End: true,
    });
    const arn = await createMachine("retry", flow({ Flaky: flaky }));
    const executionArn = await start(arn, { key });
    const done = await waitFor(executionArn);
    expect(done.status).toBe("SUCCEEDED");
    expect(JSON.parse(done.output!)).toEqual({ key, attempts: 3 });

    const events = await history(executionArn);
    expect(types(events).filter((t) => t.startsWith("LambdaFunction"))).toEqual([
      "LambdaFunctionScheduled",
      "LambdaFunctionStarted",
      "LambdaFunctionFailed",
      "LambdaFunctionScheduled",
      "LambdaFunctionStarted",
      "LambdaFunctionFailed",
      "LambdaFunctionScheduled",
      "LambdaFunctionStarted",
      "LambdaFunctionSucceeded",
    ]);
    const failed = events.find((e) => e.type === "LambdaFunctionFailed")!.lambdaFunctionFailedEventDetails!;
    expect(failed.error).toBe("TransientError");
    expect(JSON.parse(failed.cause!)).toMatchObject({
      errorType: "TransientError",
      errorMessage: expect.stringContaining(key),
    });
    const retries = events
      .filter((e) => e.type === "LambdaFunctionScheduled")
      .map((e) => JSON.parse(e.lambdaFunctionScheduledEventDetails!.input!).retry);
    expect(retries).toEqual([0, 1, 2]);
  });

  it("catches a Task error by name with AWS's {Error, Cause}, and fails the execution when uncaught", async () => {
    const fail = invokeTask(
      "fixture-fail",
      { "errorName.$": "$.errorName", message: "nope" },
      { Catch: [{ ErrorEquals: ["PermanentError"], ResultPath: "$.failure", Next: "Handled" }], End: true },
    );
    const arn = await createMachine("catch", flow({ Fail: fail, Handled: { Type: "Pass", End: true } }));
    const caught = await waitFor(await start(arn, { errorName: "PermanentError" }));
    expect(caught.status).toBe("SUCCEEDED");
    const failure = JSON.parse(caught.output!).failure;
    expect(failure.Error).toBe("PermanentError");
    expect(JSON.parse(failure.Cause)).toMatchObject({ errorType: "PermanentError", errorMessage: "nope" });

    const uncaughtArn = await start(arn, { errorName: "OtherError" });
    const uncaught = await waitFor(uncaughtArn);
    expect(uncaught).toMatchObject({ status: "FAILED", error: "OtherError", redriveStatus: "REDRIVABLE" });
    expect(JSON.parse(uncaught.cause!)).toMatchObject({ errorType: "OtherError", errorMessage: "nope" });
    const events = await history(uncaughtArn);
    const last = events.at(-1)!;
    expect(last.type).toBe("ExecutionFailed");
    expect(last.executionFailedEventDetails).toMatchObject({ error: "OtherError" });
    // The failure chains back to the state that failed, as the failure recorder reads it.
    const taskFailed = events.find((e) => e.id === last.previousEventId)!;
    expect(taskFailed.type).toBe("TaskFailed");
    expect(taskFailed.taskFailedEventDetails).toMatchObject({
      resourceType: "lambda",
      resource: "invoke",
      error: "OtherError",
    });
  });

  it("rejects bad definitions, names, ARNs and inputs with AWS's exceptions", async () => {
    const onePass = { StartAt: "A", States: { A: { Type: "Pass", End: true } } };
    expect(await errorName(createMachine("bad", { ...onePass, StartAt: "Missing" }))).toBe(
      "InvalidDefinition",
    );
    expect(await errorName(createMachine("jsonata", { QueryLanguage: "JSONata", ...onePass }))).toBe(
      "InvalidDefinition",
    );
    const arn = await createMachine("names", onePass);
    expect(await errorName(start(arn, {}, "has space"))).toBe("InvalidName");
    const notJson = sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: "{not json" }));
    expect(await errorName(notJson)).toBe("InvalidExecutionInput");
    expect(await errorName(start(`${arn}-missing`, {}))).toBe("StateMachineDoesNotExist");
    expect(await errorName(start("arn:aws:states:us-east-1:000000000000:activity:x", {}))).toBe("InvalidArn");
    const missingExecution = `${arn.replace(":stateMachine:", ":execution:")}:nope`;
    expect(await errorName(sfn.send(new DescribeExecutionCommand({ executionArn: missingExecution })))).toBe(
      "ExecutionDoesNotExist",
    );
  });

  it("makes StartExecution idempotent for the same name and input while running, as AWS does", async () => {
    const queueUrl = (await createQueue(sqs, `sfn-idem-${uid()}`)).url;
    const arn = await createMachine("idem", flow({ Wait: sqsTokenTask(queueUrl, { End: true }) }));
    const name = `idem-${uid()}`;
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name, input: '{"a":1}' }));
    const again = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, name, input: '{ "a": 1 }' }),
    );
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate?.getTime()).toBe(first.startDate?.getTime());
    const conflict = sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name, input: '{"a":2}' }));
    expect(await errorName(conflict)).toBe("ExecutionAlreadyExists");

    const token = await tokenOf(first.executionArn!, (p) => JSON.parse(JSON.stringify(p.MessageBody)).token);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"ok":true}' }));
    expect((await waitFor(first.executionArn!)).status).toBe("SUCCEEDED");
    // Once closed, the name is taken whatever the input (AWS keeps names for 90 days).
    const closed = sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name, input: '{"a":1}' }));
    expect(await errorName(closed)).toBe("ExecutionAlreadyExists");
    const list = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }));
    expect(list.executions).toHaveLength(1);
  });

  it("lists executions newest first, filtered by status, page by page", async () => {
    const arn = await createMachine("list", SUCCEED_OR_FAIL);
    const started: string[] = [];
    for (const fail of [false, true, false, true, false]) {
      const executionArn = await start(arn, { fail });
      started.push(executionArn);
      await waitFor(executionArn);
    }
    const failed = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: "FAILED" }),
    );
    expect(failed.executions!.map((e) => e.executionArn)).toEqual([started[3], started[1]]);
    expect(failed.executions!.every((e) => e.status === "FAILED" && e.stopDate instanceof Date)).toBe(true);

    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 2, nextToken }),
      );
      expect(page.executions!.length).toBeLessThanOrEqual(2);
      seen.push(...page.executions!.map((e) => e.executionArn!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen).toEqual([...started].reverse());

    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started[1] }));
    expect(described).toMatchObject({ status: "FAILED", error: "Asked", cause: "asked to fail" });
  });

  it("pages history forwards and backwards and can leave out execution data", async () => {
    const pass = (rest: object) => ({ Type: "Pass", ...rest });
    const arn = await createMachine(
      "hist",
      flow({ A: pass({ Next: "B" }), B: pass({ Next: "C" }), C: pass({ End: true }) }),
    );
    const executionArn = await start(arn, { secret: "s3cr3t" });
    await waitFor(executionArn);
    const all = await history(executionArn);
    expect(types(all)).toEqual([
      "ExecutionStarted",
      "PassStateEntered",
      "PassStateExited",
      "PassStateEntered",
      "PassStateExited",
      "PassStateEntered",
      "PassStateExited",
      "ExecutionSucceeded",
    ]);
    const reversed: number[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 3, nextToken }),
      );
      reversed.push(...page.events!.map((e) => e.id!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(reversed).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    const lean = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }),
    );
    expect(JSON.stringify(lean.events)).not.toContain("s3cr3t");
    expect(lean.events![1]!.stateEnteredEventDetails).toEqual({ name: "A" });
  });

  it("runs Map iterations with $$.Map.Item and records them", async () => {
    const each = {
      Type: "Map",
      ItemsPath: "$.items",
      ItemSelector: { "value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index" },
      ItemProcessor: flow({ EchoItem: lambdaTask("fixture-echo", { End: true }) }),
      ResultPath: "$.results",
      End: true,
    };
    const arn = await createMachine("map", flow({ Each: each }));
    const executionArn = await start(arn, { items: ["a", "b", "c"] });
    const done = await waitFor(executionArn);
    expect(done.status).toBe("SUCCEEDED");
    expect(JSON.parse(done.output!).results).toEqual([
      { value: "a", index: 0 },
      { value: "b", index: 1 },
      { value: "c", index: 2 },
    ]);
    const events = await history(executionArn);
    expect(events.find((e) => e.type === "MapStateStarted")!.mapStateStartedEventDetails).toEqual({
      length: 3,
    });
    const iterations = events.filter((e) => e.type === "MapIterationSucceeded");
    expect(iterations.map((e) => e.mapIterationSucceededEventDetails!.index).sort()).toEqual([0, 1, 2]);
    expect(types(events).filter((t) => t === "LambdaFunctionSucceeded")).toHaveLength(3);
    expect(types(events).slice(-3)).toEqual(["MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]);
  });

  it("times the execution out after the machine's TimeoutSeconds (TIMED_OUT, redrivable)", async () => {
    const sleep = lambdaTask("fixture-sleep", { Parameters: { "ms.$": "$.ms" }, End: true });
    const arn = await createMachine("exec-timeout", flow({ Sleep: sleep }, { TimeoutSeconds: 1 }));
    const executionArn = await start(arn, { ms: 3000 });
    const done = await waitFor(executionArn);
    expect(done).toMatchObject({ status: "TIMED_OUT", error: "States.Timeout", redriveStatus: "REDRIVABLE" });
    expect((await history(executionArn)).at(-1)!.type).toBe("ExecutionTimedOut");
  });

  it("updates, lists and deletes state machines; executions keep the definition they started with", async () => {
    const v1 = { Type: "Pass", Result: "v1", End: true };
    const arn = await createMachine("manage", flow({ A: v1 }));
    const queueUrl = (await createQueue(sqs, `sfn-manage-${uid()}`)).url;
    const waitingDefinition = flow({ Wait: sqsTokenTask(queueUrl, { Next: "A" }), A: v1 });
    await sfn.send(
      new UpdateStateMachineCommand({ stateMachineArn: arn, definition: JSON.stringify(waitingDefinition) }),
    );
    const running = await start(arn, {});
    const token = await tokenOf(running, (p) => p.MessageBody.token);
    const updated = await sfn.send(
      new UpdateStateMachineCommand({
        stateMachineArn: arn,
        definition: JSON.stringify(flow({ A: { Type: "Pass", Result: "v2", End: true } })),
      }),
    );
    expect(updated.updateDate).toBeInstanceOf(Date);
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
    expect(JSON.parse(described.definition!).States.A.Result).toBe("v2");
    expect(described).toMatchObject({ status: "ACTIVE", type: "STANDARD", roleArn: ROLE });
    const forExecution = await sfn.send(
      new DescribeStateMachineForExecutionCommand({ executionArn: running }),
    );
    expect(JSON.parse(forExecution.definition!)).toEqual(waitingDefinition);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" }));
    expect(JSON.parse((await waitFor(running)).output!)).toBe("v1");
    expect(JSON.parse((await waitFor(await start(arn, {}))).output!)).toBe("v2");

    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new ListStateMachinesCommand({ maxResults: 5, nextToken }));
      names.push(...page.stateMachines!.map((m) => m.name!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(names).toContain(arn.split(":").at(-1));

    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: arn }));
    const gone = sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
    expect(await errorName(gone)).toBe("StateMachineDoesNotExist");
    expect(await errorName(start(arn, {}))).toBe("StateMachineDoesNotExist");
    // Its executions' histories stay readable.
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: running }))).status).toBe(
      "SUCCEEDED",
    );
  });

  it("emits Step Functions Execution Status Change events to the default bus", async () => {
    const arn = await createMachine("status-events", SUCCEED_OR_FAIL);
    const queueUrl = await ruleToNewQueue({
      source: ["aws.states"],
      "detail-type": ["Step Functions Execution Status Change"],
      detail: { stateMachineArn: [arn] },
    });
    const ok = await start(arn, { fail: false });
    const failed = await start(arn, { fail: true });
    const seen = await receiveUntil(queueUrl, (bodies) => bodies.length >= 4);
    const of = (executionArn: string) => seen.filter((e) => e.detail.executionArn === executionArn);
    // Delivery order is not guaranteed (nor is it on AWS): compare as sets.
    const statuses = (executionArn: string) =>
      of(executionArn)
        .map((e) => e.detail.status)
        .sort();
    expect(statuses(ok)).toEqual(["RUNNING", "SUCCEEDED"]);
    expect(statuses(failed)).toEqual(["FAILED", "RUNNING"]);
    const succeeded = of(ok).find((e) => e.detail.status === "SUCCEEDED");
    expect(succeeded).toMatchObject({ source: "aws.states", resources: [ok] });
    expect(succeeded.detail).toMatchObject({
      executionArn: ok,
      stateMachineArn: arn,
      name: ok.split(":").at(-1),
      input: '{"fail":false}',
      output: '{"fail":false}',
      redriveCount: 0,
      startDate: expect.any(Number),
      stopDate: expect.any(Number),
    });
    expect(of(failed).find((e) => e.detail.status === "FAILED").detail).toMatchObject({
      error: "Asked",
      cause: "asked to fail",
      output: null,
    });
  });

  describe("callbacks (.waitForTaskToken)", () => {
    let queueUrl: string;
    beforeAll(async () => {
      queueUrl = (await createQueue(sqs, `sfn-callbacks-${uid()}`)).url;
    });

    it("hands a token out through SQS and resumes on SendTaskSuccess", async () => {
      const ask = sqsTokenTask(queueUrl, { ResultPath: "$.answer", End: true }, { "tenant.$": "$.tenant" });
      const arn = await createMachine("sqs-token", flow({ Ask: ask }));
      const tenant = `t-${uid()}`;
      const executionArn = await start(arn, { tenant });
      // AWS sends a JSON MessageBody as a string.
      const bodies = await receiveUntil(queueUrl, (got) => got.some((b) => b.tenant === tenant));
      const body: { tenant: string; token: string } | undefined = bodies.find((b) => b.tenant === tenant);
      expect(body?.token.length).toBeGreaterThan(100);
      expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe("RUNNING");

      await sfn.send(
        new SendTaskSuccessCommand({ taskToken: body!.token, output: JSON.stringify({ approved: true }) }),
      );
      const done = await waitFor(executionArn);
      expect(done.status).toBe("SUCCEEDED");
      expect(JSON.parse(done.output!)).toEqual({ tenant, answer: { approved: true } });
      const events = await history(executionArn);
      expect(types(events).filter((t) => t.startsWith("Task") && !t.includes("State"))).toEqual([
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
      ]);
      const submitted = events.find((e) => e.type === "TaskSubmitted")!.taskSubmittedEventDetails!;
      expect(submitted).toMatchObject({ resourceType: "sqs", resource: "sendMessage.waitForTaskToken" });
      expect(JSON.parse(submitted.output!).MessageId).toEqual(expect.any(String));
      // The task is over: a second answer is too late, as on AWS.
      const late = sfn.send(new SendTaskSuccessCommand({ taskToken: body!.token, output: "{}" }));
      expect(await errorName(late)).toBe("TaskTimedOut");
    });

    it("fails the state with the error and cause given to SendTaskFailure", async () => {
      const arn = await createMachine("lambda-token", flow({ RunPipeline: echoTokenTask({ End: true }) }));
      const { executionArn, token } = await startWaiting(arn, {});
      const submitted = await waitForEvent(executionArn, "TaskSubmitted");
      expect(JSON.parse(submitted.taskSubmittedEventDetails!.output!)).toMatchObject({
        StatusCode: 200,
        Payload: { taskToken: token },
      });
      await sfn.send(
        new SendTaskFailureCommand({
          taskToken: token,
          error: "PipelineFailed",
          cause: "deploy step 3 failed",
        }),
      );
      const done = await waitFor(executionArn);
      expect(done).toMatchObject({
        status: "FAILED",
        error: "PipelineFailed",
        cause: "deploy step 3 failed",
      });
      const failed = (await history(executionArn)).find((e) => e.type === "TaskFailed")!;
      expect(failed.taskFailedEventDetails).toMatchObject({
        resourceType: "lambda",
        resource: "invoke.waitForTaskToken",
        error: "PipelineFailed",
        cause: "deploy step 3 failed",
      });
    });

    it("keeps a task alive with heartbeats and times it out without them", async () => {
      const wait = echoTokenTask({
        HeartbeatSeconds: 1,
        Catch: [{ ErrorEquals: ["States.HeartbeatTimeout"], ResultPath: "$.timedOut", Next: "GaveUp" }],
        End: true,
      });
      const arn = await createMachine("heartbeat", flow({ Wait: wait, GaveUp: { Type: "Pass", End: true } }));
      const { executionArn: alive, token } = await startWaiting(arn, {});
      for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
      }
      await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '"done"' }));
      const aliveDone = await waitFor(alive);
      expect(aliveDone.status).toBe("SUCCEEDED");
      expect(JSON.parse(aliveDone.output!)).toBe("done");

      const silent = await start(arn, {});
      const silentDone = await waitFor(silent);
      expect(silentDone.status).toBe("SUCCEEDED");
      expect(JSON.parse(silentDone.output!).timedOut).toMatchObject({ Error: "States.HeartbeatTimeout" });
      const timedOut = (await history(silent)).find((e) => e.type === "TaskTimedOut")!;
      expect(timedOut.taskTimedOutEventDetails).toMatchObject({
        error: "States.HeartbeatTimeout",
        resource: "invoke.waitForTaskToken",
      });
      const silentToken = lastScheduledParameters(await history(silent)).Payload.taskToken;
      expect(await errorName(sfn.send(new SendTaskHeartbeatCommand({ taskToken: silentToken })))).toBe(
        "TaskTimedOut",
      );
    });

    it("times a task out after TimeoutSeconds with States.Timeout, which States.TaskFailed does not catch", async () => {
      const catchers = [
        { ErrorEquals: ["States.TaskFailed"], Next: "Wrong" },
        { ErrorEquals: ["States.Timeout"], ResultPath: "$.error", Next: "TimedOut" },
      ];
      const arn = await createMachine(
        "timeout",
        flow({
          Wait: echoTokenTask({ TimeoutSeconds: 1, Catch: catchers, End: true }),
          Wrong: { Type: "Fail", Error: "CaughtByTaskFailed" },
          TimedOut: { Type: "Pass", End: true },
        }),
      );
      const executionArn = await start(arn, {});
      const done = await waitFor(executionArn);
      expect(done.status).toBe("SUCCEEDED");
      expect(JSON.parse(done.output!).error).toMatchObject({ Error: "States.Timeout" });
      const timedOut = (await history(executionArn)).find((e) => e.type === "TaskTimedOut")!;
      expect(timedOut.taskTimedOutEventDetails).toMatchObject({ error: "States.Timeout" });
    });

    it("hands a token out through EventBridge PutEvents, with Detail sent as JSON", async () => {
      const source = `embark.test.${uid()}`;
      const queueUrl = await ruleToNewQueue({ source: [source] });
      const approval = {
        Source: source,
        DetailType: "Approval Requested",
        Detail: { "tenant.$": "$.tenant", "token.$": "$$.Task.Token" },
      };
      const ask = {
        Type: "Task",
        Resource: "arn:aws:states:::events:putEvents.waitForTaskToken",
        Parameters: { Entries: [approval] },
        End: true,
      };
      const arn = await createMachine("events-token", flow({ Ask: ask }));
      const executionArn = await start(arn, { tenant: "acme" });
      const [event] = await receiveUntil(queueUrl, (bodies) => bodies.length > 0);
      expect(event).toMatchObject({
        source,
        "detail-type": "Approval Requested",
        detail: { tenant: "acme" },
      });
      await sfn.send(
        new SendTaskSuccessCommand({ taskToken: event.detail.token, output: '{"approved":true}' }),
      );
      const done = await waitFor(executionArn);
      expect(done.status).toBe("SUCCEEDED");
      expect(JSON.parse(done.output!)).toEqual({ approved: true });
      const submitted = (await history(executionArn)).find((e) => e.type === "TaskSubmitted")!;
      expect(submitted.taskSubmittedEventDetails).toMatchObject({
        resourceType: "events",
        resource: "putEvents.waitForTaskToken",
      });
      expect(JSON.parse(submitted.taskSubmittedEventDetails!.output!)).toMatchObject({
        FailedEntryCount: 0,
        Entries: [{ EventId: expect.any(String) }],
      });
    });

    it("answers InvalidToken for a token it never issued", async () => {
      const unknown = sfn.send(new SendTaskSuccessCommand({ taskToken: `AQ${uid()}${uid()}`, output: "{}" }));
      expect(await errorName(unknown)).toBe("InvalidToken");
      const invalidOutput = sfn.send(new SendTaskSuccessCommand({ taskToken: "x", output: "{nope" }));
      expect(await errorName(invalidOutput)).toBe("InvalidOutput");
    });
  });

  it("stops a running execution: ABORTED with the given error and cause, its token then timed out", async () => {
    const arn = await createMachine("stop", flow({ Wait: echoTokenTask({ End: true }) }));
    const { executionArn, token } = await startWaiting(arn, {});
    const stopped = await sfn.send(
      new StopExecutionCommand({ executionArn, error: "Operator", cause: "tenant withdrew" }),
    );
    expect(stopped.stopDate).toBeInstanceOf(Date);
    const done = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(done).toMatchObject({
      status: "ABORTED",
      error: "Operator",
      cause: "tenant withdrew",
      redriveStatus: "REDRIVABLE",
    });
    const last = (await history(executionArn)).at(-1)!;
    expect(last.type).toBe("ExecutionAborted");
    expect(last.executionAbortedEventDetails).toEqual({ error: "Operator", cause: "tenant withdrew" });
    expect(await errorName(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" })))).toBe(
      "TaskTimedOut",
    );
  });

  describe("redrive", () => {
    it("resumes at the failed state without re-running the states that succeeded", async () => {
      const first = `first-${uid()}`;
      const second = `second-${uid()}`;
      const arn = await createMachine(
        "redrive",
        flow({
          First: lambdaTask("fixture-flaky", {
            Parameters: { key: first, failTimes: 0 },
            ResultPath: "$.first",
            Next: "Second",
          }),
          Second: invokeTask(
            "fixture-flaky",
            { key: second, failTimes: 1, "redrives.$": "$$.Execution.RedriveCount" },
            { ResultSelector: { "attempts.$": "$.Payload.attempts" }, ResultPath: "$.second", Next: "Done" },
          ),
          Done: { Type: "Succeed" },
        }),
      );
      const executionArn = await start(arn, { tenant: "acme" });
      const failed = await waitFor(executionArn);
      expect(failed).toMatchObject({
        status: "FAILED",
        error: "TransientError",
        redriveCount: 0,
        redriveStatus: "REDRIVABLE",
      });

      const redriven = await sfn.send(new RedriveExecutionCommand({ executionArn }));
      expect(redriven.redriveDate).toBeInstanceOf(Date);
      const done = await waitFor(executionArn);
      expect(done.status).toBe("SUCCEEDED");
      expect(done.redriveCount).toBe(1);
      expect(done.redriveDate).toBeInstanceOf(Date);
      // First ran once (attempts 1 from the original run); Second failed once, then succeeded on the redrive.
      expect(JSON.parse(done.output!)).toEqual({
        tenant: "acme",
        first: { key: first, attempts: 1 },
        second: { attempts: 2 },
      });

      const events = await history(executionArn);
      const redriveAt = events.findIndex((e) => e.type === "ExecutionRedriven");
      expect(events[redriveAt]!.executionRedrivenEventDetails).toEqual({ redriveCount: 1 });
      const after = events.slice(redriveAt + 1);
      expect(after.some((e) => e.stateEnteredEventDetails?.name === "First")).toBe(false);
      expect(after[0]!.stateEnteredEventDetails?.name).toBe("Second");
      expect(JSON.parse(after[0]!.stateEnteredEventDetails!.input!)).toEqual({
        tenant: "acme",
        first: { key: first, attempts: 1 },
      });
      expect(types(events).filter((t) => t === "LambdaFunctionScheduled")).toHaveLength(1);
      expect(lastScheduledParameters(events).Payload.redrives).toBe(1);

      const again = sfn.send(new RedriveExecutionCommand({ executionArn }));
      expect(await errorName(again)).toBe("ExecutionNotRedrivable");
    });

    it("re-runs a failed Parallel state as a whole", async () => {
      const key = `branch-${uid()}`;
      const steady = flow({ Steady: lambdaTask("fixture-echo", { End: true }) });
      const shaky = flow({
        Shaky: lambdaTask("fixture-flaky", { Parameters: { key, failTimes: 1 }, End: true }),
      });
      const arn = await createMachine(
        "redrive-par",
        flow({ Both: { Type: "Parallel", Branches: [steady, shaky], End: true } }),
      );
      const executionArn = await start(arn, { n: 1 });
      expect(await waitFor(executionArn)).toMatchObject({ status: "FAILED", error: "TransientError" });
      await sfn.send(new RedriveExecutionCommand({ executionArn }));
      const done = await waitFor(executionArn);
      expect(done.status).toBe("SUCCEEDED");
      expect(JSON.parse(done.output!)).toEqual([{ n: 1 }, { key, attempts: 2 }]);
      expect(types(await history(executionArn))).toContain("ParallelStateFailed");
    });

    it("refuses running executions", async () => {
      const arn = await createMachine(
        "redrive-running",
        flow({ Sleep: lambdaTask("fixture-sleep", { End: true }) }),
      );
      const executionArn = await start(arn, { ms: 300 });
      const running = sfn.send(new RedriveExecutionCommand({ executionArn }));
      expect(await errorName(running)).toBe("ExecutionNotRedrivable");
      expect((await waitFor(executionArn)).status).toBe("SUCCEEDED");
    });
  });

  describe("persistence", () => {
    let own: Harness;
    beforeAll(async () => {
      own = await startHarness();
    });
    afterAll(async () => {
      await own?.close();
    });

    it("registers state machines idempotently (same name: same ARN, new definition)", async () => {
      const name = `registered-${uid()}`;
      const v1 = { StartAt: "A", States: { A: { Type: "Pass", Result: 1, End: true } } };
      const arn = await own.service.registerStateMachine({ name, definition: v1 });
      const again = await own.service.registerStateMachine({
        name,
        definition: JSON.stringify({ StartAt: "A", States: { A: { Type: "Pass", Result: 2, End: true } } }),
      });
      expect(again).toBe(arn);
      expect(arn).toBe(`arn:aws:states:us-east-1:000000000000:stateMachine:${name}`);
      const described = await own.client.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
      expect(JSON.parse(described.definition!).States.A.Result).toBe(2);
      await expect(
        own.service.registerStateMachine({ name, definition: { StartAt: "Nope", States: {} } }),
      ).rejects.toMatchObject({ code: "InvalidDefinition" });
    });

    it("keeps machines and histories across a restart; a running execution resumes and keeps its token", async () => {
      const client = own.client;
      const states = {
        Echo: lambdaTask("fixture-echo", { ResultPath: "$.echo", Next: "Wait" }),
        Wait: echoTokenTask({ ResultPath: "$.answer", End: true }),
      };
      const arn = await createMachine("persist", flow(states), client);
      const { executionArn: finished, token: finishedToken } = await startWaiting(arn, { n: 0 }, client);
      await client.send(new SendTaskSuccessCommand({ taskToken: finishedToken, output: "{}" }));
      await waitFor(finished, client);
      const finishedHistory = await history(finished, client);
      const { executionArn: waiting, token: oldToken } = await startWaiting(arn, { n: 1 }, client);
      const before = await history(waiting, client);
      const { executionArn: stopped } = await startWaiting(arn, { n: 2 }, client);
      await client.send(new StopExecutionCommand({ executionArn: stopped, cause: "by the test" }));

      await own.restart();

      expect((await client.send(new DescribeStateMachineCommand({ stateMachineArn: arn }))).name).toBe(
        arn.split(":").at(-1),
      );
      expect(await history(finished, client)).toEqual(finishedHistory);
      expect((await client.send(new DescribeExecutionCommand({ executionArn: finished }))).status).toBe(
        "SUCCEEDED",
      );
      // Stopped stays stopped.
      expect(await client.send(new DescribeExecutionCommand({ executionArn: stopped }))).toMatchObject({
        status: "ABORTED",
        cause: "by the test",
      });
      // Resumed, not aborted: the history goes on with nothing written twice, and the old token still works.
      expect((await client.send(new DescribeExecutionCommand({ executionArn: waiting }))).status).toBe(
        "RUNNING",
      );
      await client.send(new SendTaskSuccessCommand({ taskToken: oldToken, output: '{"ok":true}' }));
      const done = await waitFor(waiting, client);
      expect(done).toMatchObject({ status: "SUCCEEDED", redriveCount: 0 });
      expect(JSON.parse(done.output!)).toEqual({ n: 1, echo: { n: 1 }, answer: { ok: true } });
      const after = await history(waiting, client);
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after.slice(before.length).map((e) => e.type)).toEqual([
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
      ]);
      const late = client.send(new SendTaskSuccessCommand({ taskToken: oldToken, output: "{}" }));
      expect(await errorName(late)).toBe("TaskTimedOut");
    });

    it("after a restart holds finished executions as summaries and reads them from disk: describe, history pages, start, redrive, late callbacks", async () => {
      const client = own.client;
      const passes = flow({
        A: { Type: "Pass", Next: "B" },
        B: { Type: "Pass", Next: "C" },
        C: { Type: "Pass", End: true },
      });
      const okMachine = await createMachine("disk-ok", passes, client);
      const okName = `ok-${uid()}`;
      const ok = await start(okMachine, { a: 1 }, okName, client);
      const okDescribed = await waitFor(ok, client);
      const okHistory = await history(ok, client);

      const key = `disk-${uid()}`;
      const flaky = await createMachine(
        "disk-flaky",
        flow({ Shaky: lambdaTask("fixture-flaky", { Parameters: { key, failTimes: 1 }, End: true }) }),
        client,
      );
      const failed = await start(flaky, {}, undefined, client);
      expect(await waitFor(failed, client)).toMatchObject({ status: "FAILED", redriveStatus: "REDRIVABLE" });

      const waitingMachine = await createMachine(
        "disk-wait",
        flow({ Wait: echoTokenTask({ End: true }) }),
        client,
      );
      const done = await startWaiting(waitingMachine, {}, client);
      await client.send(new SendTaskSuccessCommand({ taskToken: done.token, output: "{}" }));
      await waitFor(done.executionArn, client);
      const running = await startWaiting(waitingMachine, { still: true }, client);

      // Once their status-change events are sent, finished executions leave memory (polled: sent asynchronously).
      const finishedArns = [ok, failed, done.executionArn];
      await until(() => !own.service.residency().whole.some((arn) => finishedArns.includes(arn)));
      await own.restart();

      const { whole, summaries } = own.service.residency();
      expect(whole).toEqual([running.executionArn]);
      expect(summaries).toBeGreaterThanOrEqual(finishedArns.length);

      // Described and its history paged from its file.
      expect(await client.send(new DescribeExecutionCommand({ executionArn: ok }))).toMatchObject({
        status: "SUCCEEDED",
        name: okName,
        input: okDescribed.input,
        output: okDescribed.output,
        startDate: okDescribed.startDate,
        stopDate: okDescribed.stopDate,
      });
      const pages: HistoryEvent[] = [];
      let nextToken: string | undefined;
      do {
        const out = await client.send(
          new GetExecutionHistoryCommand({ executionArn: ok, maxResults: 3, nextToken }),
        );
        pages.push(...out.events!);
        nextToken = out.nextToken;
      } while (nextToken);
      expect(pages).toEqual(okHistory);
      const reversed = await client.send(
        new GetExecutionHistoryCommand({ executionArn: ok, maxResults: 2, reverseOrder: true }),
      );
      expect(reversed.events!.map((e) => e.id)).toEqual([okHistory.at(-1)!.id, okHistory.at(-2)!.id]);
      const forExecution = await client.send(
        new DescribeStateMachineForExecutionCommand({ executionArn: ok }),
      );
      expect(JSON.parse(forExecution.definition!)).toEqual(passes);
      const listed = await client.send(new ListExecutionsCommand({ stateMachineArn: okMachine }));
      expect(listed.executions!.map((e) => [e.executionArn, e.status])).toEqual([[ok, "SUCCEEDED"]]);
      expect(own.service.residency().whole).toEqual([running.executionArn]);

      // Its name stays taken, whatever the input (AWS: idempotent only while RUNNING).
      for (const input of ['{"a":1}', '{"a":2}']) {
        const again = client.send(
          new StartExecutionCommand({ stateMachineArn: okMachine, name: okName, input }),
        );
        expect(await errorName(again)).toBe("ExecutionAlreadyExists");
      }
      // The running one still answers StartExecution idempotently.
      const same = await client.send(
        new StartExecutionCommand({
          stateMachineArn: waitingMachine,
          name: running.executionArn.split(":").at(-1),
          input: '{"still":true}',
        }),
      );
      expect(same.executionArn).toBe(running.executionArn);

      // A callback for a task of a finished execution: TaskTimedOut (read from its file), not InvalidToken.
      const late = client.send(new SendTaskSuccessCommand({ taskToken: done.token, output: "{}" }));
      expect(await errorName(late)).toBe("TaskTimedOut");
      const stop = await client.send(new StopExecutionCommand({ executionArn: ok }));
      expect(stop.stopDate).toEqual(okDescribed.stopDate);

      // A FAILED execution loaded from disk is redriven: whole again while it runs, and it succeeds.
      await client.send(new RedriveExecutionCommand({ executionArn: failed }));
      expect(own.service.residency().whole).toContain(failed);
      expect(await waitFor(failed, client)).toMatchObject({ status: "SUCCEEDED", redriveCount: 1 });
      expect(types(await history(failed, client))).toContain("ExecutionRedriven");

      await client.send(new SendTaskSuccessCommand({ taskToken: running.token, output: "{}" }));
      expect((await waitFor(running.executionArn, client)).status).toBe("SUCCEEDED");
    });
  });
});
