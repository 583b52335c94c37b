/**
 * SQS queues, each with its own DLQ: the consumer's visibility timeout is 6× its function timeout and a message
 * moves to the DLQ after MAX_RECEIVE_COUNT deliveries (the same numbers local/wiring/embark.ts uses).
 * `events-dlq` keeps what EventBridge could not deliver and async invocations that failed every retry.
 */
import {
  BILLING_BATCH,
  BILLING_QUEUE_CONSUMER,
  type FunctionName,
  MAX_RECEIVE_COUNT,
  visibilityTimeoutFor,
} from "../core/onboarding/resources.js";

export interface WorkQueueSpec {
  consumer: FunctionName;
  /** Event source mapping: records per invocation, seconds to gather them. */
  batchSize: number;
  maximumBatchingWindowSeconds: number;
}

/** Work queues and the function that consumes each (add one entry per new queue). */
export const WORK_QUEUES = {
  signups: { consumer: "onboarding-starter", batchSize: 10, maximumBatchingWindowSeconds: 0 },
  emails: { consumer: "mailer", batchSize: 10, maximumBatchingWindowSeconds: 0 },
  billing: { consumer: BILLING_QUEUE_CONSUMER, ...BILLING_BATCH },
} as const satisfies Record<string, WorkQueueSpec>;
export type WorkQueueName = keyof typeof WORK_QUEUES;

/** 14 days, the SQS maximum: time for an operator to look at a dead letter and redrive it. */
export const DLQ_RETENTION_SECONDS = 14 * 24 * 60 * 60;

export interface WorkQueue extends WorkQueueSpec {
  queue: sst.aws.Queue;
  dlq: sst.aws.Queue;
}

export interface Queues {
  work: Record<WorkQueueName, WorkQueue>;
  /** Dead letters of EventBridge targets and failed async Lambda invocations. */
  eventsDlq: sst.aws.Queue;
}

const dlqArgs = {
  transform: { queue: { messageRetentionSeconds: DLQ_RETENTION_SECONDS, sqsManagedSseEnabled: true } },
};

export function createQueues(): Queues {
  const work = Object.fromEntries(
    (Object.entries(WORK_QUEUES) as [WorkQueueName, WorkQueueSpec][]).map(([name, spec]) => {
      const base = name[0]!.toUpperCase() + name.slice(1);
      const dlq = new sst.aws.Queue(`${base}Dlq`, dlqArgs);
      const queue = new sst.aws.Queue(`${base}Queue`, {
        visibilityTimeout: `${visibilityTimeoutFor(spec.consumer)} seconds`,
        dlq: { queue: dlq.arn, retry: MAX_RECEIVE_COUNT },
        transform: { queue: { sqsManagedSseEnabled: true } },
      });
      return [name, { ...spec, queue, dlq }];
    }),
  ) as Record<WorkQueueName, WorkQueue>;
  const eventsDlq = new sst.aws.Queue("EventsDlq", dlqArgs);
  return { work, eventsDlq };
}
