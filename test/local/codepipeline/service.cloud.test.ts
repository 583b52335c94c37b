// The local CodePipeline driven through the edge with the real AWS SDK clients: pipeline runs with variables,
// failure injection, stopping, idempotent starts, and the state-change events reaching SQS through an
// EventBridge rule, as the pipeline-callback Lambda will receive them.
import { randomUUID } from "node:crypto";
import {
  CodePipelineClient,
  CreatePipelineCommand,
  GetPipelineCommand,
  GetPipelineExecutionCommand,
  ListPipelineExecutionsCommand,
  ListPipelinesCommand,
  type PipelineExecution,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
} from "@aws-sdk/client-codepipeline";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsConfig } from "../../support/cloud.js";
import { setLocalPipelineBehaviour } from "../../support/pipeline.js";
import { bodyOf, createQueue, receiveUntil, ruleToQueue } from "../../support/queues.js";

const codepipeline = new CodePipelineClient(awsConfig());
const events = new EventBridgeClient(awsConfig());
const sqs = new SQSClient(awsConfig());
const run = randomUUID().slice(0, 8);
let queueUrl = "";

afterAll(() => {
  codepipeline.destroy();
  events.destroy();
  sqs.destroy();
});

/** A pipeline with tenant variables, made through the API (tests cannot reach definePipeline in-process). */
async function pipeline(label: string, executionMode: "QUEUED" | "PARALLEL" = "QUEUED"): Promise<string> {
  const name = `tenant-${label}-${run}`;
  await codepipeline.send(
    new CreatePipelineCommand({
      pipeline: {
        name,
        roleArn: "arn:aws:iam::000000000000:role/pipeline",
        artifactStore: { type: "S3", location: "artifacts" },
        pipelineType: "V2",
        executionMode,
        variables: [{ name: "TENANT_ID" }, { name: "PLAN", defaultValue: "enterprise" }],
        stages: [
          {
            name: "Deploy",
            actions: [
              {
                name: "ProvisionTenant",
                actionTypeId: { category: "Build", owner: "AWS", provider: "CodeBuild", version: "1" },
              },
            ],
          },
        ],
      },
    }),
  );
  return name;
}

/** Starts a run of the pipeline `name` for the tenant `tenantId` (and `more` variables); returns the run's id. */
async function startRun(name: string, tenantId: string, more: Record<string, string> = {}): Promise<string> {
  const variables = Object.entries({ TENANT_ID: tenantId, ...more }).map(([name, value]) => ({
    name,
    value,
  }));
  const { pipelineExecutionId } = await codepipeline.send(
    new StartPipelineExecutionCommand({ name, variables }),
  );
  return pipelineExecutionId!;
}

const stopRun = (name: string, id: string, how: { abandon?: boolean; reason?: string } = {}) =>
  codepipeline.send(
    new StopPipelineExecutionCommand({ pipelineName: name, pipelineExecutionId: id, ...how }),
  );

const FINISHED = ["Succeeded", "Failed", "Stopped"];

