// The Offboard state machine (Standard, JSONPath ASL): the subscription was cancelled (or `ops offboard`).
// Everything the tenant had goes; the tenant record stays, OFFBOARDED with timestamps (data retention).
// Input: LifecycleInput.

import { jsonPathMachine, type StateMachineDefinition } from "../workflow/asl.js";
import { callbackTask, stepTask, type WorkflowRefs } from "../workflow/task.js";
import { LIFECYCLE_STEP_TABLE as F } from "./step-table.js";
import { emailTask, PUBLISH_EVENTS_STATE, publishEventsTask, statusTask } from "./tasks.js";

export const OFFBOARD_STATES = {
  start: "Start offboarding",
  deleteNamespace: "Delete namespace",
  hasDedicated: "Has dedicated resources?",
  teardown: "Tear down dedicated resources",
  deleteIdentity: "Delete user pool",
  finish: "Finish offboarding",
  publishEvents: PUBLISH_EVENTS_STATE,
  sendEmail: "Send farewell email",
  done: "Offboarded",
} as const;

const S = OFFBOARD_STATES;

export function offboardDefinition(r: WorkflowRefs): StateMachineDefinition {
  return jsonPathMachine(
    "Offboards a tenant: OFFBOARDING, its namespace deleted (waits for the cascade), the pipeline's teardown " +
      "of dedicated resources, its user pool deleted, OFFBOARDED with timestamps, and a farewell email.",
    S.start,
    {
      [S.start]: statusTask(r, "OFFBOARDING", S.deleteNamespace, {
        comment: "ACTIVE | SUSPENDED | FAILED | DEGRADED → OFFBOARDING (already there: carry on).",
        resultSelector: { "dedicatedResources.$": "$.dedicatedResources" },
        resultPath: "$.offboarding",
      }),
      [S.deleteNamespace]: stepTask(r, F.deleteNamespace, S.hasDedicated, {
        comment: "Revokes the admins' access entry, deletes the namespace and waits until it is gone.",
        resultPath: null,
      }),
      [S.hasDedicated]: {
        Type: "Choice",
        Choices: [{ Variable: "$.offboarding.dedicatedResources", BooleanEquals: true, Next: S.teardown }],
        Default: S.deleteIdentity,
      },
      [S.teardown]: callbackTask(
        r.functionArn(F.runLifecyclePipeline.name),
        { "tenantId.$": "$.tenantId", action: "teardown", "runKey.$": "$$.Execution.Name" },
        { Next: S.deleteIdentity },
        {
          comment: "Runs the tenant pipeline with TENANT_ACTION=teardown and waits for its callback.",
          resultPath: null,
        },
      ),
      [S.deleteIdentity]: stepTask(r, F.deleteIdentity, S.finish, {
        comment: "Deletes the recorded user pool and any other pool tagged with the tenant.",
        resultPath: null,
      }),
      [S.finish]: statusTask(r, "OFFBOARDED", S.publishEvents, {
        comment: "OFFBOARDING → OFFBOARDED with offboardedAt; the record is kept.",
        resultPath: null,
      }),
      [S.publishEvents]: publishEventsTask(r, S.sendEmail),
      [S.sendEmail]: emailTask(r, "farewell", { Next: S.done }),
      [S.done]: { Type: "Succeed" },
    },
  );
}
