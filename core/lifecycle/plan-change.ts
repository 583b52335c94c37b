// The PlanChange state machine (Standard, JSONPath ASL): a billing event (or `ops change-plan`) moved the tenant
// to another plan. Input: PlanChangeInput.

import { jsonPathMachine, type StateMachineDefinition, whenTrue } from "../workflow/asl.js";
import { callbackTask, stepTask, type WorkflowRefs } from "../workflow/task.js";
import { LIFECYCLE_STEP_TABLE as F } from "./step-table.js";
import { emailTask, PUBLISH_EVENTS_STATE, publishEventsTask } from "./tasks.js";

export const PLAN_CHANGE_STATES = {
  recordPlan: "Record new plan",
  publishEvents: PUBLISH_EVENTS_STATE,
  changed: "Still the newest plan?",
  applyPolicy: "Apply plan to namespace",
  needsPipeline: "Dedicated resources change?",
  runPipeline: "Run deployment pipeline",
  sendEmail: "Send plan change email",
  done: "Plan changed",
  superseded: "Superseded by a newer plan",
} as const;

const S = PLAN_CHANGE_STATES;

export function planChangeDefinition(r: WorkflowRefs): StateMachineDefinition {
  return jsonPathMachine(
    "Moves a tenant to another plan: records it, applies the plan's quota and limits to the namespace, runs " +
      "the pipeline when the tier's dedicated resources change (deploy or tear down), and emails the admin.",
    S.recordPlan,
    {
      [S.recordPlan]: stepTask(r, F.recordPlan, S.publishEvents, {
        comment: "Conditional write: only while this event is the tenant's newest plan event.",
        parameters: {
          "tenantId.$": "$.tenantId",
          "plan.$": "$.plan",
          "eventId.$": "$.eventId",
          "execution.$": "$$.Execution.Name",
        },
        resultSelector: {
          "changed.$": "$.changed",
          "plan.$": "$.plan",
          "previousPlan.$": "$.previousPlan",
          "previousPlanName.$": "$.previousPlanName",
          "pipelineAction.$": "$.pipelineAction",
        },
        resultPath: "$.change",
      }),
      [S.publishEvents]: publishEventsTask(r, S.changed),
      [S.changed]: whenTrue("$.change.changed", S.applyPolicy, S.superseded),
      [S.applyPolicy]: stepTask(r, F.applyNamespacePolicy, S.needsPipeline, {
        comment:
          "Server-side apply of the namespace objects from the recorded plan (zero pods if suspended).",
        resultPath: null,
      }),
      [S.needsPipeline]: {
        Type: "Choice",
        Choices: [{ Variable: "$.change.pipelineAction", StringEquals: "none", Next: S.sendEmail }],
        Default: S.runPipeline,
      },
      [S.runPipeline]: callbackTask(
        r.functionArn(F.runLifecyclePipeline.name),
        {
          "tenantId.$": "$.tenantId",
          "action.$": "$.change.pipelineAction",
          "runKey.$": "$$.Execution.Name",
        },
        { Next: S.sendEmail },
        {
          comment:
            "Starts the tenant pipeline (TENANT_ACTION deploy or teardown) and waits for its callback.",
          resultPath: null,
        },
      ),
      [S.sendEmail]: emailTask(
        r,
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
  );
}
