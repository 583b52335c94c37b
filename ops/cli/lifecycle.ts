/**
 * `offboard`, `suspend`, `reactivate`, `change-plan`: an operator's lifecycle command is applied like a billing
 * event created now (id `ops-<uuid>`, core/billing/apply.ts), so it starts the same workflow with the same
 * checks, takes its place in the tenant's event order (a billing event older than the command does not undo
 * it; a newer one has the last word) and is recorded in the billing event log. A suspension is immediate.
 */
import { randomUUID } from "node:crypto";
import { DescribeExecutionCommand } from "@aws-sdk/client-sfn";
import { DynamoBillingRecords } from "../../core/adapters/billing-records.js";
import { StepFunctionsWorkflows } from "../../core/adapters/workflows.js";
import { type ApplyDeps, applyToTenant } from "../../core/billing/apply.js";
import type { BillingAction, BillingEvent } from "../../core/billing/event.js";
import { recordOutcome } from "../../core/billing/log.js";
import type { LifecycleWorkflow } from "../../core/workflow/names.js";
import { parseExecutionName, STATE_MACHINE_FOR_WORKFLOW } from "../../core/workflow/names.js";
import { executionArnOf } from "../read/executions.js";
import type { OpsContext } from "./context.js";
import { NotFoundError, UsageError } from "./errors.js";
import { fields } from "./format.js";
import { StateMachines } from "./state-machines.js";
import type { WorkflowKey } from "./target.js";
import { requireTenant } from "./tenants.js";

export type LifecycleCommand = "offboard" | "suspend" | "reactivate" | "change-plan";

const ACTIONS: Record<LifecycleCommand, BillingAction> = {
  offboard: "cancel",
  suspend: "payment_failed",
  reactivate: "payment_succeeded",
  "change-plan": "plan",
};

const KEYS: Record<LifecycleWorkflow, WorkflowKey> = {
  "plan-change": "planChange",
  suspend: "suspend",
  reactivate: "reactivate",
  offboard: "offboard",
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function applyDeps(ctx: OpsContext): Promise<ApplyDeps> {
  const machines = new StateMachines(ctx);
  const arns = {} as Record<LifecycleWorkflow, string>;
  for (const wf of Object.keys(KEYS) as LifecycleWorkflow[]) arns[wf] = await machines.requireArn(KEYS[wf]);
  const tenants = ctx.tenants();
  return {
    tenants,
    plans: ctx.plans(),
    records: new DynamoBillingRecords(ctx.documents, tenants.tableName),
    workflows: new StepFunctionsWorkflows(ctx.sfn),
    stateMachines: arns,
  };
}

export async function lifecycleCommand(
  ctx: OpsContext,
  command: LifecycleCommand,
  ref: string,
  opts: { plan?: string; wait?: boolean } = {},
): Promise<void> {
  const tenant = await requireTenant(ctx, ref);
  if (command === "change-plan" && !(await ctx.plans().find(opts.plan ?? ""))) {
    throw new NotFoundError(`No plan "${opts.plan}" in the catalog (see \`plans list\`)`);
  }
  const d = await applyDeps(ctx);
  const event: BillingEvent = {
    id: `ops-${randomUUID()}`,
    type: `ops.${command}`,
    created: Math.floor(Date.now() / 1000),
    action: ACTIONS[command],
    source: "ops",
    ...(command === "change-plan" ? { planId: opts.plan } : {}),
    ...(command === "suspend" ? { immediate: true } : {}),
  };
  ctx.verbose(`applying ${event.id} (${event.type}) to ${tenant.slug}`);
  const outcome = await applyToTenant(d, tenant.tenantId, event);
  await recordOutcome(d, event, outcome);
  if (outcome.outcome === "ignored" || outcome.outcome === "superseded") {
    throw new UsageError(`Cannot ${command} ${tenant.slug}: ${outcome.reason}`);
  }
  const status = opts.wait && outcome.execution ? await waitFor(ctx, outcome.execution) : undefined;
  const now = (await ctx.tenants().get(tenant.tenantId))?.status ?? tenant.status;
  const result = {
    tenant: tenant.slug,
    tenantId: tenant.tenantId,
    tenantStatus: now,
    eventId: event.id,
    ...outcome,
    status,
  };
  ctx.print(result, () => {
    const lines = fields([
      ["Tenant", `${tenant.slug} (${now === tenant.status ? now : `${tenant.status} → ${now}`})`],
      ["Outcome", `${outcome.outcome}: ${outcome.reason}`],
      ["Execution", outcome.execution],
      ["Execution status", status],
    ]);
    const follow =
      outcome.execution && !status
        ? `Follow it with: npm run ops -- executions history ${outcome.execution}\n`
        : "";
    return lines + follow;
  });
  if (status && status !== "SUCCEEDED") {
    throw new UsageError(
      `${outcome.execution} ended ${status}; see \`executions history ${outcome.execution}\``,
    );
  }
}

/** Polls the execution until it ends; returns its final status. */
async function waitFor(ctx: OpsContext, name: string): Promise<string> {
  const workflow = parseExecutionName(name)?.workflow;
  if (!workflow || workflow === "onboard") return "UNKNOWN";
  const machine = await new StateMachines(ctx).requireArn(KEYS[workflow]);
  const executionArn = executionArnOf(machine, name);
  ctx.verbose(`waiting for ${name} (${STATE_MACHINE_FOR_WORKFLOW[workflow]})`);
  for (;;) {
    const { status } = await ctx.sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (status && status !== "RUNNING") return status;
    await sleep(500);
  }
}