async function waitForStatus(name: string, id: string, done = FINISHED): Promise<PipelineExecution> {
  const until = Date.now() + 20_000;
  for (;;) {
    const { pipelineExecution } = await codepipeline.send(
      new GetPipelineExecutionCommand({ pipelineName: name, pipelineExecutionId: id }),
    );
    if (done.includes(pipelineExecution!.status!) || Date.now() > until) return pipelineExecution!;
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface SeenEvent {
  "detail-type": string;
  detail: { [key: string]: unknown; state?: string; stage?: string; "execution-id"?: string };
  [key: string]: unknown;
}

/** Collects events from the shared queue until `want` returns true for the collection (or time runs out). */
const seen: SeenEvent[] = [];
async function eventsUntil(want: (all: SeenEvent[]) => boolean): Promise<SeenEvent[]> {
  const got = await receiveUntil(sqs, queueUrl, (received) =>
    want([...seen, ...received.map(bodyOf<SeenEvent>)]),
  );
  seen.push(...got.map(bodyOf<SeenEvent>));
  return seen;
}

const ofExecution = (all: SeenEvent[], id: string, detailType: string) =>
  all.filter((e) => e.detail["execution-id"] === id && e["detail-type"] === detailType);

beforeAll(async () => {
  const name = `pipeline-events-${run}`;
  queueUrl = (await createQueue(sqs, name)).url;
  const pattern = { source: ["aws.codepipeline"], detail: { pipeline: [{ prefix: "tenant-" }] } };
  await ruleToQueue(events, { name, pattern, queue: name });
});

describe("pipelines", () => {
  it("creates, gets and lists a V2 pipeline with variables", async () => {
    const name = await pipeline("define");
    const got = await codepipeline.send(new GetPipelineCommand({ name }));
    expect(got.pipeline).toMatchObject({
      name,
      version: 1,
      pipelineType: "V2",
      executionMode: "QUEUED",
      variables: [{ name: "TENANT_ID" }, { name: "PLAN", defaultValue: "enterprise" }],
    });
    expect(got.metadata?.pipelineArn).toBe(`arn:aws:codepipeline:us-east-1:000000000000:${name}`);
    expect(got.metadata?.created).toBeInstanceOf(Date);
    const listed = await codepipeline.send(new ListPipelinesCommand({}));
    expect(listed.pipelines?.map((p) => p.name)).toContain(name);
  });

  it("refuses unknown pipelines and undeclared or missing variables", async () => {
    const name = await pipeline("validate");
    await expect(
      codepipeline.send(new StartPipelineExecutionCommand({ name: `nope-${run}` })),
    ).rejects.toMatchObject({
      name: "PipelineNotFoundException",
    });
    await expect(
      codepipeline.send(
        new StartPipelineExecutionCommand({
          name,
          variables: [
            { name: "TENANT_ID", value: "t1" },
            { name: "UNDECLARED", value: "x" },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: "ValidationException" });
    // TENANT_ID has no default value.
    await expect(codepipeline.send(new StartPipelineExecutionCommand({ name }))).rejects.toMatchObject({
      name: "ValidationException",
    });
    await expect(
      codepipeline.send(
        new GetPipelineExecutionCommand({ pipelineName: name, pipelineExecutionId: randomUUID() }),
      ),
    ).rejects.toMatchObject({ name: "PipelineExecutionNotFoundException" });
  });
});

describe("executions", () => {
  it("runs with variables to Succeeded and emits the state-change events", async () => {
    const name = await pipeline("success");
    const id = await startRun(name, "acme");
    const running = await codepipeline.send(
      new GetPipelineExecutionCommand({ pipelineName: name, pipelineExecutionId: id }),
    );
    expect(running.pipelineExecution).toMatchObject({
      pipelineName: name,
      pipelineVersion: 1,
      status: "InProgress",
    });

    const done = await waitForStatus(name, id);
    expect(done).toMatchObject({
      pipelineName: name,
      pipelineExecutionId: id,
      status: "Succeeded",
      executionMode: "QUEUED",
      trigger: { triggerType: "StartPipelineExecution" },
      variables: [
        { name: "TENANT_ID", resolvedValue: "acme" },
        { name: "PLAN", resolvedValue: "enterprise" },
      ],
    });

    const all = await eventsUntil(
      (e) => ofExecution(e, id, "CodePipeline Pipeline Execution State Change").length >= 2,
    );
    const pipelineEvents = ofExecution(all, id, "CodePipeline Pipeline Execution State Change");
    expect(pipelineEvents.map((e) => e.detail.state).sort()).toEqual(["STARTED", "SUCCEEDED"]);
    const started = pipelineEvents.find((e) => e.detail.state === "STARTED")!;
    expect(started).toMatchObject({
      version: "0",
      source: "aws.codepipeline",
      account: "000000000000",
      region: "us-east-1",
      resources: [`arn:aws:codepipeline:us-east-1:000000000000:${name}`],
      detail: {
        pipeline: name,
        "execution-id": id,
        "execution-trigger": { "trigger-type": "StartPipelineExecution" },
        state: "STARTED",
        version: 1,
        "pipeline-execution-attempt": 1,
      },
    });

    const withStages = await eventsUntil(
      (e) => ofExecution(e, id, "CodePipeline Stage Execution State Change").length >= 2,
    );
    const stageEvents = ofExecution(withStages, id, "CodePipeline Stage Execution State Change");
    expect(stageEvents.map((e) => `${e.detail.stage}:${e.detail.state}`).sort()).toEqual([
      "Deploy:STARTED",
      "Deploy:SUCCEEDED",
    ]);

    const listed = await codepipeline.send(new ListPipelineExecutionsCommand({ pipelineName: name }));
    expect(listed.pipelineExecutionSummaries?.[0]).toMatchObject({
      pipelineExecutionId: id,
      status: "Succeeded",
    });
  });

  it("fails when the EMBARK_LOCAL_FAIL variable is set, with the reason in statusSummary and the action event", async () => {
    const name = await pipeline("fail-variable");
    const id = await startRun(name, "globex", { EMBARK_LOCAL_FAIL: "quota exceeded in the test cluster" });
    const done = await waitForStatus(name, id);
    expect(done.status).toBe("Failed");
    expect(done.statusSummary).toBe("quota exceeded in the test cluster");

    const all = await eventsUntil(
      (e) =>
        ofExecution(e, id, "CodePipeline Pipeline Execution State Change").some(
          (x) => x.detail.state === "FAILED",
        ) &&
        ofExecution(e, id, "CodePipeline Action Execution State Change").some(
          (x) => x.detail.state === "FAILED",
        ),
    );
    const failed = ofExecution(all, id, "CodePipeline Pipeline Execution State Change").find(
      (e) => e.detail.state === "FAILED",
    );
    expect(failed?.detail).toMatchObject({ pipeline: name, state: "FAILED" });
    const action = ofExecution(all, id, "CodePipeline Action Execution State Change").find(
      (e) => e.detail.state === "FAILED",
    );
    expect(action?.detail).toMatchObject({
      stage: "Deploy",
      action: "ProvisionTenant",
      "execution-result": {
        "external-execution-summary": "quota exceeded in the test cluster",
        "error-code": "JobFailed",
      },
    });
  });

  it("fails while a behaviour set through the edge says so, and succeeds again once it is cleared", async () => {
    const name = await pipeline("fail-behaviour");
    await setLocalPipelineBehaviour(name, { fail: "injected by the test", durationMs: 50 });
    const failed = await waitForStatus(name, await startRun(name, "t"));
    expect(failed).toMatchObject({ status: "Failed", statusSummary: "injected by the test" });

    await setLocalPipelineBehaviour(name, {});
    const ok = await waitForStatus(name, await startRun(name, "t"));
    expect(ok.status).toBe("Succeeded");
  });

  it("returns the same execution for the same clientRequestToken", async () => {
    const name = await pipeline("token");
    const token = randomUUID();
    const start = () =>
      codepipeline.send(
        new StartPipelineExecutionCommand({
          name,
          clientRequestToken: token,
          variables: [{ name: "TENANT_ID", value: "initech" }],
        }),
      );
    const a = await start();
    const b = await start();
    expect(b.pipelineExecutionId).toBe(a.pipelineExecutionId);
    const listed = await codepipeline.send(new ListPipelineExecutionsCommand({ pipelineName: name }));
    expect(listed.pipelineExecutionSummaries).toHaveLength(1);
  });

  it("stops an execution (abandon) and refuses to stop a finished one", async () => {
    const name = await pipeline("stop");
    await setLocalPipelineBehaviour(name, { durationMs: 30_000 });
    const id = await startRun(name, "t");
    await stopRun(name, id, { abandon: true, reason: "tenant gone" });
    const stopped = await waitForStatus(name, id);
    expect(stopped.status).toBe("Stopped");
    await expect(stopRun(name, id)).rejects.toMatchObject({ name: "PipelineExecutionNotStoppableException" });
    const listed = await codepipeline.send(new ListPipelineExecutionsCommand({ pipelineName: name }));
    expect(listed.pipelineExecutionSummaries?.[0]?.stopTrigger?.reason).toBe("tenant gone");

    const all = await eventsUntil((e) =>
      ofExecution(e, id, "CodePipeline Pipeline Execution State Change").some(
        (x) => x.detail.state === "STOPPED",
      ),
    );
    expect(
      ofExecution(all, id, "CodePipeline Pipeline Execution State Change")
        .map((e) => e.detail.state)
        .sort(),
    ).toEqual(["STARTED", "STOPPED", "STOPPING"]);
  });

  it("stop and wait lets the running action finish, then stops", async () => {
    const name = await pipeline("stop-wait");
    // Long enough that the stop request always lands while the action runs, even on a loaded machine.
    await setLocalPipelineBehaviour(name, { durationMs: 3000 });
    const id = await startRun(name, "t");
    await stopRun(name, id);
    const stopping = await codepipeline.send(
      new GetPipelineExecutionCommand({ pipelineName: name, pipelineExecutionId: id }),
    );
    expect(["Stopping", "Stopped"]).toContain(stopping.pipelineExecution?.status);
    if (stopping.pipelineExecution?.status === "Stopping") {
      await expect(stopRun(name, id)).rejects.toMatchObject({ name: "DuplicatedStopRequestException" });
    }
    const stopped = await waitForStatus(name, id);
    expect(stopped.status).toBe("Stopped");
  });
});
