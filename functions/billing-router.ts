/**
 * Billing queue → onboarding or a lifecycle workflow (SQS, partial batch failures). Each Stripe event is
 * applied once (Powertools idempotency keyed on its id: a re-delivered event returns the first outcome), and a
 * batch is applied in `created` order (a burst of one customer's events is applied in the order it happened).
 */
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { plans, records, tenants } from "../core/app/deps/dynamodb.js";
import { deadLettersOf, signups } from "../core/app/deps/sqs.js";
import { stateMachines, workflows } from "../core/app/deps/step-functions.js";
import { dependencies } from "../core/app/environment.js";
import {
  handleStripeEvent,
  isExecutionStatusChange,
  QueuedEvent,
  replayParked,
} from "../core/billing/route.js";
import { ExecutionStatusChange } from "../core/onboarding/record-failure.js";
import { lambda } from "../core/runtime/handler.js";
import { onceEach } from "../core/runtime/idempotency.js";
import { sqsJsonBatch } from "../core/runtime/sqs-batch.js";

const deps = dependencies({
  tenants,
  plans,
  records,
  workflows,
  signups,
  stateMachines,
  deadLetters: deadLettersOf("billing", "billing-router"),
});
const applyOnce = onceEach(
  "billing-router",
  (stripeEvent: { id: string }) => handleStripeEvent(deps, stripeEvent),
  {
    key: "id",
    // Stripe retries a delivery for up to three days; keep the records longer than that.
    expiresAfterSeconds: 7 * 24 * 60 * 60,
  },
);

type Log = (msg: string, extra: Record<string, unknown>) => void;
let info: Log = () => {};
let warn: Log = () => {};

const processBatch = sqsJsonBatch(
  QueuedEvent,
  async (message) => {
    if (isExecutionStatusChange(message)) {
      const { tenantId, applied } = await replayParked(deps, ExecutionStatusChange.parse(message.detail));
      if (applied.length > 0) info("parked billing events applied", { tenantId, outcomes: applied });
      return;
    }
    // QueuedEvent checked the envelope: a Stripe event with an id, type and created.
    const detail = message.detail as { id: string; type: string };
    await deps.records.countDelivery(detail.id);
    const outcome = await applyOnce.run(detail as { id: string });
    // Nothing matched (an unhandled type, no customer): worth a look. Anything else is business as usual.
    const log = outcome.outcome === "ignored" && !outcome.tenantId ? warn : info;
    log("billing event", { billingEventId: detail.id, billingEventType: detail.type, ...outcome });
  },
  {
    processInParallel: false,
    deadLetters: () => deps.deadLetters,
    onRejected: (record, reason) =>
      warn("message refused to the DLQ", { messageId: record.messageId, reason }),
  },
);

export const handler = lambda("billing-router", async (event: SQSEvent, context, { logger }) => {
  info = (msg, extra) => logger.info(msg, extra);
  warn = (msg, extra) => logger.warn(msg, extra);
  applyOnce.registerLambdaContext(context);
  return processBatch({ ...event, Records: [...event.Records].sort(byCreated) }, context);
});

/** Billing events oldest first (by the provider's `created`, then id); anything else keeps its place at the end. */
function byCreated(a: SQSRecord, b: SQSRecord): number {
  const key = (r: SQSRecord): [number, string] => {
    try {
      const detail = (JSON.parse(r.body) as { detail?: { created?: unknown; id?: unknown } }).detail;
      return [
        typeof detail?.created === "number" ? detail.created : Number.MAX_SAFE_INTEGER,
        String(detail?.id),
      ];
    } catch {
      return [Number.MAX_SAFE_INTEGER, ""];
    }
  };
  const [ca, ia] = key(a);
  const [cb, ib] = key(b);
  return ca - cb || (ia < ib ? -1 : ia > ib ? 1 : 0);
}
