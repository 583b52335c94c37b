/**
 * The tenant page's Cancel and Restore buttons: each applies an operator command like `npm run ops -- offboard`
 * / `restore` (a billing event created now, id `ops-<time>-<uuid>`, core/billing/apply.ts), so it starts the same
 * workflow with the same checks and is recorded in the billing event log. Cancel always asks for the slug typed
 * again (the CLI's `--confirm <slug>`): the console has no login, and a cancellation starts a purge.
 */
import { DynamoBillingRecords } from "../../../core/adapters/billing-records.js";
import type { DynamoTenantStore } from "../../../core/adapters/tenant-store.js";
import { StepFunctionsWorkflows } from "../../../core/adapters/workflows.js";
import { LOCAL_NAMES } from "../../../core/app/resources.js";
import { type ApplyDeps, applyToTenant } from "../../../core/billing/apply.js";
import { type BillingEvent, opsEventId } from "../../../core/billing/event.js";
import { recordOutcome } from "../../../core/billing/log.js";
import { findTenant } from "../../../core/tenant/lookup.js";
import {
  LIFECYCLE_WORKFLOWS,
  type LifecycleWorkflow,
  STATE_MACHINE_FOR_WORKFLOW,
} from "../../../core/workflow/names.js";
import { listStateMachines } from "../../read/executions.js";
import { type ConsoleRequest, type ConsoleResponse, NotFound } from "../context.js";

async function applyDeps(req: ConsoleRequest): Promise<ApplyDeps> {
  const machines = await listStateMachines(req.aws.sfn);
  const arns = {} as Record<LifecycleWorkflow, string>;
  for (const wf of LIFECYCLE_WORKFLOWS) {
    const arn = machines.find((m) => m.name === STATE_MACHINE_FOR_WORKFLOW[wf])?.stateMachineArn;
    if (!arn) throw new NotFound(`No state machine named ${STATE_MACHINE_FOR_WORKFLOW[wf]}`);
    arns[wf] = arn;
  }
  const table = (req.tenants as DynamoTenantStore).tableName;
  return {
    tenants: req.tenants,
    plans: req.aws.planStore(LOCAL_NAMES.table("plans")),
    records: new DynamoBillingRecords(req.aws.documents, table),
    workflows: new StepFunctionsWorkflows(req.aws.sfn),
    stateMachines: arns,
  };
}

/** POST /console/tenants/<id>/cancel with `confirm=<slug>`; POST …/restore. */
export async function tenantAction(
  req: ConsoleRequest,
  idOrSlug: string,
  action: "cancel" | "restore",
): Promise<ConsoleResponse | { refused: string }> {
  const tenant = await findTenant(req.tenants, idOrSlug);
  if (!tenant) throw new NotFound(`No tenant with id or slug "${idOrSlug}"`);
  if (action === "cancel" && req.form?.get("confirm") !== tenant.slug) {
    return { refused: `Type the slug ${tenant.slug} to confirm the cancellation (nothing was done).` };
  }
  const d = await applyDeps(req);
  const event: BillingEvent = {
    id: opsEventId(),
    type: action === "cancel" ? "ops.offboard" : "ops.restore",
    created: Math.floor(Date.now() / 1000),
    action,
    source: "ops",
  };
  const outcome = await applyToTenant(d, tenant.tenantId, event);
  await recordOutcome(d, event, outcome);
  if (outcome.outcome !== "started") {
    return { refused: `Cannot ${action} ${tenant.slug}: ${outcome.reason}` };
  }
  return {
    status: 303,
    location: `/console/tenants/${encodeURIComponent(tenant.tenantId)}?done=${action === "cancel" ? "cancelled" : "restored"}`,
  };
}
