/**
 * Fixture functions and queue wiring for the Lambda runner suites (lambda-sqs, lambda-invoke). They run in the
 * global-setup process, so tests read what they recorded through the Lambda Invoke API ("fixture-records").
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type QueueAttributeName,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { localClientConfig } from "../../local/aws/client-config.js";
import type { LocalContext } from "../../local/context.js";
import type { FunctionDefinition } from "../../local/lambda/registry.js";
import { type SqsEventSourceOptions, startSqsEventSource } from "../../local/lambda/sqs-event-source.js";

/** What the consumer saw in one invocation. */
export interface RecordedBatch {
  at: number;
  records: SQSRecord[];
}

/** channel → entries, kept in the global-setup process. */
const recorded = new Map<string, unknown[]>();

function record(channel: string, entry: unknown): void {
  const list = recorded.get(channel) ?? [];
  list.push(entry);
  recorded.set(channel, list);
}

function queueNameOf(arn: string): string {
  return arn.split(":").pop() ?? arn;
}

/**
 * The SQS consumer. By body: "throw-once" throws on the first receive, "throw" always throws (whole batch
 * fails); "fail-once" is a batch item failure on the first receive, "fail" always is one.
 */
async function sqsConsumer(event: SQSEvent): Promise<SQSBatchResponse> {
  const queue = queueNameOf(event.Records[0]?.eventSourceARN ?? "unknown");
  record(queue, { at: Date.now(), records: event.Records } satisfies RecordedBatch);
  const first = (r: SQSRecord) => r.attributes.ApproximateReceiveCount === "1";
  for (const r of event.Records) {
    if (r.body.includes("throw-once") ? first(r) : r.body.includes("throw")) {
      throw new Error(`fixture consumer refused message ${r.messageId}`);
    }
  }
  const failures = event.Records.filter((r) =>
    r.body.includes("fail-once") ? first(r) : r.body.includes("fail"),
  );
  return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })) };
}

class FixtureError extends Error {
  override name = "FixtureError";
}

export const sqsFixtureFunctions: FunctionDefinition[] = [
  { name: "fixture-sqs-consumer", timeoutSeconds: 1, load: async () => sqsConsumer },
  {
    name: "fixture-records",
    load: async () => async (event: { channel: string }) => ({ entries: recorded.get(event.channel) ?? [] }),
  },
  // Invoke API fixtures.
  { name: "fixture-lambda-echo", load: async () => async (event: unknown) => ({ received: event }) },
  { name: "fixture-lambda-undefined", load: async () => async () => undefined },
  {
    name: "fixture-lambda-throw",
    load: async () => async (event: { message?: string }) => {
      throw new FixtureError(event.message ?? "fixture failure");
    },
  },
  {
    name: "fixture-lambda-slow",
    timeoutSeconds: 1,
    load: async () => () => new Promise((resolve) => setTimeout(resolve, 5000)),
  },
  {
    name: "fixture-lambda-recorder",
    load: async () => async (event: { channel: string }) => {
      record(event.channel, event);
      return { ok: true };
    },
  },
  {
    // Fails its first attempt per channel: shows Lambda's async retry.
    name: "fixture-lambda-flaky-recorder",
    load: async () => async (event: { channel: string }) => {
      const attempt = (recorded.get(event.channel)?.length ?? 0) + 1;
      record(event.channel, { attempt, at: Date.now() });
      if (attempt === 1) throw new FixtureError("first attempt fails");
      return { ok: true };
    },
  },
];

interface FixtureQueue {
  name: string;
  attributes: Partial<Record<QueueAttributeName, string>>;
  dlq?: { name: string; maxReceiveCount: number };
  mapping?: Omit<SqsEventSourceOptions, "ctx" | "queueName" | "functionName">;
}

/** A mapping to fixture-sqs-consumer, polled fast; `windowed`: batching window of 1 s; `partial`: reports failures. */
const consumer = (batchSize: number, { windowed = false, partial = false } = {}) => ({
  batchSize,
  ...(windowed ? { maximumBatchingWindowSeconds: 1 } : {}),
  ...(partial ? { reportBatchItemFailures: true } : {}),
  pollIntervalMs: 50,
});

/** Queues the lambda-sqs suite uses, and the event source mappings on them (all to fixture-sqs-consumer). */
export const sqsFixtureQueues: FixtureQueue[] = [
  {
    name: "fixture-sqs-batch",
    attributes: { VisibilityTimeout: "30" },
    mapping: consumer(5, { windowed: true, partial: true }),
  },
  {
    name: "fixture-sqs-partial",
    attributes: { VisibilityTimeout: "2" },
    dlq: { name: "fixture-sqs-partial-dlq", maxReceiveCount: 5 },
    mapping: consumer(10, { windowed: true, partial: true }),
  },
  {
    name: "fixture-sqs-dlq-source",
    attributes: { VisibilityTimeout: "1" },
    dlq: { name: "fixture-sqs-dlq", maxReceiveCount: 2 },
    mapping: consumer(10, { partial: true }),
  },
  {
    name: "fixture-sqs-visibility",
    attributes: { VisibilityTimeout: "3" },
    mapping: consumer(10, { windowed: true }),
  },
];

/** The parts of LocalCloud the wiring needs. */
export interface SqsFixtureHost {
  context: LocalContext;
  onStop(fn: () => Promise<void>): void;
}

/** Registers the fixtures, creates the fixture queues (DLQs first) and starts their event source mappings. */
export async function wireSqsFixtures(cloud: SqsFixtureHost): Promise<void> {
  const ctx = cloud.context;
  for (const def of sqsFixtureFunctions) ctx.functions.register(def);
  const sqs = new SQSClient(localClientConfig(ctx.edgeUrl));
  try {
    for (const q of sqsFixtureQueues) {
      const attributes = { ...q.attributes };
      if (q.dlq) {
        const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: q.dlq.name }));
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
        );
        attributes.RedrivePolicy = JSON.stringify({
          deadLetterTargetArn: Attributes?.QueueArn,
          maxReceiveCount: q.dlq.maxReceiveCount,
        });
      }
      await sqs.send(new CreateQueueCommand({ QueueName: q.name, Attributes: attributes }));
      if (q.mapping) {
        const mapping = startSqsEventSource({
          ctx,
          queueName: q.name,
          functionName: "fixture-sqs-consumer",
          ...q.mapping,
        });
        cloud.onStop(() => mapping.stop());
      }
    }
  } finally {
    sqs.destroy();
  }
}
