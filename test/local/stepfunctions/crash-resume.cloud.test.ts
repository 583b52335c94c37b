// kill -9 in the middle of executions, then a restart on the same state: each execution resumes from its
// persisted history (local/stepfunctions/resume.ts), through the real @aws-sdk/client-sfn against a local cloud
// in a child process (test/support/cloud-process.ts). Invocations are counted from the fixture functions' own
// side-effects file, which outlives the kill.
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localClientConfig } from "../../../local/aws/client-config.js";
import { CloudProcess } from "../../support/cloud-process.js";

const ROLE = "arn:aws:iam::000000000000:role/embark-test-crash";
const fnArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
const WAIT_SECONDS = 6;

let cloud: CloudProcess;
let sfn: SFNClient;
const connect = () => {
  sfn?.destroy();
  sfn = new SFNClient({ ...localClientConfig(cloud.endpoints.edge), maxAttempts: 1 });
};

beforeAll(async () => {
  cloud = await CloudProcess.create({ program: "fixtures" });
  await cloud.start();
  connect();
}, 180_000);

afterAll(async () => {
  sfn?.destroy();
  await cloud?.dispose();
});

const step = (name: string, next: string | undefined, extra: object = {}) => ({
  Type: "Task",
  Resource: fnArn("crash-step"),
  Parameters: { step: name, "key.$": "$.key", ...extra },
  ResultPath: null,
  ...(next ? { Next: next } : { End: true }),
});

async function machine(name: string, definition: object): Promise<string> {
  const out = await sfn.send(
    new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE }),
  );
  return out.stateMachineArn!;
}

async function start(stateMachineArn: string, key: string): Promise<string> {
  const out = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ key }) }));
  return out.executionArn!;
}

async function history(executionArn: string): Promise<HistoryEvent[]> {
  return (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events!;
}

const until = <T>(what: string, check: () => Promise<T | undefined>, ms?: number) =>
  cloud.until(what, check, ms);

const finished = (executionArn: string) =>
  until(`${executionArn} to finish`, async () => {
    const out = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return out.status === "RUNNING" ? undefined : out;
  });

const entered = (events: HistoryEvent[], name: string) =>
  events.filter((e) => e.type?.endsWith("StateEntered") && e.stateEnteredEventDetails?.name === name);

describe("Step Functions after kill -9", () => {
  it("resumes Task, .waitForTaskToken and Wait states where they were", async () => {
    const tasks = await machine("crash-tasks", {
      StartAt: "One",
      States: {
        One: step("one", "Two"),
        Two: step("two", "Three"),
        Three: step("three", "Four", { ms: 4000 }),
        Four: step("four", undefined),
      },
    });
    const callback = await machine("crash-callback", {
      StartAt: "Callback",
      States: {
        Callback: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
          Parameters: {
            FunctionName: "crash-token",
            Payload: { "taskToken.$": "$$.Task.Token", "key.$": "$.key" },
          },
          HeartbeatSeconds: 120,
          TimeoutSeconds: 600,
          End: true,
        },
      },
    });
    const waiting = await machine("crash-wait", {
      StartAt: "Pause",
      States: {
        Pause: { Type: "Wait", Seconds: WAIT_SECONDS, Next: "After" },
        After: step("after", undefined),
      },
    });
    const a = await start(tasks, "a");
    const b = await start(callback, "b");
    const c = await start(waiting, "c");

    // Kill once Three is running, the token was handed out, and the Wait has begun.
    const token = await until("the token", async () => {
      const lines = await cloud.sideEffects();
      const three = lines.some((l) => l.step === "three" && l.phase === "start");
      const handed = lines.find((l) => l.fn === "crash-token" && l.key === "b");
      const submitted = (await history(b)).some((e) => e.type === "TaskSubmitted");
      const paused = entered(await history(c), "Pause").length > 0;
      return three && handed && submitted && paused ? String(handed.token) : undefined;
    });
    const beforeA = await history(a);
    const waitEntered = entered(await history(c), "Pause")[0]!.timestamp!.getTime();
    await cloud.kill();

    // Restart only after the Wait's deadline: it must end at once, not wait WAIT_SECONDS again.
    const deadline = waitEntered + WAIT_SECONDS * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()) + 500));
    await cloud.start();
    connect();

    // The token issued before the kill still works: heartbeat, then success.
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"ok":true}' }));

    const [doneA, doneB, doneC] = [await finished(a), await finished(b), await finished(c)];
    expect([doneA.status, doneB.status, doneC.status]).toEqual(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]);
    expect(JSON.parse(doneB.output!)).toEqual({ ok: true });

    // (a) Completed tasks ran once; the one in flight ran again (a second start, in the new process) and ended once.
    const lines = (await cloud.sideEffects()).filter((l) => l.fn === "crash-step" && l.key === "a");
    const count = (s: string, phase: string) => lines.filter((l) => l.step === s && l.phase === phase).length;
    expect([
      count("one", "start"),
      count("two", "start"),
      count("three", "start"),
      count("four", "start"),
    ]).toEqual([1, 1, 2, 1]);
    expect(count("three", "end")).toBe(1);
    const historyA = await history(a);
    expect(historyA.slice(0, beforeA.length)).toEqual(beforeA);
    expect(historyA.map((e) => e.id)).toEqual(historyA.map((_, i) => i + 1));
    expect(["One", "Two", "Three", "Four"].map((n) => entered(historyA, n).length)).toEqual([1, 1, 1, 1]);
    // Three was scheduled twice: before the kill, and again after it (as AWS shows a re-run after a worker failure).
    const scheduled = historyA.filter((e) => e.type === "LambdaFunctionScheduled");
    expect(scheduled.map((e) => JSON.parse(e.lambdaFunctionScheduledEventDetails!.input!).step)).toEqual([
      "one",
      "two",
      "three",
      "three",
      "four",
    ]);

    // (b) The callback's resource was not called again; its history has one TaskScheduled.
    expect((await cloud.sideEffects()).filter((l) => l.fn === "crash-token")).toHaveLength(1);
    const historyB = await history(b);
    expect(historyB.filter((e) => e.type === "TaskScheduled")).toHaveLength(1);
    expect(historyB.at(-1)!.type).toBe("ExecutionSucceeded");

    // (c) The Wait kept its deadline (passed while the cloud was down): it ended after it, and right when the
    // executions resumed (the re-run of Three is scheduled then), not a fresh WAIT_SECONDS later.
    const historyC = await history(c);
    const exited = historyC.find((e) => e.type === "WaitStateExited")!.timestamp!.getTime();
    const resumedAt = scheduled[3]!.timestamp!.getTime();
    expect(exited).toBeGreaterThanOrEqual(Math.floor(deadline / 1000) * 1000);
    expect(exited).toBeLessThan(resumedAt + (WAIT_SECONDS * 1000) / 2);
    expect(entered(historyC, "Pause")).toHaveLength(1);
  }, 240_000);
});
