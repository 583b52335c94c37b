/**
 * Drains a tenant's outbox onto the tenant events bus, oldest first (so consumers see versions in order): put
 * the event, then remove it from the outbox on condition that it is still the oldest. A crash between the two
 * puts the same event (same `eventId`) again on the next drain, which consumers de-duplicate; nothing is lost.
 */
import type { TenantEventPublisher } from "../ports.js";
import type { TenantStore } from "./store.js";

export interface PublishDeps {
  tenants: Pick<TenantStore, "require" | "removePublishedEvent">;
  events: TenantEventPublisher;
}

/** Bounds one drain: a tenant makes a handful of transitions, never this many between two drains. */
const MAX_EVENTS_PER_DRAIN = 100;

export async function publishTenantEvents(
  d: PublishDeps,
  tenantId: string,
): Promise<{ tenantId: string; published: string[] }> {
  const published: string[] = [];
  for (let i = 0; i < MAX_EVENTS_PER_DRAIN; i++) {
    const oldest = (await d.tenants.require(tenantId)).outbox?.[0];
    if (!oldest) break;
    await d.events.publish(oldest);
    // False: a concurrent drain published and removed it first; read again and go on.
    if (await d.tenants.removePublishedEvent(tenantId, oldest.detail.eventId)) {
      published.push(oldest.detail.eventId);
    }
  }
  return { tenantId, published };
}
