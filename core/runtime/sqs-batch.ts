/**
 * SQS consumers report partial batch failures (Powertools batch): a failing record is retried on its own
 * (and reaches the DLQ after the queue's maxReceiveCount) while the others are deleted.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import type { z } from "zod";

export function sqsJsonBatch<T>(
  schema: z.ZodType<T>,
  handle: (body: T, record: SQSRecord) => Promise<unknown>,
  /** processInParallel: false handles the records one after another, in the order of the event. */
  opts: { processInParallel?: boolean } = {},
) {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord) => {
    let raw: unknown;
    try {
      raw = JSON.parse(record.body);
    } catch {
      throw new Error(`Message ${record.messageId} is not JSON`);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      throw new Error(
        `Message ${record.messageId} is invalid: ${parsed.error.issues.map((i) => i.message).join("; ")}`,
      );
    }
    return handle(parsed.data, record);
  };
  return (event: SQSEvent, context: Context) =>
    processPartialResponse(event, recordHandler, processor, {
      context,
      ...(opts.processInParallel === false ? { processInParallel: false } : {}),
    });
}
