// The Offboard state machine (Standard, JSONPath ASL): the purge of a cancelled tenant, started by its one-time
// purge schedule when the grace period ends (functions/start-purge.ts). Everything the tenant had goes; the
// record stays, OFFBOARDED with its deletion receipt; the export made at cancellation is kept (design §2).
// Input: LifecycleInput (eventId: the cancellation it purges for).

import { jsonPathMachine, type StateMachineDefinition, whenTrue } from "../workflow/asl.js";
import { callbackTask, stepTask, type WorkflowRefs } from "../workflow/task.js";
import { LIFECYCLE_STEP_TABLE as F } from "./step-table.js";
import { emailTask, PUBLISH_EVENTS_STATE, publishEventsTask, statusTask } from "./tasks.js";

export const OFFBOARD_STATES = {
  start: "Start offboarding",
  due: "Purge still due?",
  deleteNamespace: "Delete namespace",
  hasDedicated: "Has dedicated resources?",
  teardown: "Tear down dedicated resources",
  deleteIdentity: "Delete user pool",
  finish: "Finish offboarding",
  publishEvents: PUBLISH_EVENTS_STATE,
  sendEmail: "Send deletion receipt",
  done: "Offboarded",
  rearm: "Keep purge scheduled",
  notDue: "Not purged",
} as const;

const S = OFFBOARD_STATES;

export function offboardDefinition(r: WorkflowRefs): StateMachineDefinition {
  return jsonPathMachine(
    "Purges a cancelled tenant once its grace period is over: OFFBOARDING, its namespace deleted (waits for the " +
      "cascade), the pipeline's teardown of dedicated resources, its user pool deleted, OFFBOARDED with a deletion " +
      "receipt, and the receipt emailed. A tenant restored meanwhile is left alone.",
    S.start,
    {
      [S.start]: statusTask(r, "OFFBOARDING", S.due, {
        comment:
          "CANCELLED → OFFBOARDING for this cancellation, once purgeAfter has passed (already there: carry on).",
        resultSelector: { "proceed.$": "$.proceed", "dedicatedResources.$": "$.dedicatedResources" },
        resultPath: "$.offboarding",
      }),
      [S.due]: whenTrue("$.offboarding.proceed", S.deleteNamespace, S.rearm),
      [S.rearm]: stepTask(r, F.setPurgeSchedule, S.notDue, {
        comment: "Restored, or not due yet: the purge schedule is made to match the record again.",
        resultPath: null,
      }),
      [S.notDue]: { Type: "Succeed", Comment: "Nothing was deleted." },
      [S.deleteNamespace]: stepTask(r, F.deleteNamespace, S.hasDedicated, {
        comment: "Revokes the admins' access entry, deletes the namespace and waits until it is gone.",
        resultPath: null,
      }),
      [S.hasDedicated]: whenTrue("$.offboarding.dedicatedResources", S.teardown, S.deleteIdentity),
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
      [S.sendEmail]: emailTask(r, "receipt", { Next: S.done }),
      [S.done]: { Type: "Succeed" },
    },
  );
}
