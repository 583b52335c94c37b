/** `tenants list`, `tenants show`: the tenant table (DynamoDB) plus the tenant's executions (Step Functions). */
import { findTenant } from "../../core/tenant/lookup.js";
import { stepLabel, type Tenant } from "../../core/tenant/model.js";
import { TENANT_STATUSES, type TenantStatus } from "../../core/tenant/status.js";
import { failingStep, onboardingSteps, reconcileEntries, resourceFacts } from "../read/tenants.js";
import type { OpsContext } from "./context.js";
import { NotFoundError, UsageError } from "./errors.js";
import { executionColumns, listExecutions } from "./executions.js";
import { fields, redact, table, time } from "./format.js";

export function parseTenantStatus(value: string | undefined): TenantStatus | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if (!(TENANT_STATUSES as readonly string[]).includes(upper)) {
    throw new UsageError(`Unknown tenant status "${value}"; choose one of: ${TENANT_STATUSES.join(", ")}`);
  }
  return upper as TenantStatus;
}

export async function tenantsList(ctx: OpsContext, opts: { status?: string }): Promise<void> {
  const status = parseTenantStatus(opts.status);
  const tenants = await ctx.tenants().list(status ? { status } : {});
  ctx.print(tenants, () =>
    table(tenants, [
      { header: "SLUG", value: (t) => t.slug },
      { header: "STATUS", value: (t) => t.status },
      { header: "PLAN", value: (t) => t.plan },
      { header: "CREATED", value: (t) => time(t.createdAt) },
      { header: "FAILING STEP", value: (t) => failingStep(t)?.label },
      { header: "COMPANY", value: (t) => t.companyName, max: 40 },
      { header: "TENANT ID", value: (t) => t.tenantId },
    ]),
  );
}

/** A tenant by id or slug (core/tenant/lookup.ts); NotFoundError if neither matches. */
export async function requireTenant(ctx: OpsContext, ref: string): Promise<Tenant> {
  const tenant = await findTenant(ctx.tenants(), ref);
  if (!tenant) throw new NotFoundError(`No tenant with id or slug "${ref}"`);
  return tenant;
}

const isDegraded = (t: Tenant) => t.status === "DEGRADED" && t.reconcile?.degraded !== undefined;

export async function tenantsShow(ctx: OpsContext, ref: string): Promise<void> {
  const tenant = await requireTenant(ctx, ref);
  const executions = await listExecutions(ctx, { limit: 100, tenantSlug: tenant.slug });
  const steps = onboardingSteps(tenant);
  const json = {
    ...tenant,
    steps,
    ...(tenant.failure ? { failure: { ...tenant.failure, stepLabel: stepLabel(tenant.failure.step) } } : {}),
    executions,
  };
  // Nothing secret lives on the record (task tokens are kept in WAITER# items, never read here); redact anyway.
  ctx.print(redact(json), () => {
    const b = tenant.billing;
    const f = tenant.failure;
    const w = tenant.workflowFailure;
    const sections = [
      fields([
        ["Tenant", tenant.tenantId],
        ["Slug", tenant.slug],
        ["Company", tenant.companyName],
        ["Admin email", tenant.adminEmail],
        ["Plan", tenant.plan],
        ["Status", tenant.status],
        ["Created", time(tenant.createdAt)],
        ["Updated", time(tenant.updatedAt)],
        ["Activated", time(tenant.activatedAt)],
        ["Suspended", time(tenant.suspendedAt)],
        ["Offboarding since", time(tenant.offboardingStartedAt)],
        ["Cancelled", time(tenant.cancelledAt)],
        ["Purge after", tenant.status === "CANCELLED" ? time(tenant.purgeAfter) : undefined],
        ["Offboarded", time(tenant.offboardedAt)],
        ["Export", tenant.export?.location],
        ["Export SHA-256", tenant.export?.sha256],
        [
          "Receipt",
          tenant.receipt ? `${time(tenant.receipt.at)}: ${tenant.receipt.deleted.join("; ")}` : undefined,
        ],
        ["Slug reserved until", time(tenant.receipt?.slugReservedUntil)],
        ["Billing customer", b?.customerId],
        ["Subscription", b?.subscriptionId],
      ]),
      `Resources\n${fields(resourceFacts(tenant)) || "(none yet)\n"}`,
      `Steps\n${table(steps, [
        { header: "STEP", value: (s) => s.label },
        { header: "STATUS", value: (s) => s.status },
        { header: "ATTEMPTS", value: (s) => s.attempts, right: true },
        { header: "AT", value: (s) => time(s.at) },
        {
          header: "ERROR",
          value: (s) => (s.error ? `${s.error.name}: ${s.error.message}` : undefined),
          max: 80,
        },
      ])}`,
      ...(f
        ? [
            `Failure\n${fields([
              ["Step", stepLabel(f.step)],
              ["Error", f.error],
              ["Cause", f.cause],
              ["At", time(f.at)],
            ])}`,
          ]
        : []),
      ...(isDegraded(tenant)
        ? [
            `Degraded\n${fields([
              ["Lost", tenant.reconcile?.degraded?.check],
              ["Reason", tenant.reconcile?.degraded?.reason],
              ["Since", time(tenant.reconcile?.degraded?.at)],
              ["Was", tenant.reconcile?.degraded?.previousStatus],
            ])}`,
          ]
        : []),
      ...(reconcileEntries(tenant).length > 0
        ? [
            `Reconciler (newest first)\n${table(reconcileEntries(tenant), [
              { header: "AT", value: (e) => time(e.at) },
              { header: "CHECK", value: (e) => e.check },
              { header: "ACTION", value: (e) => e.action },
              { header: "OUTCOME", value: (e) => e.outcome },
              {
                header: "PROBLEM",
                value: (e) => (e.error ? `${e.problem} — ${e.error}` : e.problem),
                max: 100,
              },
            ])}`,
          ]
        : []),
      ...(w
        ? [
            `Lifecycle failure\n${fields([
              ["Workflow", w.workflow],
              ["Execution", w.execution],
              ["Step", w.step],
              ["Error", w.error],
              ["Cause", w.cause],
              ["At", time(w.at)],
            ])}`,
          ]
        : []),
      `Executions\n${table(executions, executionColumns)}`,
    ];
    return sections.join("\n");
  });
}
