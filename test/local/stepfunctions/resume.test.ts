// planResume: where an execution RUNNING at a crash picks up, read from its history (no server).
import { describe, expect, it } from "vitest";
import { prepareDefinition } from "../../../local/stepfunctions/definition.js";
import { appendEvent, json } from "../../../local/stepfunctions/history.js";
import type { ExecutionRecord } from "../../../local/stepfunctions/model.js";
import { planResume, retrierFor } from "../../../local/stepfunctions/resume.js";

const fn = "arn:aws:lambda:us-east-1:000000000000:function:f";

function record(definition: object): ExecutionRecord {
  const rec: ExecutionRecord = {
    executionArn: "arn:aws:states:us-east-1:000000000000:execution:m:e",
    stateMachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:m",
    name: "e",
    status: "RUNNING",
    input: "{}",
    startDate: 1_000_000,
    redriveCount: 0,
    roleArn: "arn:aws:iam::000000000000:role/r",
    definition: JSON.stringify(definition),
    taskTokens: [],
    history: [],
  };
  appendEvent(rec, "ExecutionStarted", { input: "{}" });
  return rec;
}

const plan = (rec: ExecutionRecord) =>
  planResume(rec, prepareDefinition(JSON.parse(rec.definition), { retryIntervalScale: 1 }).states);

describe("planResume", () => {
  it("starts from the beginning when no state was entered", () => {
    const rec = record({ StartAt: "A", States: { A: { Type: "Pass", End: true } }, TimeoutSeconds: 60 });
    const p = plan(rec);
    expect(p.from).toBeUndefined();
    expect(p.entered.size).toBe(0);
    expect(p.executionDeadline).toBe(1_000_000 + 60_000);
  });

  it("re-runs the Task in flight with the retries its history used, per retrier", () => {
    const rec = record({
      StartAt: "A",
      States: {
        A: { Type: "Pass", Next: "T" },
        T: {
          Type: "Task",
          Resource: fn,
          Retry: [
            { ErrorEquals: ["Busy"], MaxAttempts: 5 },
            { ErrorEquals: ["States.ALL"], MaxAttempts: 2 },
          ],
          End: true,
        },
      },
    });
    const a = appendEvent(rec, "PassStateEntered", { name: "A", input: "{}" });
    appendEvent(rec, "PassStateExited", { name: "A", output: "{}" }, a);
    const t = appendEvent(rec, "TaskStateEntered", { name: "T", input: json({ x: 1 }) });
    rec.resume = { state: "T", input: { x: 1 } };
    let last = t;
    for (const error of ["Busy", "Other", "Busy"]) {
      last = appendEvent(rec, "LambdaFunctionScheduled", { resource: fn }, last);
      last = appendEvent(rec, "LambdaFunctionStarted", undefined, last);
      last = appendEvent(rec, "LambdaFunctionFailed", { error }, last);
    }
    appendEvent(rec, "LambdaFunctionScheduled", { resource: fn }, last);
    const p = plan(rec);
    expect(p.from).toEqual({ state: "T", input: { x: 1 } });
    expect([...p.entered]).toEqual(["T"]);
    expect(p.tasks.get("T")).toEqual({ retriesUsed: [2, 1], retryCount: 3, open: undefined });
  });

  it("keeps a .waitForTaskToken attempt's token, and a Wait's deadline from when it was entered", () => {
    const rec = record({
      StartAt: "P",
      States: {
        P: {
          Type: "Parallel",
          Branches: [
            {
              StartAt: "W",
              States: { W: { Type: "Wait", SecondsPath: "$.s", Next: "X" }, X: { Type: "Pass", End: true } },
            },
            {
              StartAt: "T",
              States: {
                T: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken", End: true },
              },
            },
            { StartAt: "D", States: { D: { Type: "Pass", End: true } } },
          ],
          End: true,
        },
      },
    });
    const p0 = appendEvent(rec, "ParallelStateEntered", { name: "P", input: json({ s: 30 }) });
    const started = appendEvent(rec, "ParallelStateStarted", undefined, p0);
    const w = appendEvent(rec, "WaitStateEntered", { name: "W", input: json({ s: 30 }) }, started);
    const tt = appendEvent(rec, "TaskStateEntered", { name: "T", input: json({ s: 30 }) }, started);
    appendEvent(rec, "TaskScheduled", { resource: "invoke.waitForTaskToken" }, tt);
    const d = appendEvent(rec, "PassStateEntered", { name: "D", input: "{}" }, started);
    appendEvent(rec, "PassStateExited", { name: "D", output: json({ done: true }) }, d);
    rec.resume = { state: "P", input: { s: 30 } };
    rec.openTasks = { T: { scheduledAt: 5, token: "AQtoken", heartbeatSeconds: 10 } };
    const p = plan(rec);
    expect([...p.entered].sort()).toEqual(["P", "T", "W"]);
    expect(p.branches).toEqual({
      parallel: "P",
      starts: [
        { kind: "at", state: "W", input: { s: 30 } },
        { kind: "at", state: "T", input: { s: 30 } },
        { kind: "done", output: { done: true } },
      ],
    });
    expect(p.tasks.get("T")?.open?.token).toBe("AQtoken");
    expect(p.waits.get("W")).toBe(rec.history[w - 1]!.timestamp + 30_000);
  });

  it("matches retriers as the library does (States.TaskFailed is everything but States.Timeout)", () => {
    const retry = [{ ErrorEquals: ["States.TaskFailed"] }, { ErrorEquals: ["States.Timeout"] }];
    expect(retrierFor(retry, "Boom")).toBe(0);
    expect(retrierFor(retry, "States.Timeout")).toBe(1);
    expect(retrierFor([{ ErrorEquals: ["A"] }], "B")).toBe(-1);
  });
});
