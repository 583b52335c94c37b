/**
 * The manifest's work queues, each with its own DLQ: the consumer's visibility timeout is 6× its function
 * timeout and a message moves to the DLQ after MAX_RECEIVE_COUNT deliveries (as in the local cloud).
 * `events-dlq` keeps what EventBridge could not deliver and async invocations that failed every retry.
 */
import {
  MAX_RECEIVE_COUNT,
  visibilityTimeoutFor,
  WORK_QUEUES,
  type WorkQueueSpec,
} from "../core/app/manifest.js";
import type { QueueKey } from "../core/app/resources.js";
import { pascal } from "./context.js";

/** 14 days, the SQS maximum: time for an operator to look at a dead letter and redrive it. */
export const DLQ_RETENTION_SECONDS = 14 * 24 * 60 * 60;

export interface WorkQueue extends WorkQueueSpec {
  queue: sst.aws.Queue;
  dlq: sst.aws.Queue;
}

export interface Queues {
  work: Record<QueueKey, WorkQueue>;
  /** Dead letters of EventBridge targets and failed async Lambda invocations. */
  eventsDlq: sst.aws.Queue;
}

const dlqArgs = {
  transform: { queue: { messageRetentionSeconds: DLQ_RETENTION_SECONDS, sqsManagedSseEnabled: true } },
};

export function createQueues(): Queues {
  const work = Object.fromEntries(
    (Object.entries(WORK_QUEUES) as [QueueKey, WorkQueueSpec][]).map(([name, spec]) => {
      const dlq = new sst.aws.Queue(`${pascal(name)}Dlq`, dlqArgs);
      const queue = new sst.aws.Queue(`${pascal(name)}Queue`, {
        visibilityTimeout: `${visibilityTimeoutFor(name)} seconds`,
        dlq: { queue: dlq.arn, retry: MAX_RECEIVE_COUNT },
        transform: { queue: { sqsManagedSseEnabled: true } },
      });
      return [name, { ...spec, queue, dlq }];
    }),
  ) as Record<QueueKey, WorkQueue>;
  const eventsDlq = new sst.aws.Queue("EventsDlq", dlqArgs);
  return { work, eventsDlq };
}
