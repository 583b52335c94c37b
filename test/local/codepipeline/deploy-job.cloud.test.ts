// The local CodePipeline's deploy jobs seen from the events it emits: QUEUED vs PARALLEL runs, stopping a
// queued run, pipeline versions, and what a restart does to a run in progress. This suite starts its own edge
// with a stand-in EventBridge that records every PutEvents entry in order, and restarts the service in-process.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonService } from "../../../local/aws/json-service.js";
import { type CodePipelineService, createCodePipelineService } from "../../../local/codepipeline/service.js";
import type { LocalContext } from "../../../local/context.js";
import { type Edge, startEdge } from "../../../local/edge/server.js";
import { FunctionRegistry } from "../../../local/lambda/registry.js";

interface Recorded {
  source: string;
  detailType: string;
  detail: { [key: string]: unknown; stage?: string; state?: string; "execution-id"?: string };
}

const recorded: Recorded[] = [];
const eventsStandIn: JsonService = {
  signingName: "events",
  targetPrefix: "AWSEvents",
  async handle(operation, input) {
    if (operation !== "PutEvents") return {};
    const entries = input.Entries as Array<{ Source: string; DetailType: string; Detail: string }>;
    for (const e of entries)
      recorded.push({ source: e.Source, detailType: e.DetailType, detail: JSON.parse(e.Detail) });
    return { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: crypto.randomUUID() })) };
  },
};

let edge: Edge;
let stateDir: string;
let ctx: LocalContext;
let service: CodePipelineService;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "cp-jobs-"));
  edge = await startEdge({ port: 0 });
  edge.addJsonService(eventsStandIn);
  ctx = {
    stateDir,
    edgeUrl: edge.url,
    region: "us-east-1",
    accountId: "000000000000",
    functions: new FunctionRegistry(),
  };
  service = await createCodePipelineService(ctx, { defaultDurationMs: 100 });
});

