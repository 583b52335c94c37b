/**
 * The lifecycle workflows' steps (PlanChange, Suspend, Reactivate, Offboard). Each is idempotent:
 * - status changes are conditional writes (and, for suspend/reactivate, conditional on the billing event that
 *   started the workflow still being the newest payment event, so a later payment event has the last word);
 * - the namespace and sign-in steps reconcile: they apply what the tenant record says now (plan, suspended or
 *   not) and check the record again afterwards, so two workflows of one tenant overlapping (a suspension and
 *   a reactivation a moment apart) end with the cluster and the user pool matching the final status;
 * - deletions treat "already gone" as done.
 */
import { isAwsError } from "../adapters/aws-errors.js";
import { tenantObjects } from "../cluster/tenant-objects.js";
import type { TenantRef } from "../onboarding/step-table.js";
import { DEFAULT_OFFBOARD_GRACE_SECONDS } from "../plans/catalog.js";
import { causeOf } from "../tenant/events.js";
import type { DeletionReceipt, Tenant } from "../tenant/model.js";
import { DEFAULT_SLUG_RESERVATION_DAYS, namespaceForSlug } from "../tenant/slug.js";
import type { TenantStatus } from "../tenant/status.js";
import { StepError } from "../workflow/retry.js";
import type { LifecycleDeps } from "./deps.js";
import { exportTenant } from "./export.js";
import { runLifecyclePipeline } from "./pipeline.js";
import type { LifecycleStep, StatusTarget } from "./step-table.js";

export interface StatusResult {
  tenantId: string;
  status: TenantStatus;
  /** CANCELLED: when the purge runs. */
  purgeAfter?: string;
  /** Whether the workflow goes on with the rest of its steps. */
  proceed: boolean;
  /** The plan's grace period, as the suspended email shows it. */
  graceDays: string;
  dedicatedResources: boolean;
}

/** The dependencies a step uses (its function builds only these). */
type Uses<K extends keyof LifecycleDeps> = Pick<LifecycleDeps, K>;

const now = () => new Date().toISOString();
const GONE: TenantStatus[] = ["OFFBOARDING", "OFFBOARDED"];
/** Statuses a cancellation moves from (design §2). */
const CANCELLABLE: TenantStatus[] = ["ACTIVE", "SUSPENDED", "FAILED", "DEGRADED"];

