/**
 * SQS queues and their dead-letter queues, read through the SQS API: depths (GetQueueAttributes), redrive
 * policies and which queues use a DLQ, a look at messages that leaves them in place, and DLQ move tasks.
 */
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  ListQueuesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { isQueueMissing } from "./aws-errors.js";
import { collectPages } from "./paginate.js";

export interface QueueInfo {
  name: string;
  url: string;
  arn: string;
  visible: number;
  inFlight: number;
  delayed: number;
  /** The DLQ this queue sends to, and after how many receives. */
  deadLetterQueue?: { name: string; arn: string; maxReceiveCount: number };
  /** Queues that use this one as their DLQ (filled by readQueues and readQueueNamed). */
  sourceQueues: string[];
  attributes: Record<string, string>;
}

function nameOfQueueUrl(url: string): string {
  return url.split("/").filter(Boolean).at(-1) ?? url;
}

const nameOfArn = (arn: string): string => arn.split(":").at(-1) ?? arn;

function listQueueUrls(sqs: SQSClient, prefix?: string): Promise<string[]> {
  return collectPages(async (NextToken) => {
    const page = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 1000, NextToken }),
    );
    return { items: page.QueueUrls, next: page.NextToken };
  });
}

/** A queue's URL by name (in another account for a DLQ's ARN); undefined if there is no such queue. */
export async function queueUrlOf(
  sqs: SQSClient,
  name: string,
  account?: string,
): Promise<string | undefined> {
  try {
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }),
    );
    return QueueUrl;
  } catch (err) {
    if (isQueueMissing(err)) return undefined;
    throw err;
  }
}

/** One queue's attributes; undefined if it was deleted (between a listing and now, say). */
export async function readQueue(sqs: SQSClient, url: string): Promise<QueueInfo | undefined> {
  let attributes: Record<string, string>;
  try {
    const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
    attributes = { ...out.Attributes };
  } catch (err) {
    if (isQueueMissing(err)) return undefined;
    throw err;
  }
  const num = (k: string) => Number(attributes[k] ?? 0);
  return {
    name: nameOfQueueUrl(url),
    url,
    arn: attributes.QueueArn ?? "",
    visible: num("ApproximateNumberOfMessages"),
    inFlight: num("ApproximateNumberOfMessagesNotVisible"),
    delayed: num("ApproximateNumberOfMessagesDelayed"),
    deadLetterQueue: deadLetterQueueOf(attributes.RedrivePolicy),
    sourceQueues: [],
    attributes,
  };
}

function deadLetterQueueOf(redrivePolicy: string | undefined): QueueInfo["deadLetterQueue"] {
  if (!redrivePolicy) return undefined;
  try {
    const policy = JSON.parse(redrivePolicy) as { deadLetterTargetArn?: string; maxReceiveCount?: number };
    if (!policy.deadLetterTargetArn) return undefined;
    return {
      arn: policy.deadLetterTargetArn,
      name: nameOfArn(policy.deadLetterTargetArn),
      maxReceiveCount: Number(policy.maxReceiveCount ?? 0),
    };
  } catch {
    // A malformed policy is shown as an attribute only.
    return undefined;
  }
}

/** Every queue (whose name starts with `prefix`), by name, each with the queues among them that use it as DLQ. */
export async function readQueues(sqs: SQSClient, prefix?: string): Promise<QueueInfo[]> {
  const urls = await listQueueUrls(sqs, prefix);
  const infos = (await Promise.all(urls.map((url) => readQueue(sqs, url)))).filter(
    (q): q is QueueInfo => q !== undefined,
  );
  for (const q of infos) {
    q.sourceQueues = infos.filter((s) => s.deadLetterQueue?.arn === q.arn).map((s) => s.name);
  }
  return infos.sort((a, b) => a.name.localeCompare(b.name));
}

/** A queue by name, with every queue that uses it as DLQ (ListDeadLetterSourceQueues); undefined if none. */
export async function readQueueNamed(sqs: SQSClient, name: string): Promise<QueueInfo | undefined> {
  const url = await queueUrlOf(sqs, name);
  const info = url ? await readQueue(sqs, url) : undefined;
  if (!info) return undefined;
  const sources = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: info.url }));
  info.sourceQueues = (sources.queueUrls ?? []).map(nameOfQueueUrl);
  return info;
}

/**
 * Looks at up to `max` messages without consuming them: received with a visibility timeout of 0 so they
 * stay available to consumers and to a redrive (each look still counts as a receive, as in the AWS console).
 */
export async function peekMessages(sqs: SQSClient, queueUrl: string, max = 10): Promise<Message[]> {
  const seen = new Map<string, Message>();
  for (let round = 0; round < 3 && seen.size < max; round++) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        VisibilityTimeout: 0,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ["All"],
        // The older spelling too: some SQS implementations (local-aws-sqs among them) read only this one.
        AttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    const before = seen.size;
    for (const m of out.Messages ?? []) if (m.MessageId && !seen.has(m.MessageId)) seen.set(m.MessageId, m);
    if (seen.size === before) break;
  }
  return [...seen.values()].slice(0, max);
}

/** The DLQ's recent message move tasks (its redrives; AWS lists the newest first). */
export async function moveTasks(sqs: SQSClient, dlqArn: string): Promise<ListMessageMoveTasksResultEntry[]> {
  const out = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 10 }));
  return out.Results ?? [];
}
