/** Sends JSON messages to an SQS queue. */
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";

let shared: SQSClient | undefined;

export class JsonQueue {
  constructor(
    readonly queueUrl: string,
    private readonly client: SQSClient = (shared ??=
      new SQSClient({})),
  ) {}

  async send(body: unknown): Promise<string | undefined> {
    const out = await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(body) }),
    );
    return out.MessageId;
  }
}
