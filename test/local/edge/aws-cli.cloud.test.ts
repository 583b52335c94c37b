/** The real AWS CLI (Debian awscli) works against the edge unchanged, through AWS_ENDPOINT_URL. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { cloud } from "../../support/cloud.js";

const run = promisify(execFile);

async function aws(...args: string[]): Promise<unknown> {
  const { stdout } = await run("aws", [...args, "--output", "json"], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ENDPOINT_URL: cloud().edge,
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
    },
    timeout: 30_000,
  });
  return stdout.trim() ? JSON.parse(stdout) : {};
}

const hasAws = await run("aws", ["--version"]).then(
  () => true,
  () => false,
);
if (!hasAws) console.log("aws CLI not installed: run scripts/install-system-deps.sh (CI does)");

describe.runIf(hasAws)("aws CLI against the edge", () => {
  it("lists SQS queues, including Embark's with their DLQs", async () => {
    // botocore 1.43 (AWS CLI v1) ignores AWS_ENDPOINT_URL for SQS only and dials queue.amazonaws.com;
    // --endpoint-url works (see README).
    const out = (await aws("sqs", "list-queues", "--endpoint-url", cloud().edge)) as { QueueUrls: string[] };
    expect(out.QueueUrls).toEqual(expect.arrayContaining([`${cloud().edge}/000000000000/embark-signups`]));
    expect(out.QueueUrls).toEqual(
      expect.arrayContaining([`${cloud().edge}/000000000000/embark-signups-dlq`]),
    );
  });

  it("lists Step Functions state machines and executions", async () => {
    const machines = (await aws("stepfunctions", "list-state-machines")) as {
      stateMachines: { name: string }[];
    };
    expect(machines.stateMachines.map((m) => m.name)).toContain("embark-onboarding");
    const executions = (await aws(
      "stepfunctions",
      "list-executions",
      "--state-machine-arn",
      "arn:aws:states:us-east-1:000000000000:stateMachine:embark-onboarding",
    )) as { executions: unknown[] };
    expect(Array.isArray(executions.executions)).toBe(true);
  });

  it("lists DynamoDB tables and EventBridge rules", async () => {
    const tables = (await aws("dynamodb", "list-tables")) as { TableNames: string[] };
    expect(tables.TableNames).toEqual(
      expect.arrayContaining(["embark-tenants", "embark-plans", "embark-idempotency"]),
    );
    const rules = (await aws("events", "list-rules")) as { Rules: { Name: string }[] };
    expect(rules.Rules.map((r) => r.Name)).toContain("embark-onboarding-failed");
  });

  it("gets a clear error naming a service the local cloud does not emulate", async () => {
    const err = await aws("kinesis", "list-streams").catch((e: { stderr: string }) => e.stderr);
    expect(String(err)).toContain("kinesis");
    expect(String(err)).toContain("UnknownServiceException");
  });
});
