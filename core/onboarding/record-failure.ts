/**
 * Records why an onboarding (or lifecycle) execution failed. Runs on the "Step Functions Execution Status Change" event
 * (see core/workflow/failure-events.ts): the workflows have no Catch → Fail, so a redrive can resume at the
 * failed Task, and this is where the tenant learns about the failure.
 */
import type { HistoryEvent } from "@aws-sdk/client-sfn";
import * as z from "zod";
import type { BillingRecords } from "../billing/records.js";
import type { TenantEventPublisher, WorkflowRunner } from "../ports.js";
import { jsonOrUndefined } from "../runtime/input.js";
import { stepForStateName } from "../tenant/model.js";
import { publishTenantEvents } from "../tenant/publish-events.js";
import type { TenantStore } from "../tenant/store.js";
import { STATE_MACHINE_FOR_WORKFLOW, WORKFLOWS, type Workflow } from "../workflow/names.js";
import { TenantIdField } from "./step-table.js";

const NAME = "[A-Za-z0-9_-]{1,80}";
/** The `detail` of a Step Functions execution status change, with the bounds AWS gives each field. */
export const ExecutionStatusChange = z.object({
  executionArn: z
    .string()
    .regex(new RegExp(`^arn:aws[\\w-]*:states:[a-z0-9-]+:\\d{12}:execution:${NAME}:${NAME}$`), {
      error: "executionArn must be a Step Functions execution ARN",
    }),
  stateMachineArn: z
    .string()
    .regex(new RegExp(`^arn:aws[\\w-]*:states:[a-z0-9-]+:\\d{12}:stateMachine:${NAME}$`), {
      error: "stateMachineArn must be a Step Functions state machine ARN",
    }),
  name: z.string().regex(new RegExp(`^${NAME}$`), { error: "name must be an execution name" }),
  status: z.enum(["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"]),
  input: z
    .string()
    .max(256 * 1024)
    .nullish(),
  error: z.string().max(256).nullish(),
  cause: z
    .string()
    .max(32 * 1024)
    .nullish(),
});
export type ExecutionStatusChange = z.infer<typeof ExecutionStatusChange>;

const TenantInput = z.object({ tenantId: TenantIdField });

/** The innermost state that was entered and never exited: where the execution stopped. */
export function failedStateOf(events: HistoryEvent[]): string | undefined {
  const open: string[] = [];
  for (const e of events) {
    const entered = e.stateEnteredEventDetails?.name;
    const exited = e.stateExitedEventDetails?.name;
    if (entered) open.push(entered);
    if (exited) {
      const i = open.lastIndexOf(exited);
      if (i >= 0) open.splice(i, 1);
    }
  }
  return [...open].reverse().find((name) => stepForStateName(name)) ?? open.at(-1);
}

/** A Lambda error's cause is JSON {errorMessage, errorType}; people want the message. */
export function humanCause(cause: string | null | undefined, fallback: string): string {
  if (!cause) return fallback;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === "string") return parsed.errorMessage;
  } catch {
    // not JSON: already human
  }
  return cause;
}

/** The workflow a state machine ARN runs (by its name), if it is one of Embark's. */
export function workflowOfStateMachine(stateMachineArn: string): Workflow | undefined {
  const name = stateMachineArn.split(":").at(-1);
  return WORKFLOWS.find((w) => STATE_MACHINE_FOR_WORKFLOW[w] === name);
}

export async function recordExecutionFailure(
  d: {
    tenants: TenantStore;
    workflows: WorkflowRunner;
    records?: BillingRecords;
    /** Where "Tenant Onboarding Failed" goes; without it the event waits in the outbox for the next drain. */
    events?: TenantEventPublisher;
  },
  change: ExecutionStatusChange,
): Promise<{ tenantId: string; step: string; recorded: boolean; workflow?: Workflow } | undefined> {
  if (change.status === "RUNNING" || change.status === "SUCCEEDED") return undefined;
  // An execution started with input that names no tenant failed at its first step: nothing to record it on.
  const parsed = TenantInput.safeParse(jsonOrUndefined(change.input));
  if (!parsed.success) return undefined;
  const { tenantId } = parsed.data;
  const tenant = await d.tenants.get(tenantId);
  if (!tenant) return undefined;

  const stateName = failedStateOf(await d.workflows.history(change.executionArn)) ?? "unknown";
  const step = stepForStateName(stateName) ?? stateName;
  const error = change.error || (change.status === "FAILED" ? "States.Failed" : `States.${change.status}`);
  const cause = humanCause(change.cause, `Execution ${change.name} ended ${change.status}`);
  const at = new Date().toISOString();

  // A lifecycle workflow (plan change, suspend, reactivate, offboard): the tenant keeps the status the failed
  // step left it in (FAILED means a failed onboarding); the failure is recorded beside it, for operators.
  const workflow = workflowOfStateMachine(change.stateMachineArn);
  if (workflow && workflow !== "onboard") {
    if (!d.records) return undefined;
    await d.records.recordWorkflowFailure(tenantId, {
      workflow,
      execution: change.name,
      step: stateName,
      error,
      cause,
      at,
    });
    return { tenantId, step: stateName, recorded: true, workflow };
  }

  const onboardingStep = stepForStateName(stateName);
  if (onboardingStep) {
    await d.tenants.markStep(tenantId, onboardingStep, "failed", { error: { name: error, message: cause } });
  }
  // Only an onboarding in progress becomes FAILED; a late step (the welcome email) of an ACTIVE tenant
  // is recorded on the step alone.
  const recorded =
    tenant.status === "PROVISIONING"
      ? await d.tenants.transition(tenantId, "FAILED", {
          failure: { step, error, cause, at },
          cause: { execution: change.name },
        })
      : false;
  // No workflow step runs after a failure: publish "Tenant Onboarding Failed" here (a retry of this function,
  // or the next transition's drain, publishes it if this put fails).
  if (d.events) await publishTenantEvents({ tenants: d.tenants, events: d.events }, tenantId);
  return { tenantId, step, recorded };
}
