/**
 * Delivers matched events to rule targets (a small stand-in for EventBridge's delivery, faithful where callers
 * can tell): SQS queues (SendMessage through the edge), Step Functions state machines (StartExecution through
 * the edge) and local Lambda functions (asynchronous "Event" invocation through the FunctionRegistry).
 * Delivery is asynchronous to PutEvents, retried with backoff per the target's RetryPolicy, and sent to the
 * target's dead-letter queue with AWS's message attributes (RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE,
 * EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS) when it cannot be delivered.
 *
 * Durable: each delivery is journaled (journal.ts) before PutEvents answers, with its retry count; one still owed
 * when the process ends (killed or stopped) is resumed at the next start, its retry count and age kept.
 *
 * Local-only: failure injection per target ARN (setFailure / X-Amz-Target AWSEvents.EmbarkLocalSetTargetFailure),
 * so tests can hold a delivery in retry.
 *
 * Retries follow the target's RetryPolicy with AWS's defaults (185 retries, 24 h), so a throttled or failing
 * target is not dropped after a few tries. Known gaps: the backoff starts at 100 ms and stops growing at 5 s
 * (AWS: spread over up to 24 h); errors
 * AWS does not retry (missing queue, state machine or function) go straight to the DLQ; a Lambda handler's
 * own error is logged, not retried (Lambda's async retries and destinations are not emulated); SNS, API
 * destinations, Kinesis, other buses and the other target types are not supported (the event is logged and
 * dropped, or sent to the DLQ when there is one).
 */

