// The Restore state machine (Standard, JSONPath ASL): a cancelled tenant subscribed or paid again within its
// grace period (or `ops restore`). Nothing was deleted, so nothing is re-created: it undoes what Cancel did.
// Input: LifecycleInput.

import { jsonPathMachine, type StateMachineDefinition, whenTrue } from "../workflow/asl.js";
import { callbackTask, stepTask, type WorkflowRefs } from "../workflow/task.js";
import { LIFECYCLE_STEP_TABLE as F } from "./step-table.js";
import { emailTask, PUBLISH_EVENTS_STATE, publishEventsTask, statusTask } from "./tasks.js";

export const RESTORE_STATES = {
  restore: "Restore tenant",
  publishEvents: PUBLISH_EVENTS_STATE,
  due: "Restored?",
  cancelPurge: "Cancel purge",
  enableSignIn: "Enable sign-in",
  restoreQuota: "Restore namespace quota",
  hasDedicated: "Has dedicated resources?",
  startDedicated: "Start dedicated resources",
  sendEmail: "Send restore email",
  done: "Restored",
  notDue: "Not restored",
} as const;

const S = RESTORE_STATES;

export function restoreDefinition(r: WorkflowRefs): StateMachineDefinition {
  return jsonPathMachine(
    "Restores a cancelled tenant within its grace period: ACTIVE with the same slug, pool, users and namespace, " +
      "its purge schedule deleted, its users enabled, the plan's quota back, dedicated resources started, and an " +
      "email to the admin.",
    S.restore,
    {
      [S.restore]: statusTask(r, "RESTORED", S.publishEvents, {
        comment: "CANCELLED → ACTIVE, conditional: a purge that started first wins and this one stops here.",
        resultSelector: { "proceed.$": "$.proceed", "dedicatedResources.$": "$.dedicatedResources" },
        resultPath: "$.restoration",
      }),
      [S.publishEvents]: publishEventsTask(r, S.due),
      [S.due]: whenTrue("$.restoration.proceed", S.cancelPurge, S.notDue),
      [S.cancelPurge]: stepTask(r, F.setPurgeSchedule, S.enableSignIn, {
        comment: "Deletes the purge schedule (the purge also checks the status, so a late one does nothing).",
        resultPath: null,
      }),
      [S.enableSignIn]: stepTask(r, F.applySignIn, S.restoreQuota, { resultPath: null }),
      [S.restoreQuota]: stepTask(r, F.applyNamespacePolicy, S.hasDedicated, { resultPath: null }),
      [S.hasDedicated]: whenTrue("$.restoration.dedicatedResources", S.startDedicated, S.sendEmail),
      [S.startDedicated]: callbackTask(
        r.functionArn(F.runLifecyclePipeline.name),
        { "tenantId.$": "$.tenantId", action: "deploy", "runKey.$": "$$.Execution.Name" },
        { Next: S.sendEmail },
        {
          comment: "Runs the tenant pipeline with TENANT_ACTION=deploy and waits for its callback.",
          resultPath: null,
        },
      ),
      [S.sendEmail]: emailTask(r, "restored", { Next: S.done }),
      [S.done]: { Type: "Succeed" },
      [S.notDue]: {
        Type: "Succeed",
        Comment: "The tenant is not CANCELLED any more (purged, or restored by another event's execution).",
      },
    },
  );
}
