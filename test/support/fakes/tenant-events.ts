/**
 * An in-memory TenantEventPublisher port (core/ports.ts) for unit tests: the events "put on the bus", in order. Copies
 * EventBridge's at-least-once PutEvents (a failure can be injected at `publish`); not its size limits.
 */

import type { TenantEventPublisher } from "../../../core/ports.js";
import type { TenantEvent } from "../../../core/tenant/events.js";
import { Recording } from "./recording.js";

export class FakeTenantEvents extends Recording<keyof TenantEventPublisher> implements TenantEventPublisher {
  readonly published: TenantEvent[] = [];

  async publish(event: TenantEvent): Promise<void> {
    await this.record("publish", [event]);
    this.published.push(structuredClone(event));
  }
}
