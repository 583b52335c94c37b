/**
 * SQS event source mapping, end to end through the edge: the real SQS client sends, the local mapping polls
 * the local SQS (local/sqs/) and invokes fixture-sqs-consumer (test/support/fixture-functions-sqs.ts), and the test reads
 * what the consumer saw through the Lambda Invoke API.
 */
import { createHash, randomUUID } from "node:crypto";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { afterAll, describe, expect, it } from "vitest";
import { awsConfig } from "../../support/cloud.js";
import type { RecordedBatch } from "../../support/fixture-functions-sqs.js";
import { waitFor } from "../../support/wait.js";

const sqs = new SQSClient(awsConfig());
const lambda = new LambdaClient(awsConfig());
afterAll(() => {
  sqs.destroy();
  lambda.destroy();
});

async function queueUrl(name: string): Promise<string> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error(`no queue ${name}`);
  return QueueUrl;
}

async function queueAttributes(name: string) {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: await queueUrl(name), AttributeNames: ["All"] }),
  );
  return Attributes ?? {};
}

/** Batches the consumer received from `queue` that carry one of `bodies`. */
async function batchesFor(queue: string, bodies: string[]): Promise<RecordedBatch[]> {
  const res = await lambda.send(
    new InvokeCommand({ FunctionName: "fixture-records", Payload: JSON.stringify({ channel: queue }) }),
  );
  const { entries } = JSON.parse(Buffer.from(res.Payload ?? []).toString()) as { entries: RecordedBatch[] };
  return entries
    .map((b) => ({ ...b, records: b.records.filter((r) => bodies.includes(r.body)) }))
    .filter((b) => b.records.length > 0);
}

function deliveries(batches: RecordedBatch[], body: string): SQSRecord[] {
  return batches.flatMap((b) => b.records.filter((r) => r.body === body));
}

async function send(queue: string, bodies: string[], attributes = false): Promise<string[]> {
  const res = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: await queueUrl(queue),
      Entries: bodies.map((body, i) => ({
        Id: String(i),
        MessageBody: body,
        ...(attributes
          ? {
              MessageAttributes: {
                tenant: { DataType: "String", StringValue: "acme" },
                blob: { DataType: "Binary", BinaryValue: Buffer.from([1, 2, 3]) },
              },
            }
          : {}),
      })),
    }),
  );
  expect(res.Failed ?? []).toEqual([]);
  return bodies.map((_, i) => res.Successful?.find((s) => s.Id === String(i))?.MessageId ?? "");
}

async function waitUntilEmpty(queue: string): Promise<void> {
  // As on AWS, in-flight messages are counted apart: drained means neither visible nor in flight.
  await waitFor(`${queue} to drain`, async () => {
    const a = await queueAttributes(queue);
    return a.ApproximateNumberOfMessages === "0" && a.ApproximateNumberOfMessagesNotVisible === "0"
      ? true
      : undefined;
  });
}