export async function setTenantStatus(
  d: Uses<"records" | "tenants" | "plans" | "settings">,
  input: TenantRef & { to: StatusTarget; eventId: string; execution?: string },
): Promise<StatusResult> {
  const { tenantId, to, eventId } = input;
  const cause = causeOf(input);
  const before = await d.tenants.require(tenantId);
  switch (to) {
    case "CANCELLED": {
      // The grace period: the plan's, or the operator's for this cancellation (`ops offboard --grace`).
      const plan = await d.plans.find(before.plan);
      const override = before.billing?.cancel?.input?.graceSeconds;
      const graceSeconds =
        typeof override === "number"
          ? override
          : (plan?.offboardGraceSeconds ?? DEFAULT_OFFBOARD_GRACE_SECONDS);
      const at = new Date();
      const purgeAfter = new Date(at.getTime() + graceSeconds * 1000).toISOString();
      await d.records.transitionIf({
        tenantId,
        from: CANCELLABLE,
        to,
        cancelMarkEventId: eventId,
        set: {
          cancelledAt: at.toISOString(),
          purgeAfter,
          cancellation: { eventId, ...(input.execution ? { execution: input.execution } : {}), graceSeconds },
        },
        cause,
        event: { purgeAfter },
      });
      break;
    }
    case "RESTORED": {
      const subscriptionId = before.billing?.cancel?.input?.subscriptionId;
      await d.records.transitionIf({
        tenantId,
        from: ["CANCELLED"],
        to: "ACTIVE",
        set: {
          restoredAt: now(),
          ...(typeof subscriptionId === "string" && before.billing
            ? { "billing.subscriptionId": subscriptionId }
            : {}),
        },
        remove: ["purgeAfter", "suspendedAt"],
        cause,
      });
      break;
    }
    case "SUSPENDED":
      await d.records.transitionIf({
        tenantId,
        from: ["ACTIVE"],
        to,
        standingEventId: eventId,
        set: { suspendedAt: now() },
        cause,
      });
      break;
    case "ACTIVE":
      await d.records.transitionIf({
        tenantId,
        from: ["SUSPENDED"],
        to,
        standingEventId: eventId,
        remove: ["suspendedAt"],
        cause,
      });
      break;
    case "OFFBOARDING":
      // Only the cancellation this purge is for, and only once its grace period is over.
      await d.records.transitionIf({
        tenantId,
        from: ["CANCELLED"],
        to,
        cancellationEventId: eventId,
        dueBy: now(),
        set: { offboardingStartedAt: now() },
        cause,
      });
      break;
    case "OFFBOARDED": {
      // The onboarding pipeline step's task token (if any) has nothing left to answer.
      await d.tenants.deletePipelineWaiter(tenantId);
      const dedicated = (await d.plans.find(before.plan))?.dedicatedResources ?? false;
      const receipt = deletionReceipt(before, input, dedicated, d.settings.slugReservationDays);
      await d.records.transitionIf({
        tenantId,
        from: ["OFFBOARDING"],
        to,
        set: { offboardedAt: receipt.at, receipt },
        cause,
        ...(receipt.export ? { event: { export: receipt.export } } : {}),
      });
      // The slug stays reserved for the period the receipt names (the one recorded, on a re-run).
      const until = (await d.tenants.require(tenantId)).receipt?.slugReservedUntil;
      if (until) await d.tenants.reserveSlug(before.slug, tenantId, until);
      break;
    }
  }
  const t = await d.tenants.require(tenantId);
  const plan = await d.plans.find(t.plan);
  const ours = t.billing?.standing?.eventId === eventId;
  let proceed: boolean;
  if (to === "SUSPENDED" || to === "ACTIVE") {
    // Ours: this workflow's event is still the newest payment event and the tenant is where it wanted it
    // (now, or on an earlier attempt of this step). Otherwise a newer event decided, and its workflow acts.
    proceed = t.status === to && ours;
  } else if (to === "CANCELLED") {
    // Cancelled by this event (now or on an earlier attempt); a restore since then has the last word.
    if (t.cancellation?.eventId !== eventId) {
      throw new StepError("ValidationError", `Tenant ${t.slug} is ${t.status} and cannot be cancelled`);
    }
    proceed = t.status === "CANCELLED";
  } else if (to === "RESTORED") {
    // Whichever restore won, the tenant is ACTIVE: the steps after this one make the rest match.
    proceed = t.status === "ACTIVE";
  } else if (to === "OFFBOARDING" && !GONE.includes(t.status)) {
    // Restored (or cancelled again by another event) before the purge: nothing is deleted.
    proceed = false;
  } else {
    const reached = to === "OFFBOARDING" ? GONE.includes(t.status) : t.status === "OFFBOARDED";
    if (!reached) {
      throw new StepError("ValidationError", `Tenant ${t.slug} is ${t.status} and cannot move to ${to}`);
    }
    proceed = true;
  }
  return {
    tenantId,
    status: t.status,
    ...(t.purgeAfter ? { purgeAfter: t.purgeAfter } : {}),
    proceed,
    graceDays: String(plan?.suspendGraceDays ?? 0),
    dedicatedResources: plan?.dedicatedResources ?? false,
  };
}

/** What the purge deleted and why (design §2): the tombstone's receipt, emailed and kept on the record. */
export function deletionReceipt(
  t: Tenant,
  input: { eventId: string; execution?: string },
  dedicated: boolean,
  slugReservationDays = DEFAULT_SLUG_RESERVATION_DAYS,
  at = new Date(),
): DeletionReceipt {
  const r = t.resources;
  const deleted = [
    `Kubernetes namespace ${r.namespace ?? namespaceForSlug(t.slug)} and everything in it`,
    ...(r.userPoolId ? [`Cognito user pool ${r.userPoolId} and its users`] : []),
    ...(dedicated ? ["dedicated resources (the tenant pipeline's teardown run)"] : []),
    "the tenant's Kubernetes access entry",
  ];
  const by = input.eventId.startsWith("ops-")
    ? `operator command ${input.eventId}`
    : `billing event ${input.eventId}`;
  return {
    at: at.toISOString(),
    deleted,
    cause: `cancelled by ${by}; purged after the ${t.cancellation?.graceSeconds ?? 0}-second grace period`,
    eventId: input.eventId,
    ...(input.execution ? { execution: input.execution } : {}),
    ...(t.export ? { export: { location: t.export.location, sha256: t.export.sha256 } } : {}),
    slugReservedUntil: new Date(at.getTime() + slugReservationDays * 86_400_000).toISOString(),
  };
}

