/**
 * Splits the edge's call counts (local/edge/calls.ts) into Embark's own calls and those the local cloud makes on
 * the platform's behalf, which on AWS are the services' own doing (the onboarding call test and the benchmark).
 */
import type { CallCounts } from "../../local/edge/calls.js";

/**
 * Calls the local cloud makes on its own behalf, which on AWS are the services' own doing, not Embark's code:
 * they are counted, printed and priced (npm run cost) but not held to the budget.
 */
export const PLATFORM: Array<[RegExp, string]> = [
  [
    /^sqs ReceiveMessage /,
    "Lambda's event source mappings polling the queues (whether or not anything onboards)",
  ],
  [/^sqs DeleteMessageBatch /, "Lambda's event source mappings deleting what a function handled"],
  [/^sqs (GetQueueUrl|GetQueueAttributes)\b/, "EventBridge or an event source mapping resolving a queue"],
  [/^sqs SendMessage embark-billing$/, "EventBridge delivering the onboarding-ended event to its SQS target"],
  [/^events PutEvents aws\.states$/, "Step Functions' own execution status-change events"],
  [
    /^events PutEvents aws\.ses$/,
    "SES's Email Sent events (the mail configuration set's EventBridge destination)",
  ],
];

export interface SplitCalls {
  embark: CallCounts;
  platform: CallCounts;
}

/**
 * Embark's own calls and the platform's. Cognito mails each invitation itself (through SES on AWS), so one
 * `ses SendEmail` per AdminCreateUser is Cognito's.
 */
export function splitCalls(all: CallCounts): SplitCalls {
  const embark: Record<string, number> = {};
  const platform: Record<string, number> = {};
  for (const [key, n] of Object.entries(all.operations)) {
    if (PLATFORM.some(([re]) => re.test(key))) platform[key] = n;
    else embark[key] = n;
  }
  const invites = Math.min(embark["cognito-idp AdminCreateUser"] ?? 0, embark["ses SendEmail"] ?? 0);
  if (invites > 0) {
    platform["ses SendEmail (Cognito's invitation)"] = invites;
    embark["ses SendEmail"] = (embark["ses SendEmail"] ?? 0) - invites;
    if (embark["ses SendEmail"] === 0) delete embark["ses SendEmail"];
  }
  const total = (ops: Record<string, number>) => Object.values(ops).reduce((a, b) => a + b, 0);
  return {
    embark: { total: total(embark), operations: embark },
    platform: { total: total(platform), operations: platform },
  };
}
