/** The console's timeline from GetExecutionHistory events (AWS's shapes), including retries, branches and a redrive. */
import type { HistoryEvent } from "@aws-sdk/client-sfn";
import { describe, expect, it } from "vitest";
import { buildTimeline, type Milestone, type StateVisit } from "../../../ops/read/timeline.js";

const t0 = Date.parse("2026-01-01T00:00:00.000Z");
let id = 0;
function ev(
  type: string,
  ms: number,
  previousEventId: number,
  details?: Record<string, unknown>,
): HistoryEvent {
  id += 1;
  const key = type.endsWith("StateEntered")
    ? "stateEnteredEventDetails"
    : type.endsWith("StateExited")
      ? "stateExitedEventDetails"
      : `${type[0]?.toLowerCase()}${type.slice(1)}EventDetails`;
  return {
    id,
    previousEventId,
    type,
    timestamp: new Date(t0 + ms),
    ...(details ? { [key]: details } : {}),
  } as HistoryEvent;
}

function history(): HistoryEvent[] {
  id = 0;
  return [
    ev("ExecutionStarted", 0, 0, { input: '{"tenantId":"t1"}' }), // 1
    ev("TaskStateEntered", 1, 1, { name: "Reserve tenant", input: "{}" }), // 2
    ev("LambdaFunctionScheduled", 2, 2, {}), // 3
    ev("LambdaFunctionStarted", 3, 3), // 4
    ev("LambdaFunctionFailed", 50, 4, { error: "TransientError", cause: "Throttled" }), // 5
    ev("LambdaFunctionScheduled", 60, 5, {}), // 6
    ev("LambdaFunctionStarted", 61, 6), // 7
    ev("LambdaFunctionSucceeded", 100, 7, { output: "{}" }), // 8
    ev("TaskStateExited", 101, 8, { name: "Reserve tenant", output: '{"ok":true}' }), // 9
    ev("ParallelStateEntered", 102, 9, { name: "Provision", input: "{}" }), // 10
    ev("ParallelStateStarted", 102, 10), // 11
    ev("TaskStateEntered", 103, 11, { name: "Create identity", input: "{}" }), // 12
    ev("TaskStateEntered", 103, 11, { name: "Set up namespace", input: "{}" }), // 13
    ev("LambdaFunctionScheduled", 104, 13, {}), // 14 (namespace)
    ev("LambdaFunctionScheduled", 104, 12, {}), // 15 (identity)
    ev("LambdaFunctionSucceeded", 200, 14, { output: "{}" }), // 16 (namespace)
    ev("TaskStateExited", 201, 16, { name: "Set up namespace", output: "{}" }), // 17
    ev("LambdaFunctionSucceeded", 300, 15, { output: "{}" }), // 18 (identity)
    ev("TaskStateExited", 301, 18, { name: "Create identity", output: "{}" }), // 19
    ev("ParallelStateSucceeded", 302, 11), // 20
    ev("ParallelStateExited", 302, 20, { name: "Provision", output: "{}" }), // 21
    ev("TaskStateEntered", 303, 21, { name: "Run deployment pipeline", input: "{}" }), // 22
    ev("TaskScheduled", 304, 22, { resource: "lambda:invoke.waitForTaskToken" }), // 23
    ev("TaskFailed", 900, 23, { error: "PipelineFailed", cause: "quota exceeded" }), // 24
    ev("ExecutionFailed", 901, 24, { error: "PipelineFailed", cause: "quota exceeded" }), // 25
    ev("ExecutionRedriven", 5000, 25, { redriveCount: 1 }), // 26
    ev("TaskStateEntered", 5001, 26, { name: "Run deployment pipeline", input: "{}" }), // 27
    ev("TaskScheduled", 5002, 27, {}), // 28
    ev("TaskSucceeded", 5400, 28, { output: "{}" }), // 29
    ev("TaskStateExited", 5401, 29, { name: "Run deployment pipeline", output: "{}" }), // 30
    ev("ExecutionSucceeded", 5402, 30, { output: '{"status":"ACTIVE"}' }), // 31
  ];
}

describe("buildTimeline", () => {
  const items = buildTimeline(history(), "SUCCEEDED");
  const visits = items.filter((i): i is StateVisit => i.kind === "state");
  const visit = (name: string, n = 0) => visits.filter((v) => v.name === name)[n]!;

  it("lists state visits and milestones in history order", () => {
    expect(items.map((i) => (i.kind === "state" ? i.name : (i as Milestone).type))).toEqual([
      "ExecutionStarted",
      "Reserve tenant",
      "Provision",
      "Create identity",
      "Set up namespace",
      "Run deployment pipeline",
      "ExecutionFailed",
      "ExecutionRedriven",
      "Run deployment pipeline",
      "ExecutionSucceeded",
    ]);
  });

  it("shows a retried state as one visit with two attempts, and its duration", () => {
    const reserve = visit("Reserve tenant");
    expect(reserve.status).toBe("succeeded");
    expect(reserve.durationMs).toBe(100);
    expect(reserve.attempts.map((a) => [a.outcome, a.error])).toEqual([
      ["failed", "TransientError"],
      ["succeeded", undefined],
    ]);
    expect(reserve.output).toBe('{"ok":true}');
  });

  it("keeps parallel branches apart and one level deeper", () => {
    expect(visit("Provision").depth).toBe(0);
    expect(visit("Create identity")).toMatchObject({ depth: 1, status: "succeeded", durationMs: 198 });
    expect(visit("Set up namespace")).toMatchObject({ depth: 1, status: "succeeded", durationMs: 98 });
    expect(visit("Run deployment pipeline").depth).toBe(0);
  });

  it("marks the failed visit with its error, then the redriven visit as succeeded", () => {
    expect(visit("Run deployment pipeline", 0)).toMatchObject({
      status: "failed",
      error: "PipelineFailed",
      cause: "quota exceeded",
      durationMs: 597,
    });
    expect(visit("Run deployment pipeline", 1)).toMatchObject({
      status: "succeeded",
      durationMs: 400,
      depth: 0,
    });
    const failed = items.find((i): i is Milestone => i.kind === "execution" && i.type === "ExecutionFailed");
    expect(failed).toMatchObject({ error: "PipelineFailed", cause: "quota exceeded" });
  });

  it("leaves the current state running while the execution runs", () => {
    const running = buildTimeline(history().slice(0, 23), "RUNNING").filter(
      (i): i is StateVisit => i.kind === "state",
    );
    expect(running.at(-1)).toMatchObject({ name: "Run deployment pipeline", status: "running" });
    expect(running.at(-1)?.durationMs).toBeUndefined();
  });
});
