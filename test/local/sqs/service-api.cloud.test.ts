/**
 * The local SQS's API as callers see it (real SDK client over HTTP through an edge of this test's own, on a
 * temporary state directory): AWS's errors, FIFO order and deduplication, receipt-handle rules, and state
 * kept across a stop and start.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localClientConfig } from "../../../local/aws/client-config.js";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "../../../local/aws/constants.js";
import { type Edge, startEdge } from "../../../local/edge/server.js";
import { createSqsService, type LocalSqs } from "../../../local/sqs/service.js";

let dir: string;
let edge: Edge;
let service: LocalSqs;
let sqs: SQSClient;

async function startService(): Promise<void> {
  service = await createSqsService({
    dir: join(dir, "sqs"),
    baseUrl: edge.url,
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT_ID,
  });
  edge.addHttpService(service);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sqs-api-"));
  edge = await startEdge({ port: 0 });
  await startService();
  sqs = new SQSClient(localClientConfig(edge.url));
});

afterAll(async () => {
  sqs?.destroy();
  await service?.stop();
  await edge?.stop();
  await rm(dir, { recursive: true, force: true });
});

const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { name: string; Code?: string; $metadata?: { httpStatusCode?: number } }) => ({
      name: e.name,
      code: e.Code,
      status: e.$metadata?.httpStatusCode,
    }),
  );

describe("local SQS API", () => {
  it("answers with AWS's errors for a missing queue, a bad receipt handle and a message not in flight", async () => {
    expect(await failureOf(sqs.send(new GetQueueUrlCommand({ QueueName: "no-such-queue" })))).toEqual({
      name: "QueueDoesNotExist",
      code: "AWS.SimpleQueueService.NonExistentQueue",
      status: 400,
    });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "api-errors" }));
    expect(
      await failureOf(sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: "garbage" }))),
    ).toMatchObject({ name: "ReceiptHandleIsInvalid", status: 404 });
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" }));
    const [m] =
      (await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0 }))).Messages ?? [];
    expect(
      await failureOf(
        sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl,
            ReceiptHandle: m?.ReceiptHandle,
            VisibilityTimeout: 5,
          }),
        ),
      ),
    ).toMatchObject({ name: "MessageNotInflight", code: "AWS.SimpleQueueService.MessageNotInflight" });
    expect(
      await failureOf(
        sqs.send(
          new CreateQueueCommand({ QueueName: "api-errors", Attributes: { VisibilityTimeout: "99" } }),
        ),
      ),
    ).toMatchObject({ name: "QueueNameExists", code: "QueueAlreadyExists" });
    expect(
      await failureOf(
        sqs.send(
          new CreateQueueCommand({ QueueName: "api-bad", Attributes: { VisibilityTimeout: "50000" } }),
        ),
      ),
    ).toMatchObject({ name: "InvalidAttributeValue" });
  });

  it("deletes only with the latest receipt handle", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "api-receipts" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "once" }));
    const first = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0 })))
      .Messages?.[0];
    const second = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0 })))
      .Messages?.[0];
    expect(second?.MessageId).toBe(first?.MessageId);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first?.ReceiptHandle }));
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
    );
    expect(attrs.Attributes?.ApproximateNumberOfMessages).toBe("1");
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: second?.ReceiptHandle }));
    const after = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
    );
    expect(after.Attributes?.ApproximateNumberOfMessages).toBe("0");
  });

  it("keeps FIFO order per group, blocks a group while one of its messages is in flight, and deduplicates", async () => {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: "api-order.fifo",
        Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" },
      }),
    );
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: ["a1", "b1", "a2", "a1"].map((body, i) => ({
          Id: String(i),
          MessageBody: body,
          MessageGroupId: body[0],
        })),
      }),
    );
    // The second "a1" is a duplicate within 5 minutes: accepted with the first one's id, not queued again.
    expect(out.Successful?.[3]?.MessageId).toBe(out.Successful?.[0]?.MessageId);
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }));
    expect(first.Messages?.map((m) => m.Body)).toEqual(["a1"]);
    // Group a is blocked while a1 is in flight: only b1 comes.
    const next = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(next.Messages?.map((m) => m.Body)).toEqual(["b1"]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle }));
    const last = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["All"] }),
    );
    expect(last.Messages?.map((m) => m.Body)).toEqual(["a2"]);
    expect(Number(last.Messages?.[0]?.Attributes?.SequenceNumber)).toBeGreaterThan(0);
  });

  it("keeps messages, their attributes and their MD5 across a stop and start", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "api-restart" }));
    const MessageAttributes = {
      kind: { DataType: "String", StringValue: "signup" },
      blob: { DataType: "Binary", BinaryValue: new Uint8Array([1, 2, 3]) },
    };
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "kept", MessageAttributes }));
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    await service.stop();
    await startService();
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ["All"] }));
    const m = got.Messages?.[0];
    expect(m?.MessageId).toBe(sent.MessageId);
    expect(m?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(m?.MessageAttributes?.kind?.StringValue).toBe("signup");
    expect([...(m?.MessageAttributes?.blob?.BinaryValue ?? [])]).toEqual([1, 2, 3]);
  });
});
