// The Cancel state machine (Standard, JSONPath ASL): the subscription was cancelled (or `ops offboard`).
// Nothing is deleted: the tenant is CANCELLED and retained for its plan's grace period (design §2, retention),
// its users disabled, its workloads stopped, and the purge (the Offboard state machine) scheduled for when the
// grace period ends. A restore before then undoes all of it. Input: LifecycleInput.

import { jsonPathMachine, type StateMachineDefinition, whenTrue } from "../workflow/asl.js";
import { callbackTask, stepTask, type WorkflowRefs } from "../workflow/task.js";
import { LIFECYCLE_STEP_TABLE as F } from "./step-table.js";
import { emailTask, PUBLISH_EVENTS_STATE, publishEventsTask, statusTask } from "./tasks.js";

export const CANCEL_STATES = {
  cancel: "Cancel tenant",
  publishEvents: PUBLISH_EVENTS_STATE,
  due: "Still cancelled?",
  exportTenant: "Export tenant",
  disableSignIn: "Disable sign-in",
  scaleToZero: "Scale namespace to zero",
  hasDedicated: "Has dedicated resources?",
  stopDedicated: "Stop dedicated resources",
  schedulePurge: "Schedule purge",
  sendEmail: "Send cancellation email",
  done: "Cancelled",
  restored: "Restored meanwhile",
} as const;

const S = CANCEL_STATES;

export function cancelDefinition(r: WorkflowRefs): StateMachineDefinition {
  return jsonPathMachine(
    "Cancels a tenant without deleting anything: CANCELLED with purgeAfter (the plan's grace period), an export " +
      "written to S3 first, its users " +
      "disabled, its namespace at zero pods with the running ones evicted, dedicated resources stopped, the purge " +
      "scheduled (EventBridge Scheduler, one-time) and an email to the admin.",
    S.cancel,
    {
      [S.cancel]: statusTask(r, "CANCELLED", S.publishEvents, {
        comment:
          "ACTIVE | SUSPENDED | FAILED | DEGRADED → CANCELLED with purgeAfter (already there: carry on).",
        resultSelector: { "proceed.$": "$.proceed", "dedicatedResources.$": "$.dedicatedResources" },
        resultPath: "$.cancellation",
      }),
      [S.publishEvents]: publishEventsTask(r, S.due),
      [S.due]: whenTrue("$.cancellation.proceed", S.exportTenant, S.restored),
      [S.exportTenant]: stepTask(r, F.exportTenant, S.disableSignIn, {
        comment:
          "Writes the tenant record, its users and its namespace's manifests to the exports bucket (manifest " +
          "with checksums last) and records where on the tenant, before anything is disabled.",
        resultPath: null,
      }),
      [S.disableSignIn]: stepTask(r, F.applySignIn, S.scaleToZero, {
        comment:
          "Disables every user of the tenant's pool (AdminDisableUser also signs them out). Users are kept.",
        resultPath: null,
      }),
      [S.scaleToZero]: stepTask(r, F.applyNamespacePolicy, S.hasDedicated, {
        comment:
          "ResourceQuota pods: 0 (server-side apply) and the running pods evicted; every object is kept.",
        resultPath: null,
      }),
      [S.hasDedicated]: whenTrue("$.cancellation.dedicatedResources", S.stopDedicated, S.schedulePurge),
      [S.stopDedicated]: callbackTask(
        r.functionArn(F.runLifecyclePipeline.name),
        { "tenantId.$": "$.tenantId", action: "stop", "runKey.$": "$$.Execution.Name" },
        { Next: S.schedulePurge },
        {
          comment:
            "Runs the tenant pipeline with TENANT_ACTION=stop (resources kept for a restore) and waits.",
          resultPath: null,
        },
      ),
      [S.schedulePurge]: stepTask(r, F.setPurgeSchedule, S.sendEmail, {
        comment:
          "A one-time schedule at purgeAfter starts the purge (embark-offboard) once; survives redeploys.",
        resultPath: null,
      }),
      [S.sendEmail]: emailTask(r, "cancelled", { Next: S.done }),
      [S.done]: { Type: "Succeed" },
      [S.restored]: {
        Type: "Succeed",
        Comment: "The tenant was restored before this execution got here: its restore made everything match.",
      },
    },
  );
}
