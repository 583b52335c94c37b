// Lambda and Step Functions targets, retries and dead-lettering of the local EventBridge. These need a function
// registry and a Step Functions endpoint the test controls, so this suite starts its own small cloud in the
// test process: the edge, the SQS emulator, the EventBridge service and a recording stand-in for Step Functions.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type Target,
} from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, type Message, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localClientConfig } from "../../../local/aws/client-config.js";
import { AwsError } from "../../../local/aws/errors.js";
import type { JsonService } from "../../../local/aws/json-service.js";
import { type Edge, startEdge } from "../../../local/edge/server.js";
import { startSqs } from "../../../local/emulators/sqs.js";
import { createEventBridgeService, type EventBridgeService } from "../../../local/eventbridge/service.js";
import { FunctionRegistry, functionArn } from "../../../local/lambda/registry.js";
import type { LocalSqs } from "../../../local/sqs/service.js";

const QUEUE_ARN = "arn:aws:sqs:us-east-1:000000000000:";
const MACHINE = "arn:aws:states:us-east-1:000000000000:stateMachine:";

let stateDir: string;
let edge: Edge;
let sqsEmulator: LocalSqs;
let service: EventBridgeService;
let events: EventBridgeClient;
let sqs: SQSClient;
const functions = new FunctionRegistry();
const invocations = new Map<string, unknown[]>();
/** StartExecution calls the stand-in received, by state machine ARN; `throttle` makes the next N fail. */
const executions = new Map<string, string[]>();
const attempts = new Map<string, number>();
const throttle = new Map<string, number>();

const statesStandIn: JsonService = {
  signingName: "states",
  targetPrefix: "AWSStepFunctions",
  async handle(operation, input) {
    if (operation !== "StartExecution") throw new AwsError("UnknownOperationException", operation);
    const arn = String(input.stateMachineArn);
    attempts.set(arn, (attempts.get(arn) ?? 0) + 1);
    const left = throttle.get(arn) ?? 0;
    if (left > 0) {
      throttle.set(arn, left - 1);
      throw new AwsError("ThrottlingException", "Rate exceeded");
    }
    executions.set(arn, [...(executions.get(arn) ?? []), String(input.input)]);
    return {
      executionArn: `${arn.replace(":stateMachine:", ":execution:")}:x`,
      startDate: Date.now() / 1000,
    };
  },
};

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "eb-targets-"));
  edge = await startEdge({ port: 0 });
  sqsEmulator = await startSqs(join(stateDir, "sqs"), edge.url);
  edge.addHttpService(sqsEmulator);
  edge.addJsonService(statesStandIn);
  service = await createEventBridgeService({
    stateDir,
    edgeUrl: edge.url,
    region: "us-east-1",
    accountId: "000000000000",
    functions,
  });
  edge.addJsonService(service);
  events = new EventBridgeClient(localClientConfig(edge.url));
  sqs = new SQSClient(localClientConfig(edge.url));
  for (const name of ["recorder", "failing"]) {
    functions.register({
      name,
      load: async () => async (event: unknown) => {
        invocations.set(name, [...(invocations.get(name) ?? []), event]);
        if (name === "failing") throw new Error("handler blew up");
        return { ok: true };
      },
    });
  }
});

