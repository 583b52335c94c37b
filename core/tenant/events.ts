/**
 * The tenant lifecycle events Embark publishes for the application plane (contract: docs/events.md). Each
 * status change (and plan change) is appended to the tenant record's outbox in the same conditional write that
 * makes it, numbered by the tenant's event `version`; the "Publish tenant events" step drains the outbox onto
 * the `embark-tenants` bus. The event's identity `<tenantId>:<version>` is derived from the transition, so a
 * retry, a redrive or a crash never makes a second event with a new identity: consumers de-duplicate on it.
 */
import { z } from "zod";
import { TenantStatus } from "./status.js";

export const TENANT_EVENT_SOURCE = "embark.tenants";

export const TENANT_EVENT_TYPES = [
  "Tenant Activated",
  "Tenant Onboarding Failed",
  "Tenant Plan Changed",
  "Tenant Suspended",
  "Tenant Reactivated",
  "Tenant Cancelled",
  "Tenant Restored",
  "Tenant Offboarded",
] as const;
export const TenantEventType = z.enum(TENANT_EVENT_TYPES);
export type TenantEventType = z.infer<typeof TenantEventType>;

/** What caused a transition: the billing event or operator command, and the execution that made it. */
export const TenantEventCause = z.strictObject({
  /** A Stripe event id (`evt_…`) when billing caused it. */
  billingEventId: z.string().min(1).optional(),
  /** The ops CLI command's id (`ops-…`) when an operator caused it. */
  operatorCommandId: z.string().min(1).optional(),
  /** The Step Functions execution (`<slug>-<workflow>-<n>`) that made the transition. */
  execution: z.string().min(1).optional(),
});
export type TenantEventCause = z.infer<typeof TenantEventCause>;

const IsoTime = z.iso.datetime({ offset: true });

/** The event's `detail` (docs/events.md has its JSON Schema per detail-type). */
export const TenantEventDetail = z.strictObject({
  /** `<tenantId>:<version>`: the same for every delivery of this transition; de-duplicate on it. */
  eventId: z.string().min(1),
  tenantId: z.string().min(1),
  slug: z.string().min(1),
  plan: z.string().min(1),
  status: TenantStatus,
  /** Per tenant, 1, 2, 3, … in the order the transitions happened. */
  version: z.int().min(1),
  occurredAt: IsoTime,
  previousStatus: TenantStatus,
  /** Tenant Plan Changed only. */
  previousPlan: z.string().min(1).optional(),
  /** Tenant Onboarding Failed only: the step that failed and why. */
  failure: z.strictObject({ step: z.string(), error: z.string(), cause: z.string() }).optional(),
  /** Tenant Cancelled only: when the purge runs unless the tenant is restored first. */
  purgeAfter: IsoTime.optional(),
  /** Tenant Offboarded only: where the export made at cancellation is, and its manifest's SHA-256. */
  export: z.strictObject({ location: z.string(), sha256: z.string() }).optional(),
  cause: TenantEventCause,
});
export type TenantEventDetail = z.infer<typeof TenantEventDetail>;

export const TenantEvent = z.strictObject({ detailType: TenantEventType, detail: TenantEventDetail });
export type TenantEvent = z.infer<typeof TenantEvent>;

/** The event a status change publishes; none for internal moves (a redrive's FAILED → PROVISIONING, OFFBOARDING). */
export function tenantEventTypeFor(from: TenantStatus, to: TenantStatus): TenantEventType | undefined {
  if (to === "ACTIVE") {
    if (from === "SUSPENDED") return "Tenant Reactivated";
    return from === "CANCELLED" ? "Tenant Restored" : "Tenant Activated";
  }
  if (to === "CANCELLED") return "Tenant Cancelled";
  if (to === "FAILED") return "Tenant Onboarding Failed";
  if (to === "SUSPENDED") return "Tenant Suspended";
  if (to === "OFFBOARDED") return "Tenant Offboarded";
  return undefined;
}

export const tenantEventId = (tenantId: string, version: number) => `${tenantId}:${version}`;

/** The cause of a lifecycle step's transition: its billing event (or operator command) and execution. */
export function causeOf(input: { eventId?: string; execution?: string }): TenantEventCause {
  const cause: TenantEventCause = {};
  if (input.eventId) {
    // The ops CLI applies its commands as billing events with `ops-` ids (ops/cli/lifecycle.ts).
    if (input.eventId.startsWith("ops-")) cause.operatorCommandId = input.eventId;
    else cause.billingEventId = input.eventId;
  }
  if (input.execution) cause.execution = input.execution;
  return cause;
}

export interface TransitionFacts {
  tenantId: string;
  slug: string;
  plan: string;
  previousStatus: TenantStatus;
  status: TenantStatus;
  /** The tenant's event version before this transition (0 when it has published none). */
  previousVersion: number;
  cause: TenantEventCause;
  previousPlan?: string;
  failure?: TenantEventDetail["failure"];
  purgeAfter?: string;
  export?: TenantEventDetail["export"];
  now?: Date;
}

/** The outbox entry for a transition, or undefined when the transition publishes nothing. */
export function tenantEventFor(
  facts: TransitionFacts,
  detailType = tenantEventTypeFor(facts.previousStatus, facts.status),
): TenantEvent | undefined {
  if (!detailType) return undefined;
  const version = facts.previousVersion + 1;
  return {
    detailType,
    detail: {
      eventId: tenantEventId(facts.tenantId, version),
      tenantId: facts.tenantId,
      slug: facts.slug,
      plan: facts.plan,
      status: facts.status,
      version,
      occurredAt: (facts.now ?? new Date()).toISOString(),
      previousStatus: facts.previousStatus,
      ...(facts.previousPlan ? { previousPlan: facts.previousPlan } : {}),
      ...(facts.failure ? { failure: facts.failure } : {}),
      ...(facts.purgeAfter ? { purgeAfter: facts.purgeAfter } : {}),
      ...(facts.export ? { export: facts.export } : {}),
      cause: facts.cause,
    },
  };
}