describe("SQS event source mapping", () => {
  it("delivers messages in batches of at most batchSize, in AWS's SQS event shape, and deletes them", async () => {
    const run = randomUUID();
    const first = Array.from({ length: 5 }, (_, i) => `batch-${run}-a${i}`);
    const ids = await send("fixture-sqs-batch", first, true);
    const batches = await waitFor("the first five messages", async () => {
      const b = await batchesFor("fixture-sqs-batch", first);
      return b.flatMap((x) => x.records).length >= 5 ? b : undefined;
    });
    // Sent together, gathered within the 1 s window: one invocation with all five.
    expect(batches).toHaveLength(1);
    const records = batches[0]?.records ?? [];
    expect(records.map((r) => r.messageId).sort()).toEqual([...ids].sort());

    const arn = (await queueAttributes("fixture-sqs-batch")).QueueArn;
    const record = records.find((r) => r.body === first[0]);
    expect(record).toMatchObject({
      messageId: ids[0],
      body: first[0],
      md5OfBody: createHash("md5")
        .update(first[0] as string)
        .digest("hex"),
      eventSource: "aws:sqs",
      eventSourceARN: arn,
      awsRegion: "us-east-1",
      attributes: { ApproximateReceiveCount: "1" },
      messageAttributes: {
        tenant: { stringValue: "acme", stringListValues: [], binaryListValues: [], dataType: "String" },
        blob: { binaryValue: Buffer.from([1, 2, 3]).toString("base64"), dataType: "Binary" },
      },
    });
    expect(record?.receiptHandle).toBeTruthy();
    expect(record?.md5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(record?.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(Number(record?.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(
      Number(record?.attributes.SentTimestamp),
    );
    expect(record?.attributes.SenderId).toBeTruthy();

    const second = Array.from({ length: 7 }, (_, i) => `batch-${run}-b${i}`);
    await send("fixture-sqs-batch", second);
    const more = await waitFor("the next seven messages", async () => {
      const b = await batchesFor("fixture-sqs-batch", second);
      return b.flatMap((x) => x.records).length >= 7 ? b : undefined;
    });
    expect(more.map((b) => b.records.length).sort()).toEqual([2, 5]);
    expect(new Set(more.flatMap((b) => b.records.map((r) => r.body)))).toEqual(new Set(second));
    await waitUntilEmpty("fixture-sqs-batch");
  });

  it("re-delivers only the messages reported in batchItemFailures", async () => {
    const run = randomUUID();
    const bodies = [`ok-${run}-1`, `ok-${run}-2`, `fail-once-${run}`];
    await send("fixture-sqs-partial", bodies);
    const batches = await waitFor("the failed message's second delivery", async () => {
      const b = await batchesFor("fixture-sqs-partial", bodies);
      return deliveries(b, `fail-once-${run}`).length >= 2 ? b : undefined;
    });
    await waitUntilEmpty("fixture-sqs-partial");
    const all = await batchesFor("fixture-sqs-partial", bodies);
    expect(all).toHaveLength(2);
    expect(all[0]?.records.map((r) => r.body).sort()).toEqual([...bodies].sort());
    // The second invocation carries the failed message alone, received for the second time.
    expect(all[1]?.records.map((r) => [r.body, r.attributes.ApproximateReceiveCount])).toEqual([
      [`fail-once-${run}`, "2"],
    ]);
    expect(deliveries(batches, `ok-${run}-1`)).toHaveLength(1);
    expect((await queueAttributes("fixture-sqs-partial-dlq")).ApproximateNumberOfMessages).toBe("0");
  });

  it("moves a message that fails every time to the DLQ after maxReceiveCount receives", async () => {
    const run = randomUUID();
    const body = `fail-always-${run}`;
    await send("fixture-sqs-dlq-source", [body]);
    const dlqUrl = await queueUrl("fixture-sqs-dlq");
    const moved = await waitFor("the message in the DLQ", async () => {
      const res = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      return res.Messages?.find((m) => m.Body === body);
    });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: moved.ReceiptHandle }));
    // maxReceiveCount is 2: delivered twice, then moved instead of a third delivery.
    const seen = deliveries(await batchesFor("fixture-sqs-dlq-source", [body]), body);
    expect(seen.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(["1", "2"]);
    await waitUntilEmpty("fixture-sqs-dlq-source");
  });

  it("redrives a DLQ back to its source queue with StartMessageMoveTask", async () => {
    const run = randomUUID();
    const body = `fail-redriven-${run}`;
    await send("fixture-sqs-dlq-source", [body]);
    const dlq = await waitFor("the message in the DLQ", async () => {
      const a = await queueAttributes("fixture-sqs-dlq");
      return a.ApproximateNumberOfMessages === "1" ? a : undefined;
    });
    expect(deliveries(await batchesFor("fixture-sqs-dlq-source", [body]), body)).toHaveLength(2);

    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.QueueArn }));
    expect(TaskHandle).toBeTruthy();
    const task = await waitFor("the move task to complete", async () => {
      const { Results } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.QueueArn }));
      const latest = Results?.[0];
      return latest?.Status === "COMPLETED" ? latest : undefined;
    });
    expect(task.ApproximateNumberOfMessagesMoved).toBe(1);
    // Back on the source queue, the function sees it again (it still fails, so it returns to the DLQ).
    const seen = await waitFor("the redriven delivery", async () => {
      const d = deliveries(await batchesFor("fixture-sqs-dlq-source", [body]), body);
      return d.length >= 3 ? d : undefined;
    });
    expect(seen[2]?.attributes.ApproximateReceiveCount).toBe("1");
  });

  it("leaves a batch whose invocation threw until the visibility timeout runs out", async () => {
    const run = randomUUID();
    const bodies = [`throw-once-${run}`, `ok-${run}`];
    await send("fixture-sqs-visibility", bodies);
    const batches = await waitFor("both messages delivered twice", async () => {
      const b = await batchesFor("fixture-sqs-visibility", bodies);
      return bodies.every((body) => deliveries(b, body).length >= 2) ? b : undefined;
    });
    await waitUntilEmpty("fixture-sqs-visibility");
    for (const body of bodies) {
      // Nothing was deleted after the throw: each message came back once, received for the second time.
      const seen = deliveries(await batchesFor("fixture-sqs-visibility", bodies), body);
      expect(seen.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(["1", "2"]);
    }
    const [firstBatch, ...later] = batches;
    expect(firstBatch?.records).toHaveLength(2);
    // The queue's visibility timeout is 3 s: no re-delivery before it has run out, counted from the first
    // receive (the first handler may start a moment after it, so its own start time is not the reference).
    for (const b of later)
      for (const r of b.records)
        expect(b.at - Number(r.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(3000);
  });
});
