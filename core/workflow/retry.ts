// Shared Retry policies for Embark's state machines, and the error names step code throws.
//
// There is deliberately no Catch → Fail in our workflows: a redrive re-runs the unsuccessful state, so a Task
// that exhausts its retries must be the state the execution fails at. Failures are recorded by a Lambda
// subscribed to "Step Functions Execution Status Change" events (see failure-events.ts).
//
// How Step Functions names errors:
// - Lambda service trouble reaching/invoking the function: "Lambda.<Exception>" (ServiceException, …).
// - An unhandled crash, out-of-memory or function timeout: "Lambda.Unknown"; some timeouts: "Sandbox.Timedout".
// - An error thrown by our handler: its `error.name` (the Node runtime's errorType), e.g. "TransientError".
// - Optimized SQS integration: "SQS.SdkClientException" (client side, e.g. connection) and
//   "SQS.AmazonSQSException" (service side: 5xx, throttling, but also access denied).
// - A .waitForTaskToken callback failure: whatever error the SendTaskFailure caller gives ("PipelineFailed").

import type { Retrier } from "./asl.js";

/** Error names our step code throws (set as `error.name`) when the step is safe and worth retrying. */
export const RETRYABLE_ERRORS = [
  "TransientError",
  "ThrottlingException",
  "TooManyRequestsException",
  "ServiceUnavailable",
  // Powertools idempotency: another invocation holds the record (e.g. a crashed one until its timeout passes).
  "IdempotencyAlreadyInProgressError",
] as const;
export type RetryableErrorName = (typeof RETRYABLE_ERRORS)[number];

/** Error names that mean "retrying will not help": the execution fails at the step straight away. */
export const NON_RETRYABLE_ERRORS = ["ValidationError", "PipelineFailed"] as const;
export type NonRetryableErrorName = (typeof NON_RETRYABLE_ERRORS)[number];

/** Transient errors of the Lambda service itself, as Step Functions reports them. */
export const LAMBDA_SERVICE_ERRORS = [
  "Lambda.ClientExecutionTimeoutException",
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
] as const;

/** A function timeout reported by the Lambda runtime. Steps are idempotent, so a re-run is safe. */
export const LAMBDA_TIMEOUT_ERROR = "Sandbox.Timedout";
/** Unhandled crash / out-of-memory / timeout. Often deterministic, so retried only a little. */
export const LAMBDA_UNKNOWN_ERROR = "Lambda.Unknown";

export const SQS_TRANSIENT_ERRORS = ["SQS.SdkClientException", "SQS.AmazonSQSException"] as const;

const backoff = {
  IntervalSeconds: 2,
  BackoffRate: 2,
  MaxDelaySeconds: 30,
  JitterStrategy: "FULL",
} as const satisfies Omit<Retrier, "ErrorEquals">;

/** Retry for every Lambda-backed Task (direct ARN or lambda:invoke integration). */
export const transientRetry: Retrier[] = [
  {
    ErrorEquals: [...LAMBDA_SERVICE_ERRORS, ...RETRYABLE_ERRORS, LAMBDA_TIMEOUT_ERROR],
    ...backoff,
    MaxAttempts: 5,
  },
  { ErrorEquals: [LAMBDA_UNKNOWN_ERROR], ...backoff, MaxAttempts: 2 },
];

/**
 * Retry for the SQS sendMessage integration. AmazonSQSException also covers permanent errors (access denied);
 * those are deploy-time mistakes, and a re-sent message is harmless because consumers dedupe.
 */
export const sqsRetry: Retrier[] = [{ ErrorEquals: [...SQS_TRANSIENT_ERRORS], ...backoff, MaxAttempts: 5 }];

/** An error whose `name` is what Step Functions sees as the error name (the Lambda errorType). */
export class StepError extends Error {
  constructor(
    name: RetryableErrorName | NonRetryableErrorName,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = name;
  }
}

export function isRetryableErrorName(name: string): name is RetryableErrorName {
  return (RETRYABLE_ERRORS as readonly string[]).includes(name);
}

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  $retryable?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/**
 * Maps an error caught in step code to what the step should throw: AWS SDK errors the SDK itself marks
 * retryable, server faults (5xx) and network failures become TransientError (retried by the state machine);
 * anything else is returned unchanged and fails the step.
 */
export function toStepError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  if (isRetryableErrorName(err.name)) return err;
  const sdk = err as SdkErrorShape;
  const status = typeof sdk.$metadata?.httpStatusCode === "number" ? sdk.$metadata.httpStatusCode : undefined;
  const networkCodes = ["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "TimeoutError"];
  const isTransient =
    Boolean(sdk.$retryable) ||
    sdk.$fault === "server" ||
    (status !== undefined && (status >= 500 || status === 429)) ||
    networkCodes.includes(err.name) ||
    networkCodes.includes(String((err as { code?: unknown }).code));
  return isTransient ? new StepError("TransientError", `${err.name}: ${err.message}`, { cause: err }) : err;
}
