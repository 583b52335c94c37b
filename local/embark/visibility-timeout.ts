import { FUNCTIONS, visibilityTimeoutFor, WORK_QUEUES } from "../../core/app/manifest.js";
import type { QueueKey } from "../../core/app/resources.js";

/**
 * The queue's visibility timeout (6× its consumer's timeout), or at most EMBARK_VISIBILITY_TIMEOUT_SECONDS: a
 * local-only cap so a soak under faults sees failed messages come back in seconds, not minutes. Never below the
 * consumer's timeout, which AWS refuses for an event source mapping: a message redelivered sooner finds the
 * killed attempt's idempotency record still IN_PROGRESS (it expires with the invocation's timeout), fails
 * again and spends a receive towards the DLQ.
 */
export function localVisibilityTimeout(
  key: QueueKey,
  cap = process.env.EMBARK_VISIBILITY_TIMEOUT_SECONDS,
): number {
  const seconds = Number(cap ?? "");
  const consumerTimeout = FUNCTIONS[WORK_QUEUES[key].consumer].timeoutSeconds;
  return Number.isInteger(seconds) && seconds > 0
    ? Math.min(Math.max(seconds, consumerTimeout), visibilityTimeoutFor(key))
    : visibilityTimeoutFor(key);
}