export interface PlanChangeResult {
  tenantId: string;
  /** False when a newer plan event superseded this one before it was recorded (its own execution acts). */
  changed: boolean;
  plan: string;
  previousPlan: string;
  previousPlanName: string;
  /** What the pipeline must do for the tier's dedicated resources. */
  pipelineAction: "deploy" | "teardown" | "none";
}

export async function recordPlan(
  d: Uses<"plans" | "tenants" | "records">,
  input: TenantRef & { plan: string; eventId: string; execution?: string },
): Promise<PlanChangeResult> {
  const { tenantId, eventId } = input;
  const target = await d.plans.get(input.plan);
  const before = await d.tenants.require(tenantId);
  if (before.plan !== target.id) {
    await d.records.recordPlan({
      tenantId,
      plan: target.id,
      eventId,
      previousPlan: before.plan,
      cause: causeOf(input),
    });
  }
  // Made by this event (now, or by an earlier attempt of this step)?
  const change = await d.records.planChangeOf(tenantId);
  const changed = change?.eventId === eventId && change.to === target.id;
  const previousPlan = changed ? change.from : before.plan;
  const previous = await d.plans.find(previousPlan);
  const dedicatedBefore = previous?.dedicatedResources ?? false;
  const pipelineAction =
    !changed || (!dedicatedBefore && !target.dedicatedResources)
      ? "none"
      : target.dedicatedResources
        ? "deploy"
        : "teardown";
  return {
    tenantId,
    changed,
    plan: target.id,
    previousPlan,
    previousPlanName: previous?.displayName ?? previousPlan,
    pipelineAction,
  };
}

/** Re-reads the tenant until a side effect was made from a record that did not change meanwhile. */
async function reconcile<R>(
  d: Uses<"tenants">,
  tenantId: string,
  same: (a: Tenant, b: Tenant) => boolean,
  apply: (t: Tenant) => Promise<R>,
): Promise<R> {
  for (let round = 0; round < 4; round++) {
    const t = await d.tenants.require(tenantId);
    const result = await apply(t);
    if (same(t, await d.tenants.require(tenantId))) return result;
  }
  throw new StepError("TransientError", `Tenant ${tenantId} kept changing while its resources were updated`);
}

/** Quota and limits from the tenant's plan; no pods while it is suspended (server-side apply). */
export async function applyNamespacePolicy(
  d: Uses<"tenants" | "plans" | "cluster">,
  { tenantId }: TenantRef,
) {
  return reconcile(
    d,
    tenantId,
    (a, b) => a.status === b.status && a.plan === b.plan,
    async (t) => {
      const namespace = t.resources.namespace ?? namespaceForSlug(t.slug);
      const cancelled = t.status === "CANCELLED";
      const suspended = t.status === "SUSPENDED" || cancelled;
      const none = { namespace, plan: t.plan, suspended, applied: false, evicted: 0 };
      if (t.status !== "ACTIVE" && !suspended) return none;
      const cluster = await d.cluster();
      // A tenant cancelled before onboarding made its namespace gets none now.
      if (cancelled && !(await cluster.namespaceExists(namespace))) return none;
      const plan = await d.plans.get(t.plan);
      await cluster.apply(tenantObjects({ tenantId, slug: t.slug, plan, suspended }));
      // Cancelled: the workloads stop too (a suspension only keeps new pods out).
      const evicted = cancelled ? await cluster.evictPods(namespace) : 0;
      // Offboarding began meanwhile and may have deleted the namespace before this apply re-created it.
      if (GONE.includes((await d.tenants.require(tenantId)).status)) {
        await cluster.deleteNamespace(namespace);
        return { namespace, plan: plan.id, suspended, applied: false, evicted };
      }
      return { namespace, plan: plan.id, suspended, applied: true, evicted };
    },
  );
}

