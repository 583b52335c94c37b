/** A work queue's SQS dead-letter queue, read by the reconciler's sweep (core/reconcile/sweep.ts). */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { DeadLetter, DeadLetterQueue } from "../ports.js";

export class SqsDeadLetterQueue implements DeadLetterQueue {
  constructor(
    readonly queueUrl: string,
    private readonly client: SQSClient = new SQSClient({}),
  ) {}

  /** The queue's name: the last part of its URL. */
  get name(): string {
    return this.queueUrl.split("/").at(-1) ?? this.queueUrl;
  }

  async depth(): Promise<number> {
    const out = await this.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.queueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    const a = out.Attributes ?? {};
    return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0);
  }

  async receive(max: number, hideSeconds: number): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    while (letters.length < max) {
      const out = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: Math.min(10, max - letters.length),
          VisibilityTimeout: hideSeconds,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ["SentTimestamp"],
        }),
      );
      const messages = out.Messages ?? [];
      for (const m of messages) {
        if (!m.ReceiptHandle) continue;
        const sent = Number(m.Attributes?.SentTimestamp);
        letters.push({
          body: parseBody(m.Body),
          receipt: m.ReceiptHandle,
          ...(Number.isFinite(sent) ? { sentAt: new Date(sent) } : {}),
        });
      }
      if (messages.length === 0) break;
    }
    return letters;
  }

  async remove(receipt: string): Promise<void> {
    await this.client.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receipt }));
  }

  async release(receipt: string): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receipt,
        VisibilityTimeout: 0,
      }),
    );
  }
}

function parseBody(body: string | undefined): unknown {
  try {
    return body === undefined ? undefined : JSON.parse(body);
  } catch {
    return body;
  }
}
