/**
 * SQS and EventBridge plumbing for the local-cloud suites: a fresh queue, a rule that delivers to a queue, and
 * receiving from a queue until enough has arrived.
 */
import {
  type EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  type Target,
} from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

export const queueArn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

export async function createQueue(
  sqs: SQSClient,
  name: string,
): Promise<{ url: string; arn: string; name: string }> {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  return { url: out.QueueUrl!, arn: queueArn(name), name };
}

/** Puts the rule `name` (on `bus`, default the default bus) with one target, the queue `queue`. */
export async function ruleToQueue(
  events: EventBridgeClient,
  rule: { name: string; pattern: unknown; queue: string; bus?: string; target?: Partial<Target> },
): Promise<void> {
  const { name, bus } = rule;
  await events.send(
    new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: JSON.stringify(rule.pattern) }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: name,
      EventBusName: bus,
      Targets: [{ Id: "queue", Arn: queueArn(rule.queue), ...rule.target }],
    }),
  );
}

/**
 * Receives (and deletes) messages, attributes included, until `done(all received so far)` holds or `timeoutMs`
 * has passed; returns what it received either way. The emulator's long polling does not wake up when a message
 * arrives, so an empty receive is followed by a short pause instead.
 */
export async function receiveUntil(
  sqs: SQSClient,
  queueUrl: string,
  done: (received: Message[]) => boolean,
  timeoutMs = 20_000,
): Promise<Message[]> {
  const received: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!done(received) && Date.now() < deadline) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ["All"],
      }),
    );
    const batch = out.Messages ?? [];
    if (batch.length === 0) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    received.push(...batch);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
  return received;
}

/** A message body as JSON. */
export const bodyOf = <T = unknown>(m: Message): T => JSON.parse(m.Body!) as T;
