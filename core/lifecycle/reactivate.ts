// The Reactivate state machine (Standard, JSONPath ASL): a suspended tenant paid (or `ops reactivate`). It
// undoes exactly what Suspend did. Input: LifecycleInput.

import { jsonPathMachine, type StateMachineDefinition, whenTrue } from "../workflow/asl.js";
import { stepTask, type WorkflowRefs } from "../workflow/task.js";
import { LIFECYCLE_STEP_TABLE as F } from "./step-table.js";
import { emailTask, PUBLISH_EVENTS_STATE, publishEventsTask, statusTask } from "./tasks.js";

export const REACTIVATE_STATES = {
  reactivate: "Reactivate tenant",
  publishEvents: PUBLISH_EVENTS_STATE,
  due: "Reactivation still due?",
  enableSignIn: "Enable sign-in",
  restoreQuota: "Restore namespace quota",
  sendEmail: "Send reactivation email",
  done: "Reactivated",
  notDue: "Superseded by a newer payment event",
} as const;

const S = REACTIVATE_STATES;

export function reactivateDefinition(r: WorkflowRefs): StateMachineDefinition {
  return jsonPathMachine(
    "Reactivates a suspended tenant: status ACTIVE, its users enabled again, the plan's namespace quota " +
      "restored, and an email to the admin.",
    S.reactivate,
    {
      [S.reactivate]: statusTask(r, "ACTIVE", S.publishEvents, {
        comment: "SUSPENDED → ACTIVE, only while this event is still the tenant's newest payment event.",
        resultSelector: { "proceed.$": "$.proceed" },
        resultPath: "$.reactivation",
      }),
      [S.publishEvents]: publishEventsTask(r, S.due),
      [S.due]: whenTrue("$.reactivation.proceed", S.enableSignIn, S.notDue),
      [S.enableSignIn]: stepTask(r, F.applySignIn, S.restoreQuota, { resultPath: null }),
      [S.restoreQuota]: stepTask(r, F.applyNamespacePolicy, S.sendEmail, { resultPath: null }),
      [S.sendEmail]: emailTask(r, "reactivated", { Next: S.done }),
      [S.done]: { Type: "Succeed" },
      [S.notDue]: {
        Type: "Succeed",
        Comment: "Another payment failure came after this payment: the tenant stays suspended.",
      },
    },
  );
}
