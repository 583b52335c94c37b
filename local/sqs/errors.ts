import { AwsError } from "../aws/errors.js";

/**
 * An SQS error as AWS sends it over the JSON protocol: `__type` names the shape and the
 * `x-amzn-query-error` header carries the older query-protocol code (the SDK reads both; `err.name` is the
 * shape, `err.Code` the query code, e.g. QueueDoesNotExist / AWS.SimpleQueueService.NonExistentQueue).
 */
export class SqsError extends AwsError {
  constructor(
    code: string,
    message: string,
    readonly queryCode = code,
    status = 400,
  ) {
    super(code, message, status);
  }
}

export const queueDoesNotExist = () =>
  new SqsError(
    "QueueDoesNotExist",
    "The specified queue does not exist.",
    "AWS.SimpleQueueService.NonExistentQueue",
  );

export const invalidParameter = (message: string) =>
  new SqsError("InvalidParameterValue", message, "InvalidParameterValue");

export const missingParameter = (name: string) =>
  new SqsError("MissingParameter", `The request must contain the parameter ${name}.`, "MissingParameter");

export const invalidAttributeName = (name: string) =>
  new SqsError("InvalidAttributeName", `Unknown Attribute ${name}.`);

export const invalidAttributeValue = (name: string, why = "") =>
  new SqsError(
    "InvalidAttributeValue",
    `Invalid value for the parameter ${name}.${why ? ` Reason: ${why}` : ""}`,
  );

export const receiptHandleIsInvalid = (handle: string) =>
  new SqsError(
    "ReceiptHandleIsInvalid",
    `The input receipt handle "${handle}" is not a valid receipt handle.`,
    "ReceiptHandleIsInvalid",
    404,
  );

export const batchErrors = {
  empty: (entry: string) =>
    new SqsError(
      "EmptyBatchRequest",
      `There should be at least one ${entry} in the request.`,
      "AWS.SimpleQueueService.EmptyBatchRequest",
    ),
  tooMany: (n: number) =>
    new SqsError(
      "TooManyEntriesInBatchRequest",
      `Maximum number of entries per request are 10. You have sent ${n}.`,
      "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
    ),
  notDistinct: (id: string) =>
    new SqsError(
      "BatchEntryIdsNotDistinct",
      `Id ${id} repeated.`,
      "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
    ),
  invalidId: (id: string) =>
    new SqsError(
      "InvalidBatchEntryId",
      `A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long. Invalid id: ${id}`,
      "AWS.SimpleQueueService.InvalidBatchEntryId",
    ),
  tooLong: (size: number, max: number) =>
    new SqsError(
      "BatchRequestTooLong",
      `Batch requests cannot be longer than ${max} bytes. You have sent ${size} bytes.`,
      "AWS.SimpleQueueService.BatchRequestTooLong",
    ),
};
