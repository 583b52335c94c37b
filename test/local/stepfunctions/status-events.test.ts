// Status-change events under a throttling EventBridge: retried, not dropped (the soak lost an onboarding's
// SUCCEEDED event to one ThrottlingException, and with it the billing events parked on the tenant).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { ExecutionRecord } from "../../../local/stepfunctions/model.js";
import { StatusEvents } from "../../../local/stepfunctions/status-events.js";

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A stand-in EventBridge answering each PutEvents with the next of `answers` (then success). */
async function eventBridge(answers: Array<{ status: number; type: string }>) {
  const puts: unknown[] = [];
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      puts.push(JSON.parse(body));
      const next = answers.shift();
      res.setHeader("content-type", "application/x-amz-json-1.1");
      if (next) {
        res.statusCode = next.status;
        res.end(JSON.stringify({ __type: next.type, message: "Rate exceeded" }));
      } else {
        res.end(JSON.stringify({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] }));
      }
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, puts };
}

const record = (): ExecutionRecord => ({
  executionArn: "arn:aws:states:us-east-1:000000000000:execution:m:x-onboard-1",
  stateMachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:m",
  name: "x-onboard-1",
  status: "SUCCEEDED",
  input: '{"tenantId":"t-1"}',
  output: "{}",
  startDate: 1,
  stopDate: 2,
  redriveCount: 0,
  roleArn: "arn:aws:iam::000000000000:role/r",
  definition: "{}",
  taskTokens: [],
  history: [],
});

describe("StatusEvents", () => {
  it("retries a throttled PutEvents until EventBridge takes the event", async () => {
    const eb = await eventBridge([
      { status: 400, type: "ThrottlingException" },
      { status: 400, type: "ThrottlingException" },
      { status: 503, type: "ServiceUnavailable" },
    ]);
    const rec = record();
    const events = new StatusEvents(eb.url, () => {});
    events.emit(rec);
    await events.drain();
    expect(eb.puts).toHaveLength(4);
    expect(rec.pendingEvents).toBeUndefined();
    await events.stop();
  });

  it("gives up at once on an answer retrying cannot change", async () => {
    const eb = await eventBridge([{ status: 400, type: "UnknownServiceException" }]);
    const events = new StatusEvents(eb.url, () => {});
    events.emit(record());
    await events.drain();
    expect(eb.puts).toHaveLength(1);
    await events.stop();
  });
});
