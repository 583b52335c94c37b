/**
 * Local stand-in for a Lambda SQS event source mapping: polls a queue through the edge with the real SQS
 * client, invokes a registered function with the AWS-shaped SQS event, and deletes what succeeded.
 *
 * Faithful to Lambda where callers can tell: batch size and batching window, `ReportBatchItemFailures`
 * (including the rules for what counts as a complete failure), nothing deleted when the function throws (the
 * messages come back after the queue's visibility timeout), and the queue's own RedrivePolicy moving a
 * message to its DLQ after maxReceiveCount receives.
 *
 * After a restart of the local cloud the mapping simply polls again: the local SQS is durable (local/sqs/), so
 * messages that were in flight come back when their visibility timeout ends, with their receive counts.
 *
 * Known gaps:
 * - The DLQ move is done by the local SQS itself (when the visibility timeout of the maxReceiveCount-th receive
 *   runs out), so this poller does not move messages.
 * - Each poller long-polls (WaitTimeSeconds 20, as Lambda's pollers do): an idle queue costs one request per
 *   20 s instead of one per `pollIntervalMs`, and a message is handed over the moment it arrives. Inside a
 *   batching window the poller short-polls every `pollIntervalMs`. Batches are de-duplicated by message id.
 * - Pollers do not scale with the backlog: `maximumConcurrency` pollers (default 1) run side by side.
 * - No 6 MB invoke payload cap, no FIFO-specific stop-on-first-failure, no filter criteria, no metrics.
 */

import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from "aws-lambda";
import { localClientConfig } from "../aws/client-config.js";
import type { LocalContext } from "../context.js";
import { duplicated } from "../faults/delivery.js";
import { functionNameOf } from "./registry.js";

export interface SqsEventSourceOptions {
  ctx: LocalContext;
  queueName: string;
  functionName: string;
  /** Records per invocation, 1–10000 (default 10). Above 10 needs a batching window of at least 1 s, as in AWS. */
  batchSize?: number;
  /** How long to keep gathering records before invoking, 0–300 s (default 0: invoke with what one receive returns). */
  maximumBatchingWindowSeconds?: number;
  /** Honour `{batchItemFailures: [{itemIdentifier}]}` in the function's response (FunctionResponseTypes). */
  reportBatchItemFailures?: boolean;
  /** Pause between receives inside a batching window, and the first back-off after an error (default 100 ms). */
  pollIntervalMs?: number;
  /** Pollers (and so concurrent invocations) for this mapping (default 1). */
  maximumConcurrency?: number;
}

export interface SqsEventSource {
  /** Stops polling; resolves once every in-flight batch has been invoked and settled. */
  stop(): Promise<void>;
}

interface QueueInfo {
  url: string;
  arn: string;
}

/** SQS caps one ReceiveMessage at 10 messages. */
const RECEIVE_MAX = 10;
/** SQS's longest long poll. */
const LONG_POLL_S = 20;
const MAX_ERROR_BACKOFF_MS = 5000;

