/**
 * What billing keeps beside the tenants: which tenant a billing customer is, events parked until a tenant can
 * take them, the newest event applied per aspect, and what became of every event. DynamoDB adapter (in the
 * tenants table): core/adapters/billing-records.ts. Every write that orders events is one conditional write,
 * so concurrent or repeated deliveries of events for one tenant cannot both win.
 */
import type { TenantEventCause } from "../tenant/events.js";
import type { BillingMark, Tenant } from "../tenant/model.js";
import type { TenantStatus } from "../tenant/status.js";
import type { BillingAspect, BillingEvent, OutcomeKind } from "./event.js";

export interface CustomerLink {
  customerId: string;
  tenantId?: string;
  parked: Record<string, unknown>[];
}

export interface EventRecord {
  eventId: string;
  /** Deliveries seen (duplicates included); set by countDelivery. */
  deliveries?: number;
  type: string;
  created: number;
  source: string;
  customerId?: string;
  tenantId?: string;
  outcome: OutcomeKind;
  reason: string;
  execution?: string;
  at: string;
}

type BillingRef = Pick<Tenant, "tenantId" | "billing" | "runs">;

export interface MarkInput {
  tenantId: string;
  aspect: BillingAspect;
  event: Pick<BillingEvent, "id" | "created">;
  expectStatus: TenantStatus;
  mark: BillingMark;
}

export interface TransitionIf {
  tenantId: string;
  from: TenantStatus[];
  to: TenantStatus;
  standingEventId?: string;
  /** Attributes to set; a dotted key sets a nested attribute of an existing map (`billing.subscriptionId`). */
  set?: Record<string, unknown>;
  remove?: string[];
  /** Only while this event is the newest cancel-or-restore event (`billing.cancel`): a late retry never re-cancels. */
  cancelMarkEventId?: string;
  /** Only while this cancellation is the tenant's current one (the purge acts for its own). */
  cancellationEventId?: string;
  /** Only once `purgeAfter` is at or before this time (RFC 3339): a purge never runs early. */
  dueBy?: string;
  /** What caused it, for the lifecycle event the transition publishes. */
  cause?: TenantEventCause;
  /** Extra facts the lifecycle event carries (Tenant Cancelled: purgeAfter; Tenant Offboarded: the export). */
  event?: { purgeAfter?: string; export?: { location: string; sha256: string } };
}

export interface BillingRecords {
  customer(customerId: string): Promise<CustomerLink | undefined>;
  /** Makes `tenantId` the customer's tenant unless another tenant has it; returns the link as it now is. */
  claimCustomer(customerId: string, tenantId: string): Promise<{ claimed: boolean; link: CustomerLink }>;
  /** Undoes a claim whose tenant could not be created (so later events are not stuck waiting for it). */
  releaseCustomer(customerId: string, tenantId: string): Promise<void>;
  /** Keeps an event for a customer no tenant has claimed yet; false once a tenant has claimed it. */
  parkForCustomer(customerId: string, event: BillingEvent): Promise<boolean>;
  /** Creates the `billing`, `billing.parked` and `runs` maps nested writes need (no-op when present). */
  ensureBillingMaps(tenant: BillingRef): Promise<void>;
  /** Sets the customer and subscription ids where the tenant has none yet (linking is never undone). */
  linkBilling(tenant: BillingRef, customerId: string, subscriptionId?: string): Promise<void>;
  /** Parks an event on the tenant while its status is one of `whileStatus`; false when it no longer is. */
  parkForTenant(tenantId: string, event: BillingEvent, whileStatus: TenantStatus[]): Promise<boolean>;
  unpark(tenantId: string, eventId: string): Promise<void>;
  /**
   * Applies an event to one aspect of the tenant: records it as that aspect's newest event and, when it starts
   * a workflow, takes the next execution number for it. Conditional on the tenant still having the status the
   * decision was made on and on the event being newer (by created, then id) than the aspect's last one; a
   * cancellation is applied once. Returns the execution number, or `applied: false` when the condition failed.
   */
  mark(input: MarkInput): Promise<{ applied: false } | { applied: true; n?: number }>;
  /** Moves `billing.lastEventCreated/lastEventId` forward to this event if it is the newest applied. */
  noteNewest(tenantId: string, event: Pick<BillingEvent, "id" | "created">): Promise<void>;
  /**
   * A lifecycle status change that only happens while the tenant is in `from` and, when `standingEventId` is
   * given, while that event is still the newest payment event (a later payment event has the last word).
   * Returns false when the condition does not hold.
   */
  transitionIf(input: TransitionIf): Promise<boolean>;
  /**
   * Records the new plan if `eventId` is still the newest plan event (a newer one records its own), keeping
   * where it came from so a re-run of the same change knows it made it. False when it did not record.
   */
  recordPlan(input: {
    tenantId: string;
    plan: string;
    eventId: string;
    previousPlan: string;
    cause?: TenantEventCause;
  }): Promise<boolean>;
  /** The plan change a `recordPlan` made for this event, if it made one. */
  planChangeOf(tenantId: string): Promise<{ from: string; to: string; eventId: string } | undefined>;
  recordWorkflowFailure(tenantId: string, failure: NonNullable<Tenant["workflowFailure"]>): Promise<void>;
  /** Records (or re-records, e.g. a parked event applied later) what became of an event. */
  logEvent(record: EventRecord): Promise<void>;
  /** Counts a delivery of the event (re-deliveries included), before anything else is done with it. */
  countDelivery(eventId: string): Promise<void>;
  eventRecord(eventId: string): Promise<EventRecord | undefined>;
}
