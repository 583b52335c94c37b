import type { BillingDeps } from "./deps.js";
import type { BillingEvent, BillingOutcome } from "./event.js";

/** Keeps what became of an event (BILLINGEVENT#<id>): ignored and superseded events are recorded, not lost. */
export async function recordOutcome(
  d: Pick<BillingDeps, "records">,
  e: Pick<BillingEvent, "id" | "type" | "created" | "source" | "customerId">,
  outcome: BillingOutcome,
): Promise<void> {
  await d.records.logEvent({
    eventId: e.id,
    type: e.type,
    created: e.created,
    source: e.source,
    ...(e.customerId ? { customerId: e.customerId } : {}),
    ...(outcome.tenantId ? { tenantId: outcome.tenantId } : {}),
    outcome: outcome.outcome,
    reason: outcome.reason,
    ...(outcome.execution ? { execution: outcome.execution } : {}),
    at: new Date().toISOString(),
  });
}
