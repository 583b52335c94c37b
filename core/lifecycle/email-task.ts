// The Task that queues one of a tenant's lifecycle emails, shared by the lifecycle state machines.

import type { JsonValue, TaskState } from "../workflow/asl.js";
import { sendMessageTask, type Transition, type WorkflowRefs } from "../workflow/task.js";

/**
 * The execution name is the occurrence: the mailer sends each (tenant, template, execution) once, so a retry or
 * redrive does not mail twice while a second plan change does.
 */
export function emailTask(
  r: WorkflowRefs,
  template: "planChanged" | "suspended" | "reactivated" | "farewell",
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
