/** Sends JSON messages to an SQS queue. */
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { DeadLetters, MessageQueue, RejectedMessage } from "../ports.js";

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

/** Message attributes a refused message carries into the DLQ (the console and `aws sqs receive-message` show them). */
export const REJECTION_ATTRIBUTES = {
  reason: "embark.rejected.reason",
  by: "embark.rejected.by",
  messageId: "embark.rejected.message-id",
} as const;
/** SQS takes at most 256 KiB per message attribute value; a reason needs far less. */
const MAX_REASON = 1000;

/** A queue's DLQ, for the messages its consumer refuses (the body as received, the reason as attributes). */
export class SqsDeadLetters implements DeadLetters {
  constructor(
    readonly queueUrl: string,
    /** The consumer refusing them. */
    readonly consumer: string,
    private readonly client: SQSClient = shared,
  ) {}

  async reject(message: RejectedMessage, reason: string): Promise<void> {
    const text = (value: string) => ({ DataType: "String", StringValue: value });
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        // SQS refuses an empty body; a refused empty message is still kept, as a placeholder.
        MessageBody: message.body === "" ? "(empty message)" : message.body,
        MessageAttributes: {
          [REJECTION_ATTRIBUTES.reason]: text(reason.slice(0, MAX_REASON)),
          [REJECTION_ATTRIBUTES.by]: text(this.consumer),
          [REJECTION_ATTRIBUTES.messageId]: text(message.messageId),
        },
      }),
    );
  }
}
