/** Message checks, MD5s and the shape of a received message (pure: no state, no clock). */
import { createHash } from "node:crypto";
import { LOCAL_ACCOUNT_ID } from "../aws/constants.js";
import { invalidParameter, SqsError } from "./errors.js";
import type { MessageAttributeValue, StoredMessage } from "./model.js";

export const md5 = (data: string | Buffer) => createHash("md5").update(data).digest("hex");
/** Content-based deduplication ids are the body's SHA-256. */
export const sha256 = (data: string) => createHash("sha256").update(data).digest("hex");

/** MD5OfMessageAttributes as AWS computes it: names sorted, each length-prefixed name, type, transport byte, value. */
export function md5OfAttributes(attrs: Record<string, MessageAttributeValue>): string {
  const parts: Buffer[] = [];
  const field = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  for (const name of Object.keys(attrs).sort()) {
    const v = attrs[name] as MessageAttributeValue;
    field(Buffer.from(name, "utf8"));
    field(Buffer.from(v.DataType, "utf8"));
    if (v.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      field(Buffer.from(v.BinaryValue, "base64"));
    } else {
      parts.push(Buffer.from([1]));
      field(Buffer.from(v.StringValue ?? "", "utf8"));
    }
  }
  return md5(Buffer.concat(parts));
}

// Characters SQS allows in a body or attribute value: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
const INVALID_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ATTRIBUTE_NAME = /^(?!\.)(?!.*\.\.)(?!.*\.$)(?!aws\.|amazon\.)[\w.-]{1,256}$/i;

export function checkBody(body: unknown): string {
  if (typeof body !== "string" || body.length === 0) {
    throw new SqsError("MissingParameter", "The request must contain the parameter MessageBody.");
  }
  if (INVALID_CHARS.test(body)) throw new SqsError("InvalidMessageContents", "Invalid characters found.");
  return body;
}

/** Checks MessageAttributes; returns them (undefined if none) and their size toward the message size limit. */
export function checkMessageAttributes(input: unknown): {
  attributes?: Record<string, MessageAttributeValue>;
  size: number;
} {
  if (input === undefined || input === null) return { size: 0 };
  if (typeof input !== "object" || Array.isArray(input))
    throw invalidParameter("MessageAttributes must be a map.");
  const entries = Object.entries(input as Record<string, MessageAttributeValue>);
  if (entries.length === 0) return { size: 0 };
  if (entries.length > 10) {
    throw invalidParameter(
      `Number of message attributes [${entries.length}] exceeds the allowed maximum [10].`,
    );
  }
  let size = 0;
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, v] of entries) {
    if (!ATTRIBUTE_NAME.test(name)) throw invalidParameter(`Message attribute name '${name}' is invalid.`);
    const type = v?.DataType;
    if (typeof type !== "string" || !/^(String|Number|Binary)(\..+)?$/.test(type)) {
      throw invalidParameter(`The type of message (user) attribute '${name}' is invalid.`);
    }
    const isBinary = type.startsWith("Binary");
    const value = isBinary ? v.BinaryValue : v.StringValue;
    if (typeof value !== "string" || value.length === 0) {
      throw invalidParameter(
        `The message attribute '${name}' must contain non-empty message attribute value.`,
      );
    }
    if (!isBinary && INVALID_CHARS.test(value)) {
      throw invalidParameter(`Message attribute '${name}' contains invalid characters.`);
    }
    if (type.startsWith("Number") && !Number.isFinite(Number(value))) {
      throw invalidParameter(
        `Value ${value} for parameter MessageAttributes.${name} is invalid: not a number.`,
      );
    }
    out[name] = isBinary ? { DataType: type, BinaryValue: value } : { DataType: type, StringValue: value };
    size +=
      Buffer.byteLength(name) +
      Buffer.byteLength(type) +
      (isBinary ? Buffer.from(value, "base64").length : Buffer.byteLength(value));
  }
  return { attributes: out, size };
}

const SYSTEM_NAMES = [
  "SenderId",
  "SentTimestamp",
  "ApproximateReceiveCount",
  "ApproximateFirstReceiveTimestamp",
  "AWSTraceHeader",
  "DeadLetterQueueSourceArn",
  "MessageGroupId",
  "MessageDeduplicationId",
  "SequenceNumber",
];

/** One message as ReceiveMessage returns it, with the system and message attributes asked for. */
export function received(
  m: StoredMessage,
  systemNames: string[],
  attributeNames: string[],
): Record<string, unknown> {
  const all = systemNames.includes("All");
  const values: Record<string, string | undefined> = {
    SenderId: LOCAL_ACCOUNT_ID,
    SentTimestamp: String(m.sentAt),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: m.firstReceiveAt === undefined ? undefined : String(m.firstReceiveAt),
    AWSTraceHeader: m.traceHeader,
    DeadLetterQueueSourceArn: m.deadLetterSourceArn,
    MessageGroupId: m.groupId,
    MessageDeduplicationId: m.dedupId,
    SequenceNumber: m.sequenceNumber,
  };
  const attributes: Record<string, string> = {};
  for (const name of SYSTEM_NAMES) {
    const v = values[name];
    if (v !== undefined && (all || systemNames.includes(name))) attributes[name] = v;
  }
  const picked: Record<string, MessageAttributeValue> = {};
  for (const [name, v] of Object.entries(m.attributes ?? {})) {
    const wanted = attributeNames.some(
      (n) => n === "All" || n === ".*" || n === name || (n.endsWith(".*") && name.startsWith(n.slice(0, -1))),
    );
    if (wanted) picked[name] = v;
  }
  const hasPicked = Object.keys(picked).length > 0;
  return {
    MessageId: m.id,
    ReceiptHandle: m.receipt,
    MD5OfBody: m.md5Body,
    Body: m.body,
    ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
    ...(hasPicked ? { MessageAttributes: picked, MD5OfMessageAttributes: md5OfAttributes(picked) } : {}),
  };
}
