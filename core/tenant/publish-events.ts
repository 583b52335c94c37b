/**
 * Drains a tenant's outbox onto the tenant events bus, oldest first (so consumers see versions in order): put
 * the event, then remove it from the outbox on condition that it is still the oldest. A crash between the two
 * puts the same event (same `eventId`) again on the next drain, which consumers de-duplicate; nothing is lost.
 */
import type { TenantEventPublisher } from "../ports.js";
import type { OnboardingStep, Tenant } from "./model.js";
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
  /**
   * The tenant as the caller just read it: its outbox is drained without reading again. Events added after that
   * read are the next drain's (every transition is followed by one).
   */
  read?: Pick<Tenant, "outbox">,
  /** With `read`: the onboarding step marked done with the last removal (`doneMarked` says if it was). */
  doneStep?: OnboardingStep,
): Promise<{ tenantId: string; published: string[]; doneMarked?: boolean }> {
  const published: string[] = [];
  if (read) {
    const events = (read.outbox ?? []).slice(0, MAX_EVENTS_PER_DRAIN);
    let doneMarked = false;
    for (const [i, event] of events.entries()) {
      await d.events.publish(event);
      const last = i === events.length - 1;
      // False: a concurrent drain removed it first (it published it too, or will: same eventId).
      const removed = await d.tenants.removePublishedEvent(
        tenantId,
        event.detail.eventId,
        last ? doneStep : undefined,
      );
      if (removed) published.push(event.detail.eventId);
      doneMarked = last && removed && doneStep !== undefined;
    }
    return { tenantId, published, doneMarked };
  }
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
