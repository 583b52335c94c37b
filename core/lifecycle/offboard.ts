// The Offboard state machine (Standard, JSONPath ASL): the subscription was cancelled (or `ops offboard`).
// Everything the tenant had goes; the tenant record stays, OFFBOARDED with timestamps (data retention).
// Input: LifecycleInput.

import type { StateMachineDefinition } from "../workflow/asl.js";
import { callbackTask, lambdaTask, type WorkflowRefs } from "../workflow/task.js";
import { emailTask } from "./email-task.js";
import { LIFECYCLE_STEP_TABLE as F } from "./step-table.js";

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

export function offboardDefinition(r: WorkflowRefs): StateMachineDefinition {
  const setStatus = (to: "OFFBOARDING" | "OFFBOARDED") => ({
    "tenantId.$": "$.tenantId",
    to,
    "eventId.$": "$.eventId",
  });
  return {
    Comment:
      "Offboards a tenant: OFFBOARDING, its namespace deleted (waits for the cascade), the pipeline's teardown " +
      "of dedicated resources, its user pool deleted, OFFBOARDED with timestamps, and a farewell email.",
    QueryLanguage: "JSONPath",
    StartAt: S.start,
    States: {
      [S.start]: lambdaTask(
        r.functionArn(F.setTenantStatus.name),
        { Next: S.deleteNamespace },
        {
          comment: "ACTIVE | SUSPENDED | FAILED → OFFBOARDING (already there: carry on).",
          parameters: setStatus("OFFBOARDING"),
          resultSelector: { "dedicatedResources.$": "$.dedicatedResources" },
          resultPath: "$.offboarding",
        },
      ),
      [S.deleteNamespace]: lambdaTask(
        r.functionArn(F.deleteNamespace.name),
        { Next: S.hasDedicated },
        {
          comment: "Revokes the admins' access entry, deletes the namespace and waits until it is gone.",
          resultPath: null,
        },
      ),
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
      [S.deleteIdentity]: lambdaTask(
        r.functionArn(F.deleteIdentity.name),
        { Next: S.finish },
        {
          comment: "Deletes the recorded user pool and any other pool tagged with the tenant.",
          resultPath: null,
        },
      ),
      [S.finish]: lambdaTask(
        r.functionArn(F.setTenantStatus.name),
        { Next: S.sendEmail },
        {
          comment: "OFFBOARDING → OFFBOARDED with offboardedAt; the record is kept.",
          parameters: setStatus("OFFBOARDED"),
          resultPath: null,
        },
      ),
      [S.sendEmail]: emailTask(r, "farewell", { Next: S.done }),
      [S.done]: { Type: "Succeed" },
    },
  };
}
