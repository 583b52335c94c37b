/** The Lambda REST API on the edge, through the real @aws-sdk/client-lambda. */
import { randomUUID } from "node:crypto";
import {
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-lambda";
import { afterAll, describe, expect, it } from "vitest";
import { awsConfig } from "../../support/cloud.js";
import { waitFor } from "../../support/wait.js";

const lambda = new LambdaClient(awsConfig());
afterAll(() => lambda.destroy());

function json(payload: Uint8Array | undefined): unknown {
  return JSON.parse(Buffer.from(payload ?? []).toString("utf8"));
}

async function recordsOf(channel: string): Promise<unknown[]> {
  const res = await lambda.send(
    new InvokeCommand({ FunctionName: "fixture-records", Payload: JSON.stringify({ channel }) }),
  );
  return (json(res.Payload) as { entries: unknown[] }).entries;
}

/** Invokes without waiting for the result (Event) or without running the function at all (DryRun). */
const invokeAs = (InvocationType: "Event" | "DryRun", FunctionName: string, payload: object) =>
  lambda.send(new InvokeCommand({ FunctionName, InvocationType, Payload: JSON.stringify(payload) }));

describe("Lambda Invoke API", () => {
  it("invokes RequestResponse by name or ARN and returns the result", async () => {
    const input = { tenant: "acme", n: 1 };
    const byName = await lambda.send(
      new InvokeCommand({ FunctionName: "fixture-lambda-echo", Payload: JSON.stringify(input) }),
    );
    expect(byName.StatusCode).toBe(200);
    expect(byName.FunctionError).toBeUndefined();
    expect(byName.ExecutedVersion).toBe("$LATEST");
    expect(json(byName.Payload)).toEqual({ received: input });

    const byArn = await lambda.send(
      new InvokeCommand({
        FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:fixture-lambda-echo",
        Payload: JSON.stringify({ via: "arn" }),
      }),
    );
    expect(json(byArn.Payload)).toEqual({ received: { via: "arn" } });

    const empty = await lambda.send(new InvokeCommand({ FunctionName: "fixture-lambda-undefined" }));
    expect(Buffer.from(empty.Payload ?? []).toString()).toBe("null");
  });

  it("reports a thrown error as an Unhandled function error with errorType and errorMessage", async () => {
    const res = await lambda.send(
      new InvokeCommand({
        FunctionName: "fixture-lambda-throw",
        Payload: JSON.stringify({ message: "no quota" }),
      }),
    );
    expect(res.StatusCode).toBe(200);
    expect(res.FunctionError).toBe("Unhandled");
    const payload = json(res.Payload) as { errorType: string; errorMessage: string; trace: string[] };
    expect(payload.errorType).toBe("FixtureError");
    expect(payload.errorMessage).toBe("no quota");
    expect(payload.trace[0]).toContain("no quota");
  });

  it("reports a timeout as Sandbox.Timedout", async () => {
    const res = await lambda.send(new InvokeCommand({ FunctionName: "fixture-lambda-slow" }));
    expect(res.FunctionError).toBe("Unhandled");
    expect(json(res.Payload)).toMatchObject({
      errorType: "Sandbox.Timedout",
      errorMessage: expect.stringContaining("Task timed out after 1.00 seconds"),
    });
  });

  it("answers 404 ResourceNotFoundException for an unknown function", async () => {
    const err = await lambda
      .send(new InvokeCommand({ FunctionName: "no-such-function", Payload: "{}" }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect((err as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    expect((err as Error).message).toContain("function:no-such-function");
  });

  it("rejects a payload that is not JSON", async () => {
    const err = await lambda
      .send(new InvokeCommand({ FunctionName: "fixture-lambda-echo", Payload: Buffer.from("{nope") }))
      .catch((e: unknown) => e);
    expect((err as Error).name).toBe("InvalidRequestContentException");
    expect((err as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(400);
  });

  it("accepts Event invocations with 202 and runs them in the background", async () => {
    const channel = `async-${randomUUID()}`;
    const res = await invokeAs("Event", "fixture-lambda-recorder", { channel, n: 7 });
    expect(res.StatusCode).toBe(202);
    expect(Buffer.from(res.Payload ?? []).length).toBe(0);
    const entries = await waitFor("the async invocation", async () => {
      const e = await recordsOf(channel);
      return e.length > 0 ? e : undefined;
    });
    expect(entries).toEqual([{ channel, n: 7 }]);
  });

  it("retries a failed Event invocation", async () => {
    const channel = `async-retry-${randomUUID()}`;
    await invokeAs("Event", "fixture-lambda-flaky-recorder", { channel });
    const attempts = await waitFor("the retry", async () => {
      const e = (await recordsOf(channel)) as Array<{ attempt: number }>;
      return e.length >= 2 ? e : undefined;
    });
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2]);
  });

  it("answers DryRun with 204 without running the function", async () => {
    const channel = `dry-${randomUUID()}`;
    const res = await invokeAs("DryRun", "fixture-lambda-recorder", { channel });
    expect(res.StatusCode).toBe(204);
    expect(await recordsOf(channel)).toEqual([]);
  });

  it("lists functions page by page and describes one", async () => {
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = await lambda.send(new ListFunctionsCommand({ MaxItems: 2, Marker: marker }));
      expect((page.Functions ?? []).length).toBeLessThanOrEqual(2);
      names.push(...(page.Functions ?? []).map((f) => f.FunctionName ?? ""));
      marker = page.NextMarker;
    } while (marker);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(["fixture-lambda-echo", "fixture-records"]));

    const { Configuration } = await lambda.send(
      new GetFunctionCommand({ FunctionName: "fixture-lambda-slow" }),
    );
    expect(Configuration).toMatchObject({
      FunctionName: "fixture-lambda-slow",
      FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:fixture-lambda-slow",
      Runtime: "nodejs22.x",
      Timeout: 1,
    });
  });
});
