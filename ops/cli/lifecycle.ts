/**
 * `offboard` (a cancellation: retained, then purged), `restore`, `suspend`, `reactivate`, `change-plan`: an
 * operator's lifecycle command is applied like a billing
 * event created now (id `ops-<time>-<uuid>`, core/billing/apply.ts), so it starts the same workflow with the same
 * checks, takes its place in the tenant's event order (a billing event older than the command does not undo
 * it; a newer one has the last word) and is recorded in the billing event log. A suspension is immediate.
 */
import { DescribeExecutionCommand } from "@aws-sdk/client-sfn";
import { DynamoBillingRecords } from "../../core/adapters/billing-records.js";
import { StepFunctionsWorkflows } from "../../core/adapters/workflows.js";
import { type ApplyDeps, applyToTenant } from "../../core/billing/apply.js";
import { type BillingAction, type BillingEvent, opsEventId } from "../../core/billing/event.js";
import { recordOutcome } from "../../core/billing/log.js";
import {
  executionName,
  LIFECYCLE_WORKFLOWS,
  type LifecycleWorkflow,
  parseExecutionName,
  STATE_MACHINE_FOR_WORKFLOW,
  STATE_MACHINE_OF,
} from "../../core/workflow/names.js";
import { executionArnOf } from "../read/executions.js";
import type { OpsContext } from "./context.js";
import { NotFoundError, UsageError } from "./errors.js";
import { fields } from "./format.js";
import { StateMachines } from "./state-machines.js";
import { requireTenant } from "./tenants.js";

export type LifecycleCommand = "offboard" | "restore" | "suspend" | "reactivate" | "change-plan";

const ACTIONS: Record<LifecycleCommand, BillingAction> = {
  offboard: "cancel",
  restore: "restore",
  suspend: "payment_failed",
  reactivate: "payment_succeeded",
  "change-plan": "plan",
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function applyDeps(ctx: OpsContext): Promise<ApplyDeps> {
  const machines = new StateMachines(ctx);
  const arns = {} as Record<LifecycleWorkflow, string>;
  for (const wf of LIFECYCLE_WORKFLOWS) arns[wf] = await machines.requireArn(STATE_MACHINE_OF[wf]);
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
  opts: { plan?: string; wait?: boolean; grace?: string; confirm?: string } = {},
): Promise<void> {
  const tenant = await requireTenant(ctx, ref);
  const graceSeconds = opts.grace === undefined ? undefined : parseGrace(opts.grace);
  if (command === "offboard") {
    const guard = await offboardGuard(ctx, tenant);
    if (guard && opts.confirm !== tenant.slug) {
      throw new UsageError(
        `${tenant.slug} ${guard}: confirm with --confirm ${tenant.slug}` +
          (opts.confirm ? ` (got --confirm ${opts.confirm})` : ""),
      );
    }
  }
  if (command === "change-plan" && !(await ctx.plans().find(opts.plan ?? ""))) {
    throw new NotFoundError(`No plan "${opts.plan}" in the catalog (see \`plans list\`)`);
  }
  const d = await applyDeps(ctx);
  const event: BillingEvent = {
    id: opsEventId(),
    type: `ops.${command}`,
    created: Math.floor(Date.now() / 1000),
    action: ACTIONS[command],
    source: "ops",
    ...(command === "change-plan" ? { planId: opts.plan } : {}),
    ...(command === "suspend" ? { immediate: true } : {}),
    ...(command === "offboard" && graceSeconds !== undefined ? { graceSeconds } : {}),
  };
  ctx.verbose(`applying ${event.id} (${event.type}) to ${tenant.slug}`);
  const outcome = await applyToTenant(d, tenant.tenantId, event);
  await recordOutcome(d, event, outcome);
  if (outcome.outcome === "ignored" || outcome.outcome === "superseded") {
    throw new UsageError(`Cannot ${command} ${tenant.slug}: ${outcome.reason}`);
  }
  if (outcome.outcome === "duplicate" && command === "restore") {
    throw new UsageError(`Cannot restore ${tenant.slug}: ${outcome.reason}`);
  }
  let status = opts.wait && outcome.execution ? await waitFor(ctx, outcome.execution) : undefined;
  let purge: string | undefined;
  if (command === "offboard" && status === "SUCCEEDED") {
    // The purge is due within a minute (a short grace period): wait for it too.
    const t = await ctx.tenants().get(tenant.tenantId);
    const n = t?.runs?.cancel;
    if (t?.status === "CANCELLED" && n && t.purgeAfter && Date.parse(t.purgeAfter) - Date.now() < 60_000) {
      purge = executionName(t.slug, "offboard", n);
      status = await waitFor(ctx, purge, Date.parse(t.purgeAfter) + 120_000);
    }
  }
  const after = await ctx.tenants().get(tenant.tenantId);
  const now = after?.status ?? tenant.status;
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
      ["Purge", purge],
      ["Execution status", status],
      ["Purge after", after?.status === "CANCELLED" ? after.purgeAfter : undefined],
      ["Export", after?.export?.location],
      ["Receipt", after?.receipt ? `${after.receipt.at}: ${after.receipt.deleted.join("; ")}` : undefined],
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

function parseGrace(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n > 10 * 365 * 86_400) {
    throw new UsageError(`--grace must be a whole number of seconds (0 to ten years), not "${raw}"`);
  }
  return n;
}

/** Users above which `offboard` asks for --confirm (EMBARK_OFFBOARD_CONFIRM_USERS, default 10). */
export function confirmUsersAbove(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.EMBARK_OFFBOARD_CONFIRM_USERS ?? 10);
  return Number.isFinite(n) && n >= 0 ? n : 10;
}

