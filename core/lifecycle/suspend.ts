// The Suspend state machine (Standard, JSONPath ASL): an invoice payment failed (or `ops suspend`). It waits
// out the plan's grace period, counted from the unpaid invoice, then suspends unless a newer payment event
// (the invoice paid) arrived meanwhile. Input: SuspendInput.

import { jsonPathMachine, type StateMachineDefinition, whenTrue } from "../workflow/asl.js";
import { stepTask, type WorkflowRefs } from "../workflow/task.js";
import { LIFECYCLE_STEP_TABLE as F } from "./step-table.js";
import { emailTask, PUBLISH_EVENTS_STATE, publishEventsTask, statusTask } from "./tasks.js";

export const SUSPEND_STATES = {
  wait: "Wait for grace period",
  suspend: "Suspend tenant",
  publishEvents: PUBLISH_EVENTS_STATE,
  due: "Suspension still due?",
  disableSignIn: "Disable sign-in",
  scaleToZero: "Scale namespace to zero",
  sendEmail: "Send suspension email",
  done: "Suspended",
  notDue: "Payment recovered",
} as const;

const S = SUSPEND_STATES;

export function suspendDefinition(r: WorkflowRefs): StateMachineDefinition {
  return jsonPathMachine(
    "Suspends a tenant whose payment failed, after the plan's grace period: status SUSPENDED, its users " +
      "disabled in the user pool, its namespace quota at zero pods (data kept), and an email to the admin.",
    S.wait,
    {
      [S.wait]: { Type: "Wait", TimestampPath: "$.suspendAt", Next: S.suspend },
      [S.suspend]: statusTask(r, "SUSPENDED", S.publishEvents, {
        comment: "ACTIVE → SUSPENDED, only while this event is still the tenant's newest payment event.",
        resultSelector: { "proceed.$": "$.proceed", "graceDays.$": "$.graceDays" },
        resultPath: "$.suspension",
      }),
      [S.publishEvents]: publishEventsTask(r, S.due),
      [S.due]: whenTrue("$.suspension.proceed", S.disableSignIn, S.notDue),
      [S.disableSignIn]: stepTask(r, F.applySignIn, S.scaleToZero, {
        comment: "Disables every user of the tenant's pool (AdminDisableUser also signs them out).",
        resultPath: null,
      }),
      [S.scaleToZero]: stepTask(r, F.applyNamespacePolicy, S.sendEmail, {
        comment: "ResourceQuota pods: 0 (server-side apply); running workloads are the tenant's to stop.",
        resultPath: null,
      }),
      [S.sendEmail]: emailTask(r, "suspended", { Next: S.done }, { "graceDays.$": "$.suspension.graceDays" }),
      [S.done]: { Type: "Succeed" },
      [S.notDue]: {
        Type: "Succeed",
        Comment: "A newer payment event (the invoice paid) arrived during the grace period: nothing to do.",
      },
    },
  );
}
