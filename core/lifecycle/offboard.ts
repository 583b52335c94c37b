// The Offboard state machine (Standard, JSONPath ASL): the subscription was cancelled (or `ops offboard`).
// Everything the tenant had goes; the tenant record stays, OFFBOARDED with timestamps (data retention).
// Input: LifecycleInput.

import type { StateMachineDefinition } from "../workflow/asl.js";
import { transientRetry } from "../workflow/retry.js";
import { emailTask, type LifecycleResources, tenantOnly } from "./email-task.js";

export const OFFBOARD_STATES = {
  start: "Start offboarding",
  deleteNamespace: "Delete namespace",
  hasDedicated: "Has dedicated resources?",
  teardown: "Tear down dedicated resources",
  deleteIdentity: "Delete user pool",
  finish: "Finish offboarding",
  sendEmail: "Send farewell email",
  done: "Offboarded",
} as const;

const S = OFFBOARD_STATES;

export function offboardDefinition(r: LifecycleResources): StateMachineDefinition {
  return {
    Comment:
      "Offboards a tenant: OFFBOARDING, its namespace deleted (waits for the cascade), the pipeline's teardown " +
      "of dedicated resources, its user pool deleted, OFFBOARDED with timestamps, and a farewell email.",
    QueryLanguage: "JSONPath",
    StartAt: S.start,
    States: {
      [S.start]: {
        Type: "Task",
        Comment: "ACTIVE | SUSPENDED | FAILED → OFFBOARDING (already there: carry on).",
        Resource: r.setTenantStatus,
        Parameters: { "tenantId.$": "$.tenantId", to: "OFFBOARDING", "eventId.$": "$.eventId" },
        ResultSelector: { "dedicatedResources.$": "$.dedicatedResources" },
        ResultPath: "$.offboarding",
        Retry: transientRetry,
        Next: S.deleteNamespace,
      },
      [S.deleteNamespace]: {
        Type: "Task",
        Comment: "Revokes the admins' access entry, deletes the namespace and waits until it is gone.",
        Resource: r.deleteNamespace,
        Parameters: tenantOnly,
        ResultPath: null,
        Retry: transientRetry,
        Next: S.hasDedicated,
      },
      [S.hasDedicated]: {
        Type: "Choice",
        Choices: [{ Variable: "$.offboarding.dedicatedResources", BooleanEquals: true, Next: S.teardown }],
        Default: S.deleteIdentity,
      },
      [S.teardown]: {
        Type: "Task",
        Comment: "Runs the tenant pipeline with TENANT_ACTION=teardown and waits for its callback.",
        Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
        Parameters: {
          FunctionName: r.runLifecyclePipeline,
          Payload: {
            "tenantId.$": "$.tenantId",
            action: "teardown",
            "runKey.$": "$$.Execution.Name",
            "taskToken.$": "$$.Task.Token",
          },
        },
        TimeoutSeconds: 3600,
        HeartbeatSeconds: 900,
        ResultPath: null,
        Retry: transientRetry,
        Next: S.deleteIdentity,
      },
      [S.deleteIdentity]: {
        Type: "Task",
        Comment: "Deletes the recorded user pool and any other pool tagged with the tenant.",
        Resource: r.deleteIdentity,
        Parameters: tenantOnly,
        ResultPath: null,
        Retry: transientRetry,
        Next: S.finish,
      },
      [S.finish]: {
        Type: "Task",
        Comment: "OFFBOARDING → OFFBOARDED with offboardedAt; the record is kept.",
        Resource: r.setTenantStatus,
        Parameters: { "tenantId.$": "$.tenantId", to: "OFFBOARDED", "eventId.$": "$.eventId" },
        ResultPath: null,
        Retry: transientRetry,
        Next: S.sendEmail,
      },
      [S.sendEmail]: emailTask(r.emailsQueueUrl, "farewell", { Next: S.done }),
      [S.done]: { Type: "Succeed" },
    },
  };
}
