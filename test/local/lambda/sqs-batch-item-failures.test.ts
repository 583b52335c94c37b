import { describe, expect, it } from "vitest";
import { batchItemFailures, toRecord } from "../../../local/lambda/sqs-event-source.js";

const ids = ["m1", "m2", "m3"];

describe("SQS partial batch responses, read as Lambda reads them", () => {
  it("treats null, empty and missing lists as complete success", () => {
    for (const response of [
      undefined,
      null,
      {},
      { batchItemFailures: [] },
      { batchItemFailures: null },
      "ok",
    ]) {
      expect(batchItemFailures(response, ids)).toEqual(new Set());
    }
  });

  it("returns the failed ids", () => {
    expect(batchItemFailures({ batchItemFailures: [{ itemIdentifier: "m2" }] }, ids)).toEqual(
      new Set(["m2"]),
    );
  });

  it("treats empty, null, unknown or misspelt identifiers as a complete failure", () => {
    for (const list of [
      [{ itemIdentifier: "" }],
      [{ itemIdentifier: null }],
      [{ itemIdentifier: "m9" }],
      [{ id: "m1" }],
      [null],
      "m1",
    ]) {
      expect(batchItemFailures({ batchItemFailures: list }, ids)).toBe("invalid");
    }
  });
});

const QUEUE_ARN = "arn:aws:sqs:us-east-1:000000000000:q";
// Attributes SQS returns on a message (ReceiveMessage) and Lambda passes on unchanged in the record.
const ATTRIBUTES = {
  ApproximateReceiveCount: "2",
  SentTimestamp: "1",
  SenderId: "S",
  ApproximateFirstReceiveTimestamp: "2",
  MessageGroupId: "g",
};

describe("SQS event records", () => {
  it("turns a received message into Lambda's record shape", () => {
    const bin = { DataType: "Binary", BinaryValue: new Uint8Array([255]) };
    const received = {
      MessageId: "m1",
      ReceiptHandle: "rh",
      Body: "{}",
      MD5OfBody: "99914b932bd37a50b983c5e7c90ae93b",
    };
    const record = toRecord(
      { ...received, Attributes: { ...ATTRIBUTES }, MessageAttributes: { bin } },
      QUEUE_ARN,
      "us-east-1",
    );
    expect(record).toEqual({
      messageId: "m1",
      receiptHandle: "rh",
      body: "{}",
      attributes: ATTRIBUTES,
      messageAttributes: {
        bin: { binaryValue: "/w==", stringListValues: [], binaryListValues: [], dataType: "Binary" },
      },
      md5OfBody: "99914b932bd37a50b983c5e7c90ae93b",
      eventSource: "aws:sqs",
      eventSourceARN: QUEUE_ARN,
      awsRegion: "us-east-1",
    });
  });
});