/** Users of the tenant's pool enabled while it is ACTIVE, disabled while SUSPENDED or CANCELLED. */
export async function applySignIn(d: Uses<"tenants" | "identity">, { tenantId }: TenantRef) {
  return reconcile(
    d,
    tenantId,
    (a, b) => a.status === b.status,
    async (t) => {
      const userPoolId = t.resources.userPoolId ?? null;
      const enabled = t.status === "ACTIVE";
      if (!userPoolId || !["ACTIVE", "SUSPENDED", "CANCELLED"].includes(t.status)) {
        return { userPoolId, enabled, applied: false };
      }
      try {
        await d.identity.setUsersEnabled(userPoolId, enabled);
      } catch (err) {
        // Offboarding deleted the pool meanwhile, or a cancelled tenant's pool was already gone (the reconciler's
        // retained-pool check flags it): nothing left to enable or disable.
        const now = (await d.tenants.require(tenantId)).status;
        const gone = GONE.includes(now) || now === "CANCELLED";
        if (gone && isAwsError(err, "ResourceNotFoundException"))
          return { userPoolId, enabled, applied: false };
        throw err;
      }
      return { userPoolId, enabled, applied: true };
    },
  );
}

async function requireOffboarding(d: Uses<"tenants">, tenantId: string): Promise<Tenant> {
  const t = await d.tenants.require(tenantId);
  if (!GONE.includes(t.status)) {
    throw new StepError(
      "ValidationError",
      `Tenant ${t.slug} is ${t.status}, not OFFBOARDING: nothing is deleted`,
    );
  }
  return t;
}

/** Revokes the admins' cluster access and deletes the namespace, waiting until it is gone. */
export async function deleteNamespace(d: Uses<"tenants" | "cluster">, { tenantId }: TenantRef) {
  const t = await requireOffboarding(d, tenantId);
  const namespace = t.resources.namespace ?? namespaceForSlug(t.slug);
  const cluster = await d.cluster();
  await cluster.revokeNamespaceAccess?.({ slug: t.slug, namespace });
  await cluster.deleteNamespace(namespace);
  return { namespace };
}

/** Deletes the recorded pool and any other pool tagged with the tenant (an orphan of a crashed run). */
export async function deleteIdentity(d: Uses<"tenants" | "identity">, { tenantId }: TenantRef) {
  const t = await requireOffboarding(d, tenantId);
  const pools = new Set(await d.identity.findPoolsForTenant(tenantId));
  if (t.resources.userPoolId) pools.add(t.resources.userPoolId);
  for (const pool of pools) {
    await d.identity.deleteTenantIdentity(pool);
    await d.tenants.unlinkUserPool(pool);
  }
  return { deletedUserPools: [...pools] };
}

/** The tenant's purge timer matches its record: scheduled at `purgeAfter` while CANCELLED, else none. */
export async function setPurgeSchedule(d: Uses<"tenants" | "purgeSchedules">, { tenantId }: TenantRef) {
  return reconcile(
    d,
    tenantId,
    (a, b) => a.status === b.status && a.purgeAfter === b.purgeAfter,
    async (t) => {
      if (t.status === "CANCELLED" && t.purgeAfter && t.cancellation) {
        await d.purgeSchedules.schedule(new Date(t.purgeAfter), {
          tenantId,
          eventId: t.cancellation.eventId,
        });
        return { scheduled: true, purgeAfter: t.purgeAfter };
      }
      if (t.status !== "OFFBOARDING" && t.status !== "OFFBOARDED") await d.purgeSchedules.cancel(tenantId);
      return { scheduled: false };
    },
  );
}

/** Each step's body, by the step table's key (handlers.ts makes them Lambda handlers). */
export const LIFECYCLE_STEP_BODIES = {
  setTenantStatus,
  exportTenant,
  recordPlan,
  applyNamespacePolicy,
  applySignIn,
  setPurgeSchedule,
  runLifecyclePipeline,
  deleteNamespace,
  deleteIdentity,
} satisfies Record<LifecycleStep, (d: LifecycleDeps, input: never) => Promise<unknown>>;
