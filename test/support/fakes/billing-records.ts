/**
 * In-memory billing records for unit tests: the part of BillingRecords (core/billing/records.ts) the lifecycle
 * steps use (transitionIf, recordPlan, planChangeOf), plus what a test needs to put a tenant where the billing
 * router would (ensureBillingMaps, mark) and recordWorkflowFailure. It writes the tenant items of a
 * FakeTenantStore, as the DynamoDB adapter (core/adapters/billing-records.ts) writes the tenants table.
 *
 * Copies the adapter's conditions: transitionIf only from `from` and, given a standing event, only while it is
 * `billing.standing.eventId` (given a cancellation, only while it is `cancellation.eventId`; given dueBy, only
 * once `purgeAfter` is not later); recordPlan only while the event is `billing.plan.eventId`, the plan is still
 * `previousPlan` and the tenant is ACTIVE or SUSPENDED, keeping `planChange`; mark only at the expected status
 * and for an event newer (created, then id) than the aspect's, counting `runs.<workflow>`,
 * and failing like DynamoDB when the `billing`/`runs` maps do not exist yet; `version`/`updatedAt` where the
 * adapter writes them (mark and ensureBillingMaps do not). Does not copy: customers, parking, the event log.
 *
 * Points (see recording.ts): every method's name.
 */
import type { BillingAspect } from "../../../core/billing/event.js";
import type { BillingRecords, MarkInput, TransitionIf } from "../../../core/billing/records.js";
import { type TenantEventCause, tenantEventFor } from "../../../core/tenant/events.js";
import type { BillingMark, Tenant } from "../../../core/tenant/model.js";
import { Recording, sdkError } from "./recording.js";
import { appendEvent, bump, type FakeTenantStore, type Item, invalidPath } from "./tenant-store.js";

type Used =
  | "transitionIf"
  | "recordPlan"
  | "planChangeOf"
  | "ensureBillingMaps"
  | "mark"
  | "recordWorkflowFailure";

const conditionFailed = () =>
  sdkError("ConditionalCheckFailedException", { message: "The conditional request failed" });

export class FakeBillingRecords extends Recording<Used> implements Pick<BillingRecords, Used> {
  constructor(private readonly tenants: FakeTenantStore) {
    super();
  }

  async transitionIf(input: TransitionIf): Promise<boolean> {
    await this.record("transitionIf", [input]);
    const t = this.tenants.tenantItem(input.tenantId);
    if (!t || !input.from.includes(t.status)) return false;
    if (input.standingEventId && billingOf(t)?.standing?.eventId !== input.standingEventId) return false;
    if (input.cancelMarkEventId && billingOf(t)?.cancel?.eventId !== input.cancelMarkEventId) return false;
    const cancellation = t.cancellation as { eventId?: string } | undefined;
    if (input.cancellationEventId && cancellation?.eventId !== input.cancellationEventId) return false;
    if (input.dueBy && (typeof t.purgeAfter !== "string" || t.purgeAfter > input.dueBy)) return false;
    appendEvent(
      t,
      tenantEventFor({
        tenantId: input.tenantId,
        slug: String(t.slug),
        plan: String(t.plan),
        previousStatus: t.status,
        status: input.to,
        previousVersion: Number(t.eventVersion ?? 0),
        cause: input.cause ?? {},
        ...input.event,
      }),
    );
    t.status = input.to;
    for (const [k, v] of Object.entries(input.set ?? {})) {
      // A dotted key sets a nested attribute of an existing map, as the adapter's SET a.b does.
      const path = k.split(".");
      const leaf = path.pop() as string;
      const parent = path.reduce<Record<string, unknown>>((o, p) => o[p] as Record<string, unknown>, t);
      parent[leaf] = structuredClone(v);
    }
    for (const k of input.remove ?? []) delete t[k];
    bump(t, new Date().toISOString());
    return true;
  }

  async recordPlan(input: {
    tenantId: string;
    plan: string;
    eventId: string;
    previousPlan: string;
    cause?: TenantEventCause;
  }) {
    await this.record("recordPlan", [input]);
    const t = this.tenants.tenantItem(input.tenantId);
    const ok =
      t &&
      billingOf(t)?.plan?.eventId === input.eventId &&
      t.plan === input.previousPlan &&
      (t.status === "ACTIVE" || t.status === "SUSPENDED");
    if (!ok) return false;
    const at = new Date().toISOString();
    appendEvent(
      t,
      tenantEventFor(
        {
          tenantId: input.tenantId,
          slug: String(t.slug),
          plan: input.plan,
          previousPlan: input.previousPlan,
          previousStatus: t.status,
          status: t.status,
          previousVersion: Number(t.eventVersion ?? 0),
          cause: input.cause ?? {},
        },
        "Tenant Plan Changed",
      ),
    );
    t.plan = input.plan;
    t.planChange = { from: input.previousPlan, to: input.plan, eventId: input.eventId, at };
    bump(t, at);
    return true;
  }

  async planChangeOf(tenantId: string) {
    await this.record("planChangeOf", [tenantId]);
    const change = this.tenants.tenantItem(tenantId)?.planChange;
    return change ? (structuredClone(change) as { from: string; to: string; eventId: string }) : undefined;
  }

  async ensureBillingMaps(tenant: Pick<Tenant, "tenantId" | "billing" | "runs">): Promise<void> {
    await this.record("ensureBillingMaps", [tenant]);
    if (tenant.billing?.parked && tenant.runs) return;
    const t = this.tenants.tenantItem(tenant.tenantId);
    if (!t) throw conditionFailed();
    t.billing ??= { parked: {} };
    t.runs ??= {};
    (t.billing as Item).parked ??= {};
  }

  async mark(input: MarkInput): Promise<{ applied: false } | { applied: true; n?: number }> {
    await this.record("mark", [input]);
    const { aspect, event, mark } = input;
    const t = this.tenants.tenantItem(input.tenantId);
    if (!t) return { applied: false };
    const billing = billingOf(t);
    const runs = t.runs as Record<string, number> | undefined;
    if (!billing || (mark.workflow && !runs)) throw invalidPath();
    const last = billing[aspect];
    const newer =
      !last || last.created < event.created || (last.created === event.created && last.eventId < event.id);
    if (t.status !== input.expectStatus || !newer) return { applied: false };
    billing[aspect] = structuredClone(mark);
    if (!mark.workflow || !runs) return { applied: true };
    runs[mark.workflow] = (runs[mark.workflow] ?? 0) + 1;
    return { applied: true, n: runs[mark.workflow] };
  }

  async recordWorkflowFailure(tenantId: string, failure: NonNullable<Tenant["workflowFailure"]>) {
    await this.record("recordWorkflowFailure", [tenantId, failure]);
    const t = this.tenants.tenantItem(tenantId);
    if (!t) throw conditionFailed();
    t.workflowFailure = structuredClone(failure);
    bump(t, failure.at);
  }
}

function billingOf(t: Item): Record<BillingAspect, BillingMark | undefined> | undefined {
  return t.billing as Record<BillingAspect, BillingMark | undefined> | undefined;
}