afterAll(async () => {
  await service?.stop();
  await edge?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

const states = (id: string, detailType: string) =>
  recorded
    .filter((r) => r.detail["execution-id"] === id && r.detailType === detailType)
    .map((r) => (r.detail.stage ? `${r.detail.stage}:${r.detail.state}` : r.detail.state));
const positionOf = (id: string, detailType: string, state: string) =>
  recorded.findIndex(
    (r) => r.detail["execution-id"] === id && r.detailType === detailType && r.detail.state === state,
  );

async function until(check: () => boolean, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

async function start(svc: CodePipelineService, name: string): Promise<string> {
  const out = (await svc.handle("StartPipelineExecution", { name })) as { pipelineExecutionId: string };
  return out.pipelineExecutionId;
}

async function status(svc: CodePipelineService, name: string, id: string): Promise<Record<string, unknown>> {
  const out = (await svc.handle("GetPipelineExecution", { pipelineName: name, pipelineExecutionId: id })) as {
    pipelineExecution: Record<string, unknown>;
  };
  return out.pipelineExecution;
}

const STAGE = "CodePipeline Stage Execution State Change";
const PIPELINE = "CodePipeline Pipeline Execution State Change";

describe("execution modes", () => {
  it("QUEUED runs one execution at a time, in start order", async () => {
    await service.definePipeline({ name: "queued", executionMode: "QUEUED" });
    const a = await start(service, "queued");
    const b = await start(service, "queued");
    await until(() => states(b, PIPELINE).includes("SUCCEEDED"));
    expect(states(a, PIPELINE)).toEqual(["STARTED", "SUCCEEDED"]);
    expect(states(b, STAGE)).toEqual(["Deploy:STARTED", "Deploy:SUCCEEDED"]);
    // B's stage starts only after A's run has finished.
    expect(positionOf(b, STAGE, "STARTED")).toBeGreaterThan(positionOf(a, PIPELINE, "SUCCEEDED"));
  });

  it("PARALLEL runs executions side by side", async () => {
    await service.definePipeline({ name: "parallel", executionMode: "PARALLEL" });
    service.setPipelineBehaviour("parallel", { durationMs: 1000 });
    const a = await start(service, "parallel");
    const b = await start(service, "parallel");
    await until(() => states(a, PIPELINE).includes("SUCCEEDED") && states(b, PIPELINE).includes("SUCCEEDED"));
    expect(positionOf(b, STAGE, "STARTED")).toBeLessThan(positionOf(a, STAGE, "SUCCEEDED"));
    expect((await status(service, "parallel", b)).executionMode).toBe("PARALLEL");
  });

  it("stops a queued execution at once, before its job ever starts", async () => {
    await service.definePipeline({ name: "queued-stop" });
    service.setPipelineBehaviour("queued-stop", { durationMs: 60_000 });
    const a = await start(service, "queued-stop");
    const b = await start(service, "queued-stop");
    await service.handle("StopPipelineExecution", { pipelineName: "queued-stop", pipelineExecutionId: b });
    expect((await status(service, "queued-stop", b)).status).toBe("Stopped");
    await service.handle("StopPipelineExecution", {
      pipelineName: "queued-stop",
      pipelineExecutionId: a,
      abandon: true,
    });
    expect((await status(service, "queued-stop", a)).status).toBe("Stopped");
    await until(() => states(a, PIPELINE).includes("STOPPED"));
    expect(states(b, STAGE)).toEqual([]);
    expect(states(b, PIPELINE)).toEqual(["STARTED", "STOPPING", "STOPPED"]);
    expect(states(a, STAGE)).toEqual(["Deploy:STARTED", "Deploy:STOPPING", "Deploy:STOPPED"]);
  });
});

describe("pipeline definitions", () => {
  it("keeps the version for the same definition and bumps it for a changed one", async () => {
    await service.definePipeline({
      name: "versioned",
      variables: [{ name: "TENANT_ID", defaultValue: "t0" }],
    });
    await service.definePipeline({
      name: "versioned",
      variables: [{ name: "TENANT_ID", defaultValue: "t0" }],
    });
    const v1 = (await service.handle("GetPipeline", { name: "versioned" })) as {
      pipeline: { version: number };
    };
    expect(v1.pipeline.version).toBe(1);
    await service.definePipeline({
      name: "versioned",
      variables: [
        { name: "TENANT_ID", defaultValue: "t0" },
        { name: "REGION", defaultValue: "eu" },
      ],
    });
    const v2 = (await service.handle("GetPipeline", { name: "versioned" })) as {
      pipeline: { version: number };
    };
    expect(v2.pipeline.version).toBe(2);
    const id = await start(service, "versioned");
    expect(await status(service, "versioned", id)).toMatchObject({
      pipelineVersion: 2,
      variables: [
        { name: "TENANT_ID", resolvedValue: "t0" },
        { name: "REGION", resolvedValue: "eu" },
      ],
    });
  });
});

describe("restart", () => {
  it("continues an execution that was in progress: it finishes at its planned time, its events sent once", async () => {
    const first = await createCodePipelineService(
      { ...ctx, stateDir: join(stateDir, "restart") },
      { defaultDurationMs: 1_500 },
    );
    await first.definePipeline({ name: "restarted" });
    const running = await start(first, "restarted");
    await until(() => states(running, STAGE).includes("Deploy:STARTED"));
    const startedAt = Date.now();
    const finished = await start(first, "restarted");
    await first.handle("StopPipelineExecution", { pipelineName: "restarted", pipelineExecutionId: finished });
    await first.stop();

    // A different default duration now: the run keeps the one it started with.
    const second = await createCodePipelineService(
      { ...ctx, stateDir: join(stateDir, "restart") },
      { defaultDurationMs: 60_000 },
    );
    second.resume();
    try {
      expect((await status(second, "restarted", running)).status).toBe("InProgress");
      expect((await status(second, "restarted", finished)).status).toBe("Stopped");
      await until(() => states(running, PIPELINE).includes("SUCCEEDED"));
      const done = await status(second, "restarted", running);
      expect(done.status).toBe("Succeeded");
      expect(states(running, PIPELINE)).toEqual(["STARTED", "SUCCEEDED"]);
      expect(states(running, STAGE)).toEqual(["Deploy:STARTED", "Deploy:SUCCEEDED"]);
      // Not before its planned end (started + 1.5 s), and not a fresh 60 s run.
      const out = (await second.handle("ListPipelineExecutions", { pipelineName: "restarted" })) as {
        pipelineExecutionSummaries: Array<{ pipelineExecutionId: string; lastUpdateTime: number }>;
      };
      const summary = out.pipelineExecutionSummaries.find((e) => e.pipelineExecutionId === running)!;
      expect(summary.lastUpdateTime * 1000).toBeGreaterThanOrEqual(startedAt + 1_000);
    } finally {
      await second.stop();
    }
  });
});
