/**
 * Tenant lifecycle events onto the `embark-tenants` EventBridge bus (docs/events.md): source `embark.tenants`,
 * the detail-type and detail of the outbox entry, the transition's time. EventBridge gives every put a new
 * `id`; the stable identity consumers de-duplicate on is `detail.eventId`.
 */
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { TenantEventPublisher } from "../ports.js";
import { TENANT_EVENT_SOURCE, type TenantEvent } from "../tenant/events.js";
import { StepError } from "../workflow/retry.js";

export class EventBridgeTenantEvents implements TenantEventPublisher {
  constructor(
    private readonly busName: string,
    private readonly client: EventBridgeClient = new EventBridgeClient({}),
  ) {}

  async publish(event: TenantEvent): Promise<void> {
    const out = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.busName,
            Source: TENANT_EVENT_SOURCE,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
            Time: new Date(event.detail.occurredAt),
          },
        ],
      }),
    );
    const failed = out.Entries?.[0];
    if ((out.FailedEntryCount ?? 0) > 0 || failed?.ErrorCode) {
      // PutEvents answers 200 with a failed entry for throttling and internal errors: worth a retry.
      throw new StepError(
        "TransientError",
        `EventBridge did not take ${event.detail.eventId}: ${failed?.ErrorCode ?? "unknown"} ${failed?.ErrorMessage ?? ""}`.trim(),
      );
    }
  }
}
