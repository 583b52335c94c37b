// Tasks the lifecycle state machines share: a status change and queueing one of the tenant's emails.

import { ONBOARDING_STEP_TABLE } from "../onboarding/step-table.js";
import type { JsonValue, TaskState } from "../workflow/asl.js";
import {
  sendMessageTask,
  stepTask,
  type TaskOptions,
  type Transition,
  type WorkflowRefs,
} from "../workflow/task.js";
import { LIFECYCLE_STEP_TABLE, type StatusTarget } from "./step-table.js";

/**
 * The execution name is the occurrence: the mailer sends each (tenant, template, execution) once, so a retry or
 * redrive does not mail twice while a second plan change does.
 */
export function emailTask(
  r: WorkflowRefs,
  template: "planChanged" | "suspended" | "reactivated" | "farewell" | "cancelled" | "restored" | "receipt",
  next: Transition,
  vars?: Record<string, string>,
): TaskState {
  const body: { [key: string]: JsonValue } = {
    "tenantId.$": "$.tenantId",
    template,
    "occurrence.$": "$$.Execution.Name",
  };
  if (vars) body.vars = vars;
  return sendMessageTask(
    r.queueUrl("emails"),
    body,
    next,
    `Queues the ${template} email; the mailer sends it once per execution.`,
  );
}

/** set-tenant-status moving the tenant `to` a status on behalf of the execution's event. */
export function statusTask(
  r: WorkflowRefs,
  to: StatusTarget,
  next: string,
  o: Omit<TaskOptions, "parameters">,
): TaskState {
  return stepTask(r, LIFECYCLE_STEP_TABLE.setTenantStatus, next, {
    ...o,
    parameters: {
      "tenantId.$": "$.tenantId",
      to,
      "eventId.$": "$.eventId",
      "execution.$": "$$.Execution.Name",
    },
  });
}

/** The state that puts the transition's lifecycle event on the tenant events bus, right after it. */
export const PUBLISH_EVENTS_STATE = ONBOARDING_STEP_TABLE.publishEvents.label;

/** The onboarding workflow's "Publish tenant events" function, here without recording an onboarding step. */
export function publishEventsTask(r: WorkflowRefs, next: string): TaskState {
  return stepTask(r, ONBOARDING_STEP_TABLE.publishEvents.function, next, {
    comment: "Drains the tenant's outbox: the event this workflow's transition wrote goes on embark-tenants.",
    resultPath: null,
  });
}
