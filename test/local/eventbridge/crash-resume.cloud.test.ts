// kill -9 while EventBridge still owes deliveries (d), and while a CodePipeline run is in progress (e): after a
// restart on the same state both finish, through the real SDK clients against a local cloud in a child process
// (test/support/cloud-process.ts). The target is a fixture function that writes what it gets to a side-effects
// file, which outlives the kill.
import {
  CodePipelineClient,
  CreatePipelineCommand,
  GetPipelineExecutionCommand,
  StartPipelineExecutionCommand,
} from "@aws-sdk/client-codepipeline";
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localClientConfig } from "../../../local/aws/client-config.js";
import { CloudProcess } from "../../support/cloud-process.js";

const TARGET = "arn:aws:lambda:us-east-1:000000000000:function:crash-target";

let cloud: CloudProcess;

beforeAll(async () => {
  cloud = await CloudProcess.create({ program: "fixtures" });
  await cloud.start();
}, 180_000);

afterAll(async () => {
  await cloud?.dispose();
});

const clients = () => ({
  events: new EventBridgeClient({ ...localClientConfig(cloud.endpoints.edge), maxAttempts: 1 }),
  pipelines: new CodePipelineClient({ ...localClientConfig(cloud.endpoints.edge), maxAttempts: 1 }),
});

const until = <T>(what: string, check: () => Promise<T | undefined>, ms?: number) =>
  cloud.until(what, check, ms);

// biome-ignore lint/suspicious/noExplicitAny: events as the fixture recorded them
const delivered = async (): Promise<any[]> =>
  (await cloud.sideEffects()).filter((l) => l.fn === "crash-target").map((l) => l.event);

describe("EventBridge and CodePipeline after kill -9", () => {
  it("delivers an accepted event whose delivery was in retry, and finishes a pipeline run in progress", async () => {
    let { events, pipelines } = clients();
    await events.send(
      new PutRuleCommand({
        Name: "crash-rule",
        EventPattern: JSON.stringify({ source: ["crash.test", "aws.codepipeline"] }),
      }),
    );
    await events.send(
      // Five retries (the local cap, about 3 s of backoff): time enough to kill it while it is in retry.
      new PutTargetsCommand({
        Rule: "crash-rule",
        Targets: [{ Id: "fixture", Arn: TARGET, RetryPolicy: { MaximumRetryAttempts: 5 } }],
      }),
    );
    await events.send(
      new PutRuleCommand({ Name: "crash-unused", EventPattern: JSON.stringify({ source: ["nothing"] }) }),
    );

    // (d) Deliveries to the target fail (local failure injection) so the event sits in retry when killed.
    await postJson(cloud.endpoints.edge, "AWSEvents.EmbarkLocalSetTargetFailure", {
      Arn: TARGET,
      ErrorCode: "ThrottlingException",
    });
    // (e) A pipeline run of 6 s, started, then killed mid-way.
    await pipelines.send(
      new CreatePipelineCommand({
        pipeline: {
          name: "crash-pipeline",
          roleArn: "arn:aws:iam::000000000000:role/crash",
          stages: [
            {
              name: "Deploy",
              actions: [
                {
                  name: "Deploy",
                  actionTypeId: { category: "Build", owner: "AWS", provider: "CodeBuild", version: "1" },
                },
              ],
            },
          ],
        },
      }),
    );
    await postJson(cloud.endpoints.edge, "CodePipeline_20150709.EmbarkLocalSetBehaviour", {
      name: "crash-pipeline",
      durationMs: 6000,
    });
    const put = await events.send(
      new PutEventsCommand({ Entries: [{ Source: "crash.test", DetailType: "Crash", Detail: '{"n":1}' }] }),
    );
    expect(put.FailedEntryCount).toBe(0);
    const eventId = put.Entries![0]!.EventId!;
    const started = await pipelines.send(new StartPipelineExecutionCommand({ name: "crash-pipeline" }));
    const runId = started.pipelineExecutionId!;
    expect(await delivered()).toEqual([]); // nothing delivered yet: the target fails
    events.destroy();
    pipelines.destroy();
    await cloud.kill();

    await cloud.start(); // failure injection is in memory: gone after the restart
    ({ events, pipelines } = clients());
    try {
      const got = await until("the event", async () => {
        const list = await delivered();
        return list.some((e) => e.id === eventId) ? list : undefined;
      });
      expect(got.find((e) => e.id === eventId)).toMatchObject({ source: "crash.test", detail: { n: 1 } });

      const run = await until("the pipeline run to finish", async () => {
        const out = await pipelines.send(
          new GetPipelineExecutionCommand({ pipelineName: "crash-pipeline", pipelineExecutionId: runId }),
        );
        return out.pipelineExecution!.status === "InProgress" ? undefined : out.pipelineExecution!;
      });
      expect(run.status).toBe("Succeeded");
      const states = await until("the SUCCEEDED event", async () => {
        const list = (await delivered())
          .filter((e) => e["detail-type"] === "CodePipeline Pipeline Execution State Change")
          .filter((e) => e.detail["execution-id"] === runId)
          .map((e) => e.detail.state);
        return list.includes("SUCCEEDED") ? list : undefined;
      });
      expect(states.filter((s: string) => s === "SUCCEEDED")).toHaveLength(1);
    } finally {
      events.destroy();
      pipelines.destroy();
    }
  }, 240_000);
});

/** A local-only operation as a plain AWS JSON call through the edge (routed by X-Amz-Target). */
async function postJson(edge: string, target: string, body: object): Promise<void> {
  const res = await fetch(edge, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": target,
    },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${target}: ${res.status} ${await res.text()}`);
}