import { randomUUID } from "node:crypto";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import {
  GetQueueUrlCommand,
  type MessageAttributeValue,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { localClientConfig } from "../aws/client-config.js";
import type { LocalContext } from "../context.js";
import { duplicated } from "../faults/delivery.js";
import { type RuleRef, targetInput } from "./input.js";
import type { DeliveryJournal, PendingDelivery } from "./journal.js";
import type { Target } from "./store.js";

export type { Target } from "./store.js";

/** AWS's RetryPolicy defaults for a target that sets none. */
const DEFAULT_RETRIES = 185;
const DEFAULT_MAX_AGE_SECONDS = 86_400;
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 5_000;

class DeliveryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export class TargetDelivery {
  private readonly sqs: SQSClient;
  private readonly sfn: SFNClient;
  private readonly queueUrls = new Map<string, string>();
  private readonly pending = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Target ARN → the error code its deliveries fail with (failure injection). */
  private readonly failures = new Map<string, string>();
  private stopped = false;

  constructor(
    private readonly ctx: LocalContext,
    private readonly journal: DeliveryJournal,
  ) {
    // Our own retry loop decides; the SDK should not retry behind it.
    this.sqs = new SQSClient({ ...localClientConfig(ctx.edgeUrl), maxAttempts: 1 });
    this.sfn = new SFNClient({ ...localClientConfig(ctx.edgeUrl), maxAttempts: 1 });
  }

  /**
   * Starts delivering in the background; the promise resolves once the delivery is journaled (PutEvents answers
   * after that, not after the delivery).
   */
  deliver(
    rule: RuleRef,
    target: Target,
    event: Record<string, unknown>,
    ingestionTime: string,
  ): Promise<void> {
    const delivery: PendingDelivery = {
      id: randomUUID(),
      rule,
      target,
      event,
      ingestionTime,
      acceptedAt: Date.now(),
      attempt: 0,
    };
    const journaled = this.journal.add(delivery);
    this.start(delivery);
    return journaled;
  }

  /** Continues deliveries journaled before a restart. */
  resume(deliveries: PendingDelivery[]): void {
    for (const d of deliveries) this.start(d);
  }

  /** Failure injection: deliveries to `arn` fail with `code` (retried unless AWS would not); undefined clears. */
  setFailure(arn: string, code: string | undefined): void {
    if (code) this.failures.set(arn, code);
    else this.failures.delete(arn);
  }

  private start(delivery: PendingDelivery): void {
    if (this.stopped) return;
    // Fault plan hook (local/faults/): an event delivered twice.
    const p = duplicated("eventsDuplicate", delivery.target.Arn, () => this.run(delivery)).catch((err) => {
      console.error(`[eventbridge] delivery to ${delivery.target.Arn} failed unexpectedly:`, err);
    });
    this.pending.add(p);
    p.finally(() => this.pending.delete(p));
  }

  /** Resolves once every delivery started so far has finished (delivered, dead-lettered or dropped). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.sqs.destroy();
    this.sfn.destroy();
  }

  private async run(delivery: PendingDelivery): Promise<void> {
    await this.attempts(delivery);
    // Not when stopping: the journal keeps it for the next start.
    if (!this.stopped) this.journal.done(delivery);
  }

  private async attempts(delivery: PendingDelivery): Promise<void> {
    const { rule, target, event, ingestionTime } = delivery;
    const retries = target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_RETRIES;
    const maxAgeMs = (target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_SECONDS) * 1000;
    const started = delivery.acceptedAt;
    let payload: string;
    try {
      payload = targetInput(target, event, rule, ingestionTime);
    } catch (err) {
      await this.deadLetter(
        rule,
        target,
        event,
        new DeliveryError("InputTransformationFailed", String(err), false),
        0,
      );
      return;
    }
    for (;;) {
      const attempt = delivery.attempt;
      try {
        await this.send(target, payload, event);
        return;
      } catch (raw) {
        const err = toDeliveryError(raw);
        if (this.stopped) return;
        if (!err.retryable) {
          await this.deadLetter(rule, target, event, err, attempt);
          return;
        }
        if (attempt >= retries) {
          await this.deadLetter(rule, target, event, err, attempt, "MaximumRetryAttemptsExhausted");
          return;
        }
        if (Date.now() - started > maxAgeMs) {
          await this.deadLetter(rule, target, event, err, attempt, "MaximumEventAgeExhausted");
          return;
        }
        await this.sleep(Math.min(BASE_DELAY_MS * 2 ** attempt, MAX_DELAY_MS));
        if (this.stopped) return;
        delivery.attempt = attempt + 1;
        this.journal.attempt(delivery);
      }
    }
  }

  private async send(target: Target, payload: string, event: Record<string, unknown>): Promise<void> {
    const injected = this.failures.get(target.Arn);
    if (injected) {
      throw new DeliveryError(injected, "Failure injected locally", !NOT_RETRYABLE.has(injected));
    }
    const arn = parseArn(target.Arn);
    if (arn?.service === "sqs") {
      const fifo = arn.resource.endsWith(".fifo");
      try {
        await this.sqs.send(
          new SendMessageCommand({
            QueueUrl: await this.queueUrl(arn.resource, arn.account),
            MessageBody: payload,
            // FIFO targets: the rule's group id, and the event id as deduplication id, as EventBridge does.
            ...(fifo
              ? {
                  MessageGroupId: target.SqsParameters?.MessageGroupId,
                  MessageDeduplicationId: String(event.id),
                }
              : {}),
          }),
        );
      } catch (err) {
        this.queueUrls.delete(`${arn.account}:${arn.resource}`);
        throw err;
      }
      return;
    }
    if (arn?.service === "states") {
      await this.sfn.send(new StartExecutionCommand({ stateMachineArn: target.Arn, input: payload }));
      return;
    }
    if (arn?.service === "lambda") {
      if (!this.ctx.functions.has(target.Arn)) {
        throw new DeliveryError("ResourceNotFoundException", `Function not found: ${target.Arn}`, false);
      }
      // Asynchronous ("Event") invocation: accepted at once; the handler's outcome is the function's business.
      let parsed: unknown = payload;
      try {
        parsed = JSON.parse(payload);
      } catch {
        // A plain-text InputTemplate reaches the function as a string.
      }
      // EventBridge invokes Lambda asynchronously: Lambda itself retries a failing invocation twice.
      this.ctx.functions.invokeAsync(target.Arn, parsed);
      return;
    }
    throw new DeliveryError(
      "UnsupportedTarget",
      `The local EventBridge cannot deliver to ${target.Arn}`,
      false,
    );
  }

  private async queueUrl(name: string, account: string): Promise<string> {
    const key = `${account}:${name}`;
    const cached = this.queueUrls.get(key);
    if (cached) return cached;
    const out = await this.sqs.send(
      new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }),
    );
    if (!out.QueueUrl) throw new DeliveryError("QueueDoesNotExist", `Queue ${name} does not exist`, false);
    this.queueUrls.set(key, out.QueueUrl);
    return out.QueueUrl;
  }

  private async deadLetter(
    rule: RuleRef,
    target: Target,
    event: Record<string, unknown>,
    err: DeliveryError,
    retries: number,
    exhausted?: string,
  ): Promise<void> {
    const dlq = target.DeadLetterConfig?.Arn;
    if (!dlq) {
      console.error(
        `[eventbridge] dropped event ${String(event.id)} for ${target.Arn}: ${err.code}: ${err.message}`,
      );
      return;
    }
    const arn = parseArn(dlq);
    if (arn?.service !== "sqs") {
      console.error(
        `[eventbridge] dead-letter target ${dlq} is not an SQS queue; event ${String(event.id)} dropped`,
      );
      return;
    }
    const attrs: Record<string, MessageAttributeValue> = {
      RULE_ARN: str(rule.arn),
      TARGET_ARN: str(target.Arn),
      ERROR_CODE: str(err.code),
      ERROR_MESSAGE: str(err.message || err.code),
      RETRY_ATTEMPTS: { DataType: "Number", StringValue: String(retries) },
    };
    if (exhausted) attrs.EXHAUSTED_RETRY_CONDITION = str(exhausted);
    try {
      await this.sqs.send(
        new SendMessageCommand({
          QueueUrl: await this.queueUrl(arn.resource, arn.account),
          MessageBody: JSON.stringify(event),
          MessageAttributes: attrs,
        }),
      );
    } catch (dlqErr) {
      console.error(`[eventbridge] could not dead-letter event ${String(event.id)} to ${dlq}:`, dlqErr);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }
}

function str(value: string): MessageAttributeValue {
  return { DataType: "String", StringValue: value };
}

export function parseArn(arn: string): { service: string; account: string; resource: string } | undefined {
  const m = /^arn:aws[\w-]*:([^:]+):[^:]*:([^:]*):(.+)$/.exec(arn);
  if (!m) return undefined;
  return { service: m[1]!, account: m[2]!, resource: m[3]! };
}

const NOT_RETRYABLE = new Set([
  "QueueDoesNotExist",
  "AWS.SimpleQueueService.NonExistentQueue",
  "StateMachineDoesNotExist",
  "StateMachineDeleting",
  "ResourceNotFoundException",
  "InvalidArn",
  "InvalidExecutionInput",
  "InvalidParameterValue",
  "InvalidMessageContents",
  "MissingParameter",
  "ValidationException",
]);

function toDeliveryError(raw: unknown): DeliveryError {
  if (raw instanceof DeliveryError) return raw;
  const err = raw as { name?: string; message?: string };
  const code = err?.name ?? "InternalError";
  return new DeliveryError(code, err?.message ?? String(raw), !NOT_RETRYABLE.has(code));
}