afterAll(async () => {
  events?.destroy();
  sqs?.destroy();
  await service?.stop();
  await sqsEmulator?.stop();
  await edge?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

async function rule(name: string, kind: string, targets: Target[]) {
  await events.send(
    new PutRuleCommand({ Name: name, EventPattern: JSON.stringify({ detail: { kind: [kind] } }) }),
  );
  await events.send(new PutTargetsCommand({ Rule: name, Targets: targets }));
}

async function put(kind: string, extra: Record<string, unknown> = {}): Promise<string> {
  const out = await events.send(
    new PutEventsCommand({
      Entries: [{ Source: "embark.test", DetailType: "Test", Detail: JSON.stringify({ kind, ...extra }) }],
    }),
  );
  expect(out.FailedEntryCount).toBe(0);
  return out.Entries![0]!.EventId!;
}

async function until<T>(read: () => T | undefined, deadlineMs = 10_000): Promise<T | undefined> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = read();
    if (value !== undefined || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function dlqMessages(name: string): Promise<Message[]> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const out = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"] }),
  );
  return out.Messages ?? [];
}

describe("Lambda targets", () => {
  it("invoke the function asynchronously with the event", async () => {
    await rule("to-lambda", "lambda", [{ Id: "fn", Arn: functionArn("recorder") }]);
    const id = await put("lambda", { n: 1 });
    const received = (await until(() => invocations.get("recorder")?.[0])) as Record<string, unknown>;
    expect(received).toMatchObject({
      id,
      source: "embark.test",
      "detail-type": "Test",
      detail: { kind: "lambda", n: 1 },
    });
  });

  it("pass a transformed JSON input as an object", async () => {
    await rule("to-lambda-transformed", "lambda-t", [
      {
        Id: "fn",
        Arn: functionArn("recorder"),
        InputTransformer: { InputPathsMap: { n: "$.detail.n" }, InputTemplate: '{"count": <n>}' },
      },
    ]);
    await put("lambda-t", { n: 7 });
    const received = await until(() =>
      invocations.get("recorder")?.find((e) => (e as { count?: number }).count === 7),
    );
    expect(received).toEqual({ count: 7 });
  });

  it("do not fail PutEvents when the handler throws", async () => {
    await rule("to-failing-lambda", "lambda-fail", [{ Id: "fn", Arn: functionArn("failing") }]);
    await put("lambda-fail");
    const received = await until(() => invocations.get("failing")?.[0]);
    expect(received).toMatchObject({ detail: { kind: "lambda-fail" } });
  });

  it("dead-letter events for a function that does not exist", async () => {
    await sqs.send(new CreateQueueCommand({ QueueName: "dlq-nofn" }));
    await rule("to-missing-lambda", "lambda-missing", [
      { Id: "fn", Arn: functionArn("missing"), DeadLetterConfig: { Arn: `${QUEUE_ARN}dlq-nofn` } },
    ]);
    const id = await put("lambda-missing");
    await service.idle();
    const [message] = await dlqMessages("dlq-nofn");
    expect(JSON.parse(message!.Body!).id).toBe(id);
    expect(message!.MessageAttributes?.ERROR_CODE?.StringValue).toBe("ResourceNotFoundException");
  });
});

describe("Step Functions targets", () => {
  it("start an execution with the event, or the transformed input, as input", async () => {
    await rule("to-machine", "sfn", [
      { Id: "whole", Arn: `${MACHINE}whole` },
      { Id: "picked", Arn: `${MACHINE}picked`, InputPath: "$.detail" },
    ]);
    const id = await put("sfn", { tenant: "acme" });
    await service.idle();
    expect(JSON.parse(executions.get(`${MACHINE}whole`)![0]!)).toMatchObject({
      id,
      detail: { tenant: "acme" },
    });
    expect(JSON.parse(executions.get(`${MACHINE}picked`)![0]!)).toEqual({ kind: "sfn", tenant: "acme" });
  });

  it("retry throttled deliveries and then succeed", async () => {
    throttle.set(`${MACHINE}flaky`, 2);
    await rule("to-flaky", "flaky", [
      { Id: "flaky", Arn: `${MACHINE}flaky`, RetryPolicy: { MaximumRetryAttempts: 3 } },
    ]);
    await put("flaky");
    await service.idle();
    expect(attempts.get(`${MACHINE}flaky`)).toBe(3);
    expect(executions.get(`${MACHINE}flaky`)).toHaveLength(1);
  });

  it("retry a target without a RetryPolicy as AWS does (185 retries, 24 h), not drop it after two", async () => {
    throttle.set(`${MACHINE}default-policy`, 4);
    await rule("to-default-policy", "default-policy", [{ Id: "dp", Arn: `${MACHINE}default-policy` }]);
    await put("default-policy");
    await service.idle();
    expect(attempts.get(`${MACHINE}default-policy`)).toBe(5);
    expect(executions.get(`${MACHINE}default-policy`)).toHaveLength(1);
  });

  it("dead-letter after the retry policy is exhausted", async () => {
    throttle.set(`${MACHINE}down`, 100);
    await sqs.send(new CreateQueueCommand({ QueueName: "dlq-down" }));
    await rule("to-down", "down", [
      {
        Id: "down",
        Arn: `${MACHINE}down`,
        RetryPolicy: { MaximumRetryAttempts: 1 },
        DeadLetterConfig: { Arn: `${QUEUE_ARN}dlq-down` },
      },
    ]);
    const id = await put("down");
    await service.idle();
    expect(attempts.get(`${MACHINE}down`)).toBe(2);
    const [message] = await dlqMessages("dlq-down");
    expect(JSON.parse(message!.Body!).id).toBe(id);
    const attrs = message!.MessageAttributes!;
    expect(attrs.ERROR_CODE?.StringValue).toBe("ThrottlingException");
    expect(attrs.EXHAUSTED_RETRY_CONDITION?.StringValue).toBe("MaximumRetryAttemptsExhausted");
    expect(attrs.RETRY_ATTEMPTS?.StringValue).toBe("1");
    expect(attrs.RULE_ARN?.StringValue).toBe("arn:aws:events:us-east-1:000000000000:rule/to-down");
  });
});

describe("boot-time wiring helpers", () => {
  it("putRule and putTargets take the API's shapes", async () => {
    const { RuleArn } = await service.putRule({
      Name: "wired",
      EventPattern: '{"detail":{"kind":["wired"]}}',
    });
    expect(RuleArn).toBe("arn:aws:events:us-east-1:000000000000:rule/wired");
    await service.putTargets({ Rule: "wired", Targets: [{ Id: "fn", Arn: functionArn("recorder") }] });
    await put("wired");
    const received = await until(() =>
      invocations
        .get("recorder")
        ?.find((e) => (e as { detail?: { kind?: string } }).detail?.kind === "wired"),
    );
    expect(received).toMatchObject({ detail: { kind: "wired" } });
  });
});
