/**
 * The local SQS keeps what it acknowledged across a real SIGKILL of the process serving it: a local cloud runs
 * in a child process (test/support/cloud-process.ts), is killed mid-work, and started again on the same state
 * directory. Real SDK clients over HTTP throughout.
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localClientConfig } from "../../../local/aws/client-config.js";
import { CloudProcess } from "../../support/cloud-process.js";

let cloud: CloudProcess;

beforeAll(async () => {
  cloud = await CloudProcess.create({ program: "fixtures" });
});

afterAll(async () => {
  await cloud?.dispose();
});

async function start(): Promise<SQSClient> {
  const { edge } = await cloud.start();
  return new SQSClient({ ...localClientConfig(edge), maxAttempts: 1 });
}

async function attributes(sqs: SQSClient, QueueUrl: string | undefined): Promise<Record<string, string>> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
  return out.Attributes ?? {};
}

async function receive(sqs: SQSClient, QueueUrl: string | undefined, max: number, visibility: number) {
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl,
      MaxNumberOfMessages: max,
      VisibilityTimeout: visibility,
      MessageSystemAttributeNames: ["All"],
      MessageAttributeNames: ["All"],
    }),
  );
  return out.Messages ?? [];
}

/** Receives (hiding for 300 s) until `want` distinct messages came or 30 s passed. */
async function drain(
  sqs: SQSClient,
  QueueUrl: string | undefined,
  want: number,
): Promise<Map<string, Message>> {
  const got = new Map<string, Message>();
  const deadline = Date.now() + 30_000;
  while (got.size < want && Date.now() < deadline) {
    const batch = await receive(sqs, QueueUrl, 10, 300);
    for (const m of batch) got.set(m.MessageId ?? "", m);
    if (batch.length === 0) await sleep(200);
  }
  return got;
}

const ids = (ms: Message[]) => ms.map((m) => m.MessageId ?? "");

describe("SQS across a SIGKILL", () => {
  it("keeps acknowledged messages, in-flight deadlines and receipt handles, receive counts, deletions and DLQ moves", async () => {
    const sqs = await start();
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: "crash-dlq" }));
    const dlqArn = (await attributes(sqs, dlq.QueueUrl)).QueueArn;
    const redrive = (max: number) => JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: max });
    const main = await sqs.send(
      new CreateQueueCommand({ QueueName: "crash-q", Attributes: { RedrivePolicy: redrive(3) } }),
    );
    const poison = await sqs.send(
      new CreateQueueCommand({ QueueName: "crash-poison", Attributes: { RedrivePolicy: redrive(1) } }),
    );
    const poisonArn = (await attributes(sqs, poison.QueueUrl)).QueueArn;

    // 20 messages with attributes, one delayed.
    const sent = new Map<string, string>();
    for (const round of [0, 1]) {
      const out = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: main.QueueUrl,
          Entries: Array.from({ length: 10 }, (_, i) => ({
            Id: `m${i}`,
            MessageBody: `body-${round}-${i}`,
            MessageAttributes: { n: { DataType: "Number", StringValue: String(round * 10 + i) } },
          })),
        }),
      );
      expect(out.Failed ?? []).toEqual([]);
      for (const s of out.Successful ?? []) sent.set(s.MessageId ?? "", `body-${round}-${s.Id?.slice(1)}`);
    }
    const delayed = await sqs.send(
      new SendMessageCommand({ QueueUrl: main.QueueUrl, MessageBody: "delayed", DelaySeconds: 2 }),
    );
    sent.set(delayed.MessageId ?? "", "delayed");

    // Three deleted, three briefly in flight, two in flight for long.
    const deleted = await receive(sqs, main.QueueUrl, 3, 60);
    for (const m of deleted) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: main.QueueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
    const short = await receive(sqs, main.QueueUrl, 3, 4);
    const long = await receive(sqs, main.QueueUrl, 2, 300);
    expect([deleted.length, short.length, long.length]).toEqual([3, 3, 2]);

    // One message already moved to the DLQ, one received as often as its queue allows (moves after restart).
    const p1 = await sqs.send(new SendMessageCommand({ QueueUrl: poison.QueueUrl, MessageBody: "poison-1" }));
    expect(ids(await receive(sqs, poison.QueueUrl, 1, 1))).toEqual([p1.MessageId]);
    while (Number((await attributes(sqs, dlq.QueueUrl)).ApproximateNumberOfMessages) < 1) await sleep(100);
    const p2 = await sqs.send(new SendMessageCommand({ QueueUrl: poison.QueueUrl, MessageBody: "poison-2" }));
    expect(ids(await receive(sqs, poison.QueueUrl, 1, 4))).toEqual([p2.MessageId]);

    // A burst of sends, killed part-way: every send answered 200 must survive.
    const burstQ = await sqs.send(new CreateQueueCommand({ QueueName: "crash-burst" }));
    const acked: string[] = [];
    const burst = Array.from({ length: 150 }, (_, i) =>
      sqs.send(new SendMessageCommand({ QueueUrl: burstQ.QueueUrl, MessageBody: `burst-${i}` })).then(
        (r) => acked.push(r.MessageId ?? ""),
        () => undefined, // cut off by the kill: not acknowledged
      ),
    );
    while (acked.length < 40) await sleep(2);
    await cloud.kill();
    await Promise.allSettled(burst);
    sqs.destroy();

    const again = await start();
    // The long in-flight messages kept their receipt handles across the restart.
    await again.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: main.QueueUrl,
        ReceiptHandle: long[0]?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    // A deleted message's handle still deletes nothing and brings nothing back.
    await again.send(
      new DeleteMessageCommand({ QueueUrl: main.QueueUrl, ReceiptHandle: deleted[0]?.ReceiptHandle }),
    );

    const expected = new Set(sent.keys());
    for (const id of [...ids(deleted), long[1]?.MessageId ?? ""]) expected.delete(id);
    const got = await drain(again, main.QueueUrl, expected.size);
    expect(new Set(got.keys())).toEqual(expected);
    for (const [id, m] of got) {
      expect(m.Body).toBe(sent.get(id));
      const seenBefore = ids(short).includes(id) || id === long[0]?.MessageId;
      expect(m.Attributes?.ApproximateReceiveCount).toBe(seenBefore ? "2" : "1");
      if (m.Body?.startsWith("body-")) expect(m.MessageAttributes?.n?.DataType).toBe("Number");
    }
    // long[1] is still hidden; everything else is now in flight under this test's 300 s receive.
    const counts = await attributes(again, main.QueueUrl);
    expect(counts.ApproximateNumberOfMessages).toBe("0");
    expect(counts.ApproximateNumberOfMessagesNotVisible).toBe(String(expected.size + 1));

    // Both poison messages end in the DLQ (p2 once its visibility timeout ran out, after the restart).
    const inDlq = await drain(again, dlq.QueueUrl, 2);
    expect(new Set(inDlq.keys())).toEqual(new Set([p1.MessageId, p2.MessageId]));
    for (const m of inDlq.values()) expect(m.Attributes?.DeadLetterQueueSourceArn).toBe(poisonArn);

    const burstGot = await drain(again, burstQ.QueueUrl, acked.length);
    for (const id of acked) expect(burstGot.has(id)).toBe(true);
    again.destroy();
  }, 240_000); // two local cloud start-ups; slow on a loaded 2-core machine
});
