// The PlanChange state machine (Standard, JSONPath ASL): a billing event (or `ops change-plan`) moved the tenant
// to another plan. Input: PlanChangeInput.

import type { StateMachineDefinition } from "../workflow/asl.js";
import { transientRetry } from "../workflow/retry.js";
import { emailTask, type LifecycleResources, tenantOnly } from "./email-task.js";

export const PLAN_CHANGE_STATES = {
  recordPlan: "Record new plan",
  changed: "Still the newest plan?",
  applyPolicy: "Apply plan to namespace",
  needsPipeline: "Dedicated resources change?",
  runPipeline: "Run deployment pipeline",
  sendEmail: "Send plan change email",
  done: "Plan changed",
  superseded: "Superseded by a newer plan",
} as const;

const S = PLAN_CHANGE_STATES;

export function planChangeDefinition(r: LifecycleResources): StateMachineDefinition {
  return {
    Comment:
      "Moves a tenant to another plan: records it, applies the plan's quota and limits to the namespace, runs " +
      "the pipeline when the tier's dedicated resources change (deploy or tear down), and emails the admin.",
    QueryLanguage: "JSONPath",
    StartAt: S.recordPlan,
    States: {
      [S.recordPlan]: {
        Type: "Task",
        Comment: "Conditional write: only while this event is the tenant's newest plan event.",
        Resource: r.recordPlan,
        Parameters: { "tenantId.$": "$.tenantId", "plan.$": "$.plan", "eventId.$": "$.eventId" },
        ResultSelector: {
          "changed.$": "$.changed",
          "plan.$": "$.plan",
          "previousPlan.$": "$.previousPlan",
          "previousPlanName.$": "$.previousPlanName",
          "pipelineAction.$": "$.pipelineAction",
        },
        ResultPath: "$.change",
        Retry: transientRetry,
        Next: S.changed,
      },
      [S.changed]: {
        Type: "Choice",
        Choices: [{ Variable: "$.change.changed", BooleanEquals: true, Next: S.applyPolicy }],
        Default: S.superseded,
      },
      [S.applyPolicy]: {
        Type: "Task",
        Comment:
          "Server-side apply of the namespace objects from the recorded plan (zero pods if suspended).",
        Resource: r.applyNamespacePolicy,
        Parameters: tenantOnly,
        ResultPath: null,
        Retry: transientRetry,
        Next: S.needsPipeline,
      },
      [S.needsPipeline]: {
        Type: "Choice",
        Choices: [{ Variable: "$.change.pipelineAction", StringEquals: "none", Next: S.sendEmail }],
        Default: S.runPipeline,
      },
      [S.runPipeline]: {
        Type: "Task",
        Comment: "Starts the tenant pipeline (TENANT_ACTION deploy or teardown) and waits for its callback.",
        Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
        Parameters: {
          FunctionName: r.runLifecyclePipeline,
          Payload: {
            "tenantId.$": "$.tenantId",
            "action.$": "$.change.pipelineAction",
            "runKey.$": "$$.Execution.Name",
            "taskToken.$": "$$.Task.Token",
          },
        },
        TimeoutSeconds: 3600,
        HeartbeatSeconds: 900,
        ResultPath: null,
        Retry: transientRetry,
        Next: S.sendEmail,
      },
      [S.sendEmail]: emailTask(
        r.emailsQueueUrl,
        "planChanged",
        { Next: S.done },
        { "previousPlanName.$": "$.change.previousPlanName" },
      ),
      [S.done]: { Type: "Succeed" },
      [S.superseded]: {
        Type: "Succeed",
        Comment: "A newer plan event was applied first; its own execution does the work.",
      },
    },
  };
}
