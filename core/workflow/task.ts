/**
 * Task states as Embark's workflows write them: every Task retries on its own (retry.ts) and has no Catch, so a
 * Task that runs out of retries is the state its execution fails at, and a redrive resumes there (design §1).
 */
import type { PayloadTemplate, TaskState } from "./asl.js";
import { sqsRetry, transientRetry } from "./retry.js";

/** What a definition refers to, resolved by whoever deploys it (stacks/ on AWS, local/ in the local cloud). */
export interface WorkflowRefs {
  functionArn(name: string): string;
  queueUrl(queue: string): string;
}

export type Transition = { Next: string } | { End: true };

/** Parameters of a step that only needs the tenant. */
export const tenantOnly = { "tenantId.$": "$.tenantId" } as const;

export interface TaskOptions {
  comment?: string;
  /** Default: the tenant only. */
  parameters?: PayloadTemplate;
  resultSelector?: PayloadTemplate;
  /** Omitted: the result replaces the input (Parallel branches); null: the input passes through. */
  resultPath?: string | null;
}

/** The Task of a step: its function (by the step table's name) invoked with its payload, retried. */
export function stepTask(
  r: WorkflowRefs,
  step: { name: string },
  next: string | Transition,
  o: TaskOptions = {},
): TaskState {
  return lambdaTask(r.functionArn(step.name), typeof next === "string" ? { Next: next } : next, o);
}

/** A Lambda invoked with its payload, retried on transient errors. */
export function lambdaTask(functionArn: string, next: Transition, o: TaskOptions = {}): TaskState {
  return {
    Type: "Task",
    ...(o.comment ? { Comment: o.comment } : {}),
    Resource: functionArn,
    Parameters: o.parameters ?? tenantOnly,
    ...(o.resultSelector ? { ResultSelector: o.resultSelector } : {}),
    ...(o.resultPath !== undefined ? { ResultPath: o.resultPath } : {}),
    Retry: transientRetry,
    ...next,
  } as TaskState;
}

/**
 * A Lambda that starts long work (a pipeline run) and a wait for its callback: the payload gets the task token,
 * and the callback sends heartbeats more often than HeartbeatSeconds.
 */
export function callbackTask(
  functionArn: string,
  payload: PayloadTemplate,
  next: Transition,
  o: { comment: string; resultPath: string | null },
): TaskState {
  return {
    Type: "Task",
    Comment: o.comment,
    Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
    Parameters: { FunctionName: functionArn, Payload: { ...payload, "taskToken.$": "$$.Task.Token" } },
    TimeoutSeconds: 3600,
    HeartbeatSeconds: 900,
    ResultPath: o.resultPath,
    Retry: transientRetry,
    ...next,
  } as TaskState;
}

/** Puts a message on a queue (the optimized SQS integration); the state's input passes through. */
export function sendMessageTask(
  queueUrl: string,
  body: PayloadTemplate,
  next: Transition,
  comment: string,
): TaskState {
  return {
    Type: "Task",
    Comment: comment,
    Resource: "arn:aws:states:::sqs:sendMessage",
    Parameters: { QueueUrl: queueUrl, MessageBody: body },
    ResultPath: null,
    Retry: sqsRetry,
    ...next,
  } as TaskState;
}