/** Why offboarding this tenant needs `--confirm <slug>` (many users, dedicated resources), or undefined. */
export async function offboardGuard(
  ctx: OpsContext,
  tenant: { plan: string; resources: { userPoolId?: string } },
): Promise<string | undefined> {
  const plan = await ctx.plans().find(tenant.plan);
  if (plan?.dedicatedResources) return `is on the ${plan.displayName} plan (dedicated resources)`;
  const pool = tenant.resources.userPoolId;
  if (!pool) return undefined;
  const max = confirmUsersAbove();
  const users = await countUsers(ctx, pool, max + 1);
  return users > max ? `has more than ${max} users` : undefined;
}

async function countUsers(ctx: OpsContext, userPoolId: string, enough: number): Promise<number> {
  const { CognitoIdentityProviderClient, ListUsersCommand } = await import(
    "@aws-sdk/client-cognito-identity-provider"
  );
  const client = new CognitoIdentityProviderClient(ctx.clientConfig);
  let count = 0;
  let token: string | undefined;
  do {
    const page = await client
      .send(new ListUsersCommand({ UserPoolId: userPoolId, Limit: 60, PaginationToken: token }))
      .catch((err: Error) => {
        if (err.name === "ResourceNotFoundException") return { Users: [], PaginationToken: undefined };
        throw err;
      });
    count += page.Users?.length ?? 0;
    token = page.PaginationToken;
  } while (token && count < enough);
  return count;
}

/** Polls the execution until it ends; returns its final status. */
async function waitFor(ctx: OpsContext, name: string, deadline = Number.POSITIVE_INFINITY): Promise<string> {
  const workflow = parseExecutionName(name)?.workflow;
  if (!workflow || workflow === "onboard") return "UNKNOWN";
  const machine = await new StateMachines(ctx).requireArn(STATE_MACHINE_OF[workflow]);
  const executionArn = executionArnOf(machine, name);
  ctx.verbose(`waiting for ${name} (${STATE_MACHINE_FOR_WORKFLOW[workflow]})`);
  for (;;) {
    const status = await ctx.sfn.send(new DescribeExecutionCommand({ executionArn })).then(
      (o) => o.status,
      (err: Error) => {
        // The purge starts when its schedule fires: until then it does not exist.
        if (err.name === "ExecutionDoesNotExist") return "PENDING";
        throw err;
      },
    );
    if (status && status !== "RUNNING" && status !== "PENDING") return status;
    if (Date.now() > deadline) return status ?? "UNKNOWN";
    await sleep(500);
  }
}
