import { describe, expect, it } from "vitest";
import { tenantEventFor } from "../../../core/tenant/events.js";
import { publishTenantEvents } from "../../../core/tenant/publish-events.js";
import { FakeBus, FakeOutbox } from "../../support/fakes/tenant-outbox.js";

const base = { tenantId: "t-1", slug: "acme-corp", plan: "standard", cause: {} };
const activated = tenantEventFor({
  ...base,
  previousStatus: "PROVISIONING",
  status: "ACTIVE",
  previousVersion: 0,
})!;
const suspended = tenantEventFor({
  ...base,
  previousStatus: "ACTIVE",
  status: "SUSPENDED",
  previousVersion: 1,
})!;

describe("publishTenantEvents", () => {
  it("puts the outbox on the bus oldest first and empties it; a second drain puts nothing", async () => {
    const outbox = new FakeOutbox([activated, suspended]);
    const bus = new FakeBus();
    const d = { tenants: outbox, events: bus };
    expect(await publishTenantEvents(d, "t-1")).toEqual({ tenantId: "t-1", published: ["t-1:1", "t-1:2"] });
    expect(bus.received.map((e) => e.detail.version)).toEqual([1, 2]);
    expect(outbox.tenant.outbox).toEqual([]);
    await publishTenantEvents(d, "t-1");
    expect(bus.received).toHaveLength(2);
  });

  it("a refused put keeps the event for the retry, which publishes it once", async () => {
    const outbox = new FakeOutbox([activated]);
    const bus = new FakeBus();
    bus.failNext = true;
    await expect(publishTenantEvents({ tenants: outbox, events: bus }, "t-1")).rejects.toThrow(/Throttling/);
    expect(outbox.tenant.outbox).toHaveLength(1);
    await publishTenantEvents({ tenants: outbox, events: bus }, "t-1");
    expect(bus.received.map((e) => e.detail.eventId)).toEqual(["t-1:1"]);
  });

  it("a crash after the put sends the same event again, with the same identity, then never again", async () => {
    const outbox = new FakeOutbox([activated, suspended]);
    const bus = new FakeBus();
    bus.crashAfterNext = true;
    await expect(publishTenantEvents({ tenants: outbox, events: bus }, "t-1")).rejects.toThrow(/crashed/);
    await publishTenantEvents({ tenants: outbox, events: bus }, "t-1");
    await publishTenantEvents({ tenants: outbox, events: bus }, "t-1");
    // At least once: the one duplicate is the crashed put, and it has the identity consumers de-duplicate on.
    expect(bus.received.map((e) => e.detail.eventId)).toEqual(["t-1:1", "t-1:1", "t-1:2"]);
    expect(new Set(bus.received.map((e) => e.detail.eventId)).size).toBe(2);
    expect(outbox.tenant.outbox).toEqual([]);
  });
});
