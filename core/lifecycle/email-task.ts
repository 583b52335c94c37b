// What the lifecycle state machines (PlanChange, Suspend, Reactivate, Offboard) share: the resources they
// refer to, their inputs, and the Task that queues an email.
//
// Like onboarding, every Task has its own Retry and there is no Catch → Fail: when retries run out the
// execution fails at that Task (a redrive resumes there) and record-failure, subscribed to the failed-execution
// events, records it on the tenant (`workflowFailure`).

import type { JsonValue, TaskState } from "../workflow/asl.js";
import { sqsRetry } from "../workflow/retry.js";

export interface LifecycleResources {
  /** Lambda function ARNs. */
  setTenantStatus: string;
  recordPlan: string;
  applyNamespacePolicy: string;
  applySignIn: string;
  runLifecyclePipeline: string;
  deleteNamespace: string;
  deleteIdentity: string;
  /** URL of the SQS queue the mailer consumes. */
  emailsQueueUrl: string;
}

/** Every lifecycle execution's input: the tenant and the billing event (or ops command) that started it. */
export interface LifecycleInput {
  tenantId: string;
  eventId: string;
}
export interface PlanChangeInput extends LifecycleInput {
  plan: string;
}
export interface SuspendInput extends LifecycleInput {
  /** RFC 3339: the end of the plan's grace period (in the past: suspend at once). */
  suspendAt: string;
}

/**
 * Queues one of the tenant's lifecycle emails. The execution name is the occurrence: the mailer sends each
 * (tenant, template, execution) once, so a retry or redrive does not mail twice while a second plan change does.
 */
export function emailTask(
  emailsQueueUrl: string,
  template: "planChanged" | "suspended" | "reactivated" | "farewell",
  next: { Next: string } | { End: true },
  vars?: Record<string, string>,
): TaskState {
  const body: { [key: string]: JsonValue } = {
    "tenantId.$": "$.tenantId",
    template,
    "occurrence.$": "$$.Execution.Name",
  };
  if (vars) body.vars = vars;
  return {
    Type: "Task",
    Comment: `Queues the ${template} email; the mailer sends it once per execution.`,
    Resource: "arn:aws:states:::sqs:sendMessage",
    Parameters: { QueueUrl: emailsQueueUrl, MessageBody: body },
    ResultPath: null,
    Retry: sqsRetry,
    ...next,
  } as TaskState;
}

/** Parameters of a step that only needs the tenant. */
export const tenantOnly = { "tenantId.$": "$.tenantId" } as const;