export function startSqsEventSource(opts: SqsEventSourceOptions): SqsEventSource {
  const { ctx, queueName } = opts;
  const functionName = functionNameOf(opts.functionName);
  const batchSize = opts.batchSize ?? 10;
  const windowSeconds = opts.maximumBatchingWindowSeconds ?? 0;
  const pollIntervalMs = opts.pollIntervalMs ?? 100;
  const concurrency = opts.maximumConcurrency ?? 1;
  // The same checks CreateEventSourceMapping makes.
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10000) {
    throw new Error(`batchSize must be an integer from 1 to 10000, got ${batchSize}`);
  }
  if (windowSeconds < 0 || windowSeconds > 300) {
    throw new Error(`maximumBatchingWindowSeconds must be from 0 to 300, got ${windowSeconds}`);
  }
  if (batchSize > 10 && windowSeconds < 1) {
    throw new Error("batchSize above 10 requires maximumBatchingWindowSeconds of at least 1");
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`maximumConcurrency must be a positive integer, got ${concurrency}`);
  }

  const tag = `[sqs-event-source ${queueName} → ${functionName}]`;
  const client = new SQSClient(localClientConfig(ctx.edgeUrl));
  const stopSignal = new AbortController();
  let queue: QueueInfo | undefined;
  let lastReceiveError = "";

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopSignal.signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        stopSignal.signal.removeEventListener("abort", done);
        resolve();
      }
      stopSignal.signal.addEventListener("abort", done);
    });

  async function resolveQueue(): Promise<QueueInfo> {
    if (queue) return queue;
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: queueName }));
    if (!QueueUrl) throw new Error(`no URL for queue ${queueName}`);
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn", "VisibilityTimeout"] }),
    );
    const arn = Attributes?.QueueArn ?? `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${queueName}`;
    // AWS refuses a mapping whose queue hides messages for less time than the function may run.
    const fnTimeout = ctx.functions.list().find((f) => f.name === functionName)?.timeoutSeconds ?? 30;
    const visibility = Number(Attributes?.VisibilityTimeout ?? 30);
    if (visibility < fnTimeout) {
      console.warn(
        `${tag} queue visibility timeout ${visibility}s is shorter than the function timeout ${fnTimeout}s`,
      );
    }
    queue = { url: QueueUrl, arn };
    return queue;
  }

  async function receive(q: QueueInfo, max: number, waitSeconds: number): Promise<Message[]> {
    const { Messages } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: q.url,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        // Both spellings: AttributeNames is the older one, which some SQS implementations still read.
        AttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
      // stop() ends a long poll at once.
      { abortSignal: stopSignal.signal },
    );
    return Messages ?? [];
  }

  /** Receives until the batch is full or the window has run out. Empty when the queue had nothing. */
  async function gather(q: QueueInfo): Promise<Message[]> {
    const byId = new Map<string, Message>();
    let deadline: number | undefined;
    while (byId.size < batchSize) {
      // The first receive waits for work; the window's later ones take what is there.
      const wait = byId.size === 0 && deadline === undefined ? LONG_POLL_S : 0;
      const got = await receive(q, Math.min(RECEIVE_MAX, batchSize - byId.size), wait);
      // A later copy of the same message carries the newer receipt handle.
      for (const m of got) if (m.MessageId) byId.set(m.MessageId, m);
      if (byId.size === 0 || windowSeconds === 0) break;
      deadline ??= Date.now() + windowSeconds * 1000;
      const left = deadline - Date.now();
      if (left <= 0 || stopSignal.signal.aborted) break;
      if (got.length === 0) await sleep(Math.min(pollIntervalMs, left));
    }
    return [...byId.values()];
  }

  async function deliver(q: QueueInfo, messages: Message[]): Promise<void> {
    const ids = messages.map((m) => m.MessageId ?? "");
    const event: SQSEvent = { Records: messages.map((m) => toRecord(m, q.arn, ctx.region)) };
    let response: unknown;
    try {
      // Fault plan hook (local/faults/): the batch handed to the consumer twice.
      response = await duplicated("sqsDuplicate", functionName, () =>
        ctx.functions.invoke(functionName, event),
      );
    } catch (err) {
      // Lambda leaves the batch alone: every message reappears after the visibility timeout.
      console.warn(
        `${tag} invocation failed (${describe(err)}); ${ids.length} message(s) left on the queue:`,
        ids,
      );
      return;
    }
    let keep = new Set<string>();
    if (opts.reportBatchItemFailures) {
      const failures = batchItemFailures(response, ids);
      if (failures === "invalid") {
        console.warn(`${tag} invalid batchItemFailures response; treating the whole batch as failed:`, ids);
        return;
      }
      keep = failures;
    }
    const done = messages.filter((m) => !keep.has(m.MessageId ?? ""));
    await deleteMessages(q, done);
  }

  async function deleteMessages(q: QueueInfo, messages: Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += RECEIVE_MAX) {
      const chunk = messages.slice(i, i + RECEIVE_MAX);
      try {
        const res = await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: q.url,
            Entries: chunk.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
        for (const f of res.Failed ?? []) {
          const id = chunk[Number(f.Id)]?.MessageId;
          console.warn(`${tag} could not delete message ${id}: ${f.Code} ${f.Message ?? ""}`);
        }
      } catch (err) {
        console.warn(
          `${tag} DeleteMessageBatch failed (${describe(err)}):`,
          chunk.map((m) => m.MessageId),
        );
      }
    }
  }

  async function poller(): Promise<void> {
    let backoff = pollIntervalMs;
    let polledAt = 0;
    while (!stopSignal.signal.aborted) {
      let q: QueueInfo;
      let batch: Message[];
      try {
        q = await resolveQueue();
        polledAt = Date.now();
        batch = await gather(q);
        backoff = pollIntervalMs;
        lastReceiveError = "";
      } catch (err) {
        if (stopSignal.signal.aborted) break;
        // Queue not created yet, deleted, or the edge is not up: keep trying, log each new problem once.
        queue = undefined;
        const text = describe(err);
        if (text !== lastReceiveError) console.warn(`${tag} cannot receive: ${text}`);
        lastReceiveError = text;
        await sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_ERROR_BACKOFF_MS);
        continue;
      }
      if (batch.length === 0) {
        // A long poll that found nothing: poll again, but never in a tight loop (a queue answering at once,
        // as one does while the local SQS stops).
        if (Date.now() - polledAt < pollIntervalMs) await sleep(pollIntervalMs);
        continue;
      }
      await deliver(q, batch);
    }
  }

  const pollers = Array.from({ length: concurrency }, () => poller());
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        stopSignal.abort();
        await Promise.allSettled(pollers);
        client.destroy();
      })();
      return stopped;
    },
  };
}

/**
 * Reads a partial batch response the way Lambda does: null/empty means all succeeded; a malformed list, an
 * empty or unknown itemIdentifier means the whole batch failed. Returns the ids to keep on the queue.
 */
export function batchItemFailures(response: unknown, batchIds: string[]): Set<string> | "invalid" {
  if (response === null || typeof response !== "object" || Array.isArray(response)) return new Set();
  const list = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return new Set();
  if (!Array.isArray(list)) return "invalid";
  const known = new Set(batchIds);
  const failed = new Set<string>();
  for (const item of list) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== "string" || id === "" || !known.has(id)) return "invalid";
    failed.add(id);
  }
  return failed;
}

/** One received message → one record of the event Lambda sends for SQS. */
export function toRecord(m: Message, queueArn: string, region: string): SQSRecord {
  const record: SQSRecord = {
    messageId: m.MessageId ?? "",
    receiptHandle: m.ReceiptHandle ?? "",
    body: m.Body ?? "",
    attributes: { ...(m.Attributes ?? {}) } as SQSRecordAttributes,
    messageAttributes: toMessageAttributes(m.MessageAttributes),
    md5OfBody: m.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: region,
  };
  if (m.MD5OfMessageAttributes) record.md5OfMessageAttributes = m.MD5OfMessageAttributes;
  return record;
}

function toMessageAttributes(attrs: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, v] of Object.entries(attrs ?? {})) {
    out[name] = {
      ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { binaryValue: Buffer.from(v.BinaryValue).toString("base64") } : {}),
      stringListValues: v.StringListValues ?? [],
      binaryListValues: (v.BinaryListValues ?? []).map((b) => Buffer.from(b).toString("base64")),
      dataType: v.DataType ?? "String",
    };
  }
  return out;
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
