// The Reactivate state machine (Standard, JSONPath ASL): a suspended tenant paid (or `ops reactivate`). It
// undoes exactly what Suspend did. Input: LifecycleInput.

import type { StateMachineDefinition } from "../workflow/asl.js";
import { transientRetry } from "../workflow/retry.js";
import { emailTask, type LifecycleResources, tenantOnly } from "./email-task.js";

export const REACTIVATE_STATES = {
  reactivate: "Reactivate tenant",
  due: "Reactivation still due?",
  enableSignIn: "Enable sign-in",
  restoreQuota: "Restore namespace quota",
  sendEmail: "Send reactivation email",
  done: "Reactivated",
  notDue: "Superseded by a newer payment event",
} as const;

const S = REACTIVATE_STATES;

export function reactivateDefinition(r: LifecycleResources): StateMachineDefinition {
  return {
    Comment:
      "Reactivates a suspended tenant: status ACTIVE, its users enabled again, the plan's namespace quota " +
      "restored, and an email to the admin.",
    QueryLanguage: "JSONPath",
    StartAt: S.reactivate,
    States: {
      [S.reactivate]: {
        Type: "Task",
        Comment: "SUSPENDED → ACTIVE, only while this event is still the tenant's newest payment event.",
        Resource: r.setTenantStatus,
        Parameters: { "tenantId.$": "$.tenantId", to: "ACTIVE", "eventId.$": "$.eventId" },
        ResultSelector: { "proceed.$": "$.proceed" },
        ResultPath: "$.reactivation",
        Retry: transientRetry,
        Next: S.due,
      },
      [S.due]: {
        Type: "Choice",
        Choices: [{ Variable: "$.reactivation.proceed", BooleanEquals: true, Next: S.enableSignIn }],
        Default: S.notDue,
      },
      [S.enableSignIn]: {
        Type: "Task",
        Resource: r.applySignIn,
        Parameters: tenantOnly,
        ResultPath: null,
        Retry: transientRetry,
        Next: S.restoreQuota,
      },
      [S.restoreQuota]: {
        Type: "Task",
        Resource: r.applyNamespacePolicy,
        Parameters: tenantOnly,
        ResultPath: null,
        Retry: transientRetry,
        Next: S.sendEmail,
      },
      [S.sendEmail]: emailTask(r.emailsQueueUrl, "reactivated", { Next: S.done }),
      [S.done]: { Type: "Succeed" },
      [S.notDue]: {
        Type: "Succeed",
        Comment: "Another payment failure came after this payment: the tenant stays suspended.",
      },
    },
  };
}
