/**
 * An in-memory tenant outbox and bus behind the ports publishTenantEvents uses (TenantStore's `require` and
 * `removePublishedEvent`, TenantEventPublisher), with switches to fail a put or crash after one.
 */
import type { TenantEventPublisher } from "../../../core/ports.js";
import type { TenantEvent } from "../../../core/tenant/events.js";
import { newTenant, type Tenant } from "../../../core/tenant/model.js";
import type { TenantStore } from "../../../core/tenant/store.js";

export class FakeOutbox implements Pick<TenantStore, "require" | "removePublishedEvent"> {
  readonly tenant: Tenant;
  constructor(events: TenantEvent[]) {
    this.tenant = {
      ...newTenant({ slug: "acme-corp", companyName: "Acme", adminEmail: "a@acme.test", plan: "standard" }),
      outbox: [...events],
    };
  }
  async require(): Promise<Tenant> {
    return structuredClone(this.tenant);
  }
  async removePublishedEvent(_tenantId: string, eventId: string): Promise<boolean> {
    if (this.tenant.outbox?.[0]?.detail.eventId !== eventId) return false;
    this.tenant.outbox.shift();
    return true;
  }
}

export class FakeBus implements TenantEventPublisher {
  readonly received: TenantEvent[] = [];
  /** Throw on the next put before taking it (EventBridge refused it). */
  failNext = false;
  /** Throw right after taking the next put (the function crashed before removing it from the outbox). */
  crashAfterNext = false;
  async publish(event: TenantEvent): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error("ThrottlingException");
    }
    this.received.push(structuredClone(event));
    if (this.crashAfterNext) {
      this.crashAfterNext = false;
      throw new Error("Lambda crashed");
    }
  }
}
