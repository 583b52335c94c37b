/** Sends JSON messages to an SQS queue. */
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { MessageQueue } from "../ports.js";

const shared = new SQSClient({});

export class SqsJsonQueue implements MessageQueue {
  constructor(
    readonly queueUrl: string,
    private readonly client: SQSClient = shared,
  ) {}

  async send(body: unknown): Promise<string | undefined> {
    const out = await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(body) }),
    );
    return out.MessageId;
  }
}
