/**
 * SQS consumers report partial batch failures (Powertools batch): a failing record is retried on its own
 * (and reaches the DLQ after the queue's maxReceiveCount) while the others are deleted. A record no retry can
 * help (not JSON, not the message's schema) goes to the consumer's DLQ at once with the reason, when the
 * consumer gives its dead letters.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import type { z } from "zod";
import type { DeadLetters } from "../ports.js";
import { checkInput } from "./input.js";

export type MessageCheck<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A message body parsed as JSON and checked against `schema`, or the precise reason it is refused. */
export function checkMessage<T>(
  schema: z.ZodType<T>,
  record: Pick<SQSRecord, "messageId" | "body">,
): MessageCheck<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(record.body);
  } catch {
    return { ok: false, reason: `Message ${record.messageId} is not JSON` };
  }
  return checkInput(schema, raw, `Message ${record.messageId}`);
}

export function sqsJsonBatch<T>(
  schema: z.ZodType<T>,
  handle: (body: T, record: SQSRecord) => Promise<unknown>,
  opts: {
    /** false handles the records one after another, in the order of the event. */
    processInParallel?: boolean;
    /** Where refused messages go with their reason; without it they are retried until the queue's redrive. */
    deadLetters?: () => DeadLetters;
    /** Told about each refused message (a log line). */
    onRejected?: (record: SQSRecord, reason: string) => void;
  } = {},
) {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord) => {
    const checked = checkMessage(schema, record);
    if (checked.ok) return handle(checked.value, record);
    if (!opts.deadLetters) throw new Error(checked.reason);
    await opts.deadLetters().reject(record, checked.reason);
    opts.onRejected?.(record, checked.reason);
    return undefined;
  };
  return (event: SQSEvent, context: Context) =>
    processPartialResponse(event, recordHandler, processor, {
      context,
      ...(opts.processInParallel === false ? { processInParallel: false } : {}),
    });
}
