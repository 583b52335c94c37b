/** Queue attributes: which exist, their defaults, and the checks CreateQueue/SetQueueAttributes make. */
import { invalidAttributeName, invalidAttributeValue } from "./errors.js";

export const DEFAULTS: Record<string, string> = {
  DelaySeconds: "0",
  MaximumMessageSize: "262144",
  MessageRetentionPeriod: "345600",
  ReceiveMessageWaitTimeSeconds: "0",
  VisibilityTimeout: "30",
  SqsManagedSseEnabled: "true",
};

export const FIFO_DEFAULTS: Record<string, string> = {
  FifoQueue: "true",
  ContentBasedDeduplication: "false",
  DeduplicationScope: "queue",
  FifoThroughputLimit: "perQueue",
};

const RANGES: Record<string, [number, number]> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1048576],
  MessageRetentionPeriod: [60, 1209600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43200],
  KmsDataKeyReusePeriodSeconds: [60, 86400],
};

const FIFO_ONLY = ["ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"];
const SETTABLE = new Set([
  ...Object.keys(RANGES),
  "Policy",
  "RedrivePolicy",
  "RedriveAllowPolicy",
  "KmsMasterKeyId",
  "SqsManagedSseEnabled",
  "FifoQueue",
  ...FIFO_ONLY,
]);
export const COMPUTED = [
  "QueueArn",
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
  "CreatedTimestamp",
  "LastModifiedTimestamp",
];
export const READABLE = new Set([...SETTABLE, ...COMPUTED]);

export interface AttributeContext {
  creating: boolean;
  fifo: boolean;
  /** The queue name an ARN names, if that queue exists (RedrivePolicy's target must). */
  queueOfArn(arn: string): { name: string; fifo: boolean } | undefined;
}

/** Validates and normalizes attributes to the strings AWS stores (e.g. RedrivePolicy's count as a number). */
export function checkAttributes(input: unknown, ctx: AttributeContext): Record<string, string> {
  if (input === undefined || input === null) return {};
  if (typeof input !== "object" || Array.isArray(input)) throw invalidAttributeValue("Attributes");
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(input as Record<string, unknown>)) {
    if (!SETTABLE.has(name)) throw invalidAttributeName(name);
    if (FIFO_ONLY.includes(name) && !ctx.fifo) throw invalidAttributeName(name);
    const value =
      typeof raw === "string"
        ? raw
        : typeof raw === "number" || typeof raw === "boolean"
          ? String(raw)
          : undefined;
    if (value === undefined) throw invalidAttributeValue(name);
    out[name] = normalize(name, value, ctx);
  }
  return out;
}

function normalize(name: string, value: string, ctx: AttributeContext): string {
  const range = RANGES[name];
  if (range) {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < range[0] || n > range[1]) throw invalidAttributeValue(name);
    return String(n);
  }
  switch (name) {
    case "FifoQueue":
      if (!ctx.creating) throw invalidAttributeName(name);
      if (value.toLowerCase() !== String(ctx.fifo)) throw invalidAttributeValue(name);
      return String(ctx.fifo);
    case "SqsManagedSseEnabled":
    case "ContentBasedDeduplication": {
      const v = value.toLowerCase();
      if (v !== "true" && v !== "false") throw invalidAttributeValue(name);
      return v;
    }
    case "DeduplicationScope":
      if (value !== "messageGroup" && value !== "queue") throw invalidAttributeValue(name);
      return value;
    case "FifoThroughputLimit":
      if (value !== "perQueue" && value !== "perMessageGroupId") throw invalidAttributeValue(name);
      return value;
    case "RedrivePolicy":
      return value === "" ? "" : redrivePolicy(value, ctx);
    case "Policy":
    case "RedriveAllowPolicy":
      if (value !== "") {
        try {
          JSON.parse(value);
        } catch {
          throw invalidAttributeValue(name, "Invalid JSON.");
        }
      }
      return value;
    default:
      return value;
  }
}

function redrivePolicy(value: string, ctx: AttributeContext): string {
  let p: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  try {
    p = JSON.parse(value);
  } catch {
    throw invalidAttributeValue("RedrivePolicy", "Redrive policy is not a valid JSON map.");
  }
  const arn = p?.deadLetterTargetArn;
  const count = Number(p?.maxReceiveCount);
  if (typeof arn !== "string" || !/^arn:aws[\w-]*:sqs:[^:]*:\d{12}:[\w.-]+$/.test(arn)) {
    throw invalidAttributeValue("RedrivePolicy", "Invalid value for deadLetterTargetArn.");
  }
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw invalidAttributeValue(
      "RedrivePolicy",
      "Invalid value for maxReceiveCount: must be an integer from 1 to 1000.",
    );
  }
  const target = ctx.queueOfArn(arn);
  if (!target) throw invalidAttributeValue("RedrivePolicy", "Dead letter target does not exist.");
  if (target.fifo !== ctx.fifo) {
    throw invalidAttributeValue(
      "RedrivePolicy",
      "Dead-letter queue must be the same type of queue as the source (standard or FIFO).",
    );
  }
  return JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: count });
}

/** The queue's RedrivePolicy, parsed (it was checked when set). */
export function redriveOf(attributes: Record<string, string>): { dlqArn: string; max: number } | undefined {
  const raw = attributes.RedrivePolicy;
  if (!raw) return undefined;
  const p = JSON.parse(raw) as { deadLetterTargetArn: string; maxReceiveCount: number };
  return { dlqArn: p.deadLetterTargetArn, max: p.maxReceiveCount };
}
