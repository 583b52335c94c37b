/**
 * Billing records in the tenants table (next to the TenantStore's items):
 *   CUSTOMER#<customerId>   which tenant a billing customer is (a conditional claim: one tenant per customer),
 *                           and events that arrived before that tenant existed (`parked`)
 *   BILLINGEVENT#<eventId>  what became of a billing event (the "recorded" in "recorded and ignored")
 * and the billing attributes of TENANT#<id>: the newest event applied per aspect (`billing.<aspect>`), events
 * parked while the tenant is onboarding (`billing.parked`) and the per-workflow execution counters (`runs`).
 * Every write that orders events is one conditional UpdateItem, so concurrent or repeated deliveries of
 * events for one tenant cannot both win.
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { BillingEvent } from "../billing/event.js";
import type {
  BillingRecords,
  CustomerLink,
  EventRecord,
  MarkInput,
  TransitionIf,
} from "../billing/records.js";
import { type TenantEventCause, tenantEventFor } from "../tenant/events.js";
import type { Tenant } from "../tenant/model.js";
import type { TenantStatus } from "../tenant/status.js";
import { StepError } from "../workflow/retry.js";
import { DynamoTable, isConditionFailure } from "./dynamo.js";
import { MAX_WRITE_ATTEMPTS, readTenant, sendUpdate, type UpdateParts, withEvent } from "./tenant-outbox.js";

const tenantKey = (tenantId: string) => ({ pk: `TENANT#${tenantId}` });
const customerKey = (customerId: string) => ({ pk: `CUSTOMER#${customerId}` });
const eventKey = (eventId: string) => ({ pk: `BILLINGEVENT#${eventId}` });

export class DynamoBillingRecords extends DynamoTable implements BillingRecords {
  // ------------------------------------------------------------------------------------------- customers

  async customer(customerId: string): Promise<CustomerLink | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: customerKey(customerId), ConsistentRead: true }),
    );
    return Item ? toLink(customerId, Item) : undefined;
  }

  /** Makes `tenantId` the customer's tenant unless another tenant has it; returns the link as it now is. */
  async claimCustomer(
    customerId: string,
    tenantId: string,
  ): Promise<{ claimed: boolean; link: CustomerLink }> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: customerKey(customerId),
          UpdateExpression: "SET entity = :e, tenantId = :t, linkedAt = if_not_exists(linkedAt, :now)",
          ConditionExpression: "attribute_not_exists(tenantId) OR tenantId = :t",
          ExpressionAttributeValues: { ":e": "customer", ":t": tenantId, ":now": new Date().toISOString() },
          ReturnValues: "ALL_NEW",
        }),
      );
      return { claimed: true, link: toLink(customerId, out.Attributes ?? {}) };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const link = await this.customer(customerId);
      if (!link) throw err;
      return { claimed: false, link };
    }
  }

  /** Undoes a claim whose tenant could not be created (so later events are not stuck waiting for it). */
  async releaseCustomer(customerId: string, tenantId: string): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: customerKey(customerId),
          UpdateExpression: "REMOVE tenantId, linkedAt",
          ConditionExpression: "tenantId = :t",
          ExpressionAttributeValues: { ":t": tenantId },
        }),
      )
      .catch((err) => {
        if (!isConditionFailure(err)) throw err;
      });
  }

  /** Keeps an event for a customer no tenant has claimed yet; false once a tenant has claimed it. */
  async parkForCustomer(customerId: string, event: BillingEvent): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: customerKey(customerId),
          UpdateExpression: "SET entity = :e, parked.#id = :event",
          ConditionExpression: "attribute_not_exists(tenantId)",
          ExpressionAttributeNames: { "#id": event.id },
          ExpressionAttributeValues: { ":e": "customer", ":event": event },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      // The map does not exist yet: create the item with it (still only while unclaimed).
      if (!isMissingPath(err)) throw err;
    }
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: customerKey(customerId),
          UpdateExpression: "SET entity = :e, parked = :parked",
          ConditionExpression: "attribute_not_exists(tenantId) AND attribute_not_exists(parked)",
          ExpressionAttributeValues: { ":e": "customer", ":parked": { [event.id]: event } },
        }),
      );
      return true;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      // Raced with another park (retry the nested write) or with a claim (not parked).
      return (await this.customer(customerId))?.tenantId ? false : this.parkForCustomer(customerId, event);
    }
  }

  // --------------------------------------------------------------------------------- tenant billing data

  /** Creates the `billing`, `billing.parked` and `runs` maps nested writes need (no-op when present). */
  async ensureBillingMaps(tenant: Pick<Tenant, "tenantId" | "billing" | "runs">): Promise<void> {
    if (tenant.billing?.parked && tenant.runs) return;
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: tenantKey(tenant.tenantId),
        UpdateExpression: "SET billing = if_not_exists(billing, :b), #runs = if_not_exists(#runs, :r)",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: { "#runs": "runs" },
        ExpressionAttributeValues: { ":b": { parked: {} }, ":r": {} },
      }),
    );
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: tenantKey(tenant.tenantId),
        UpdateExpression: "SET billing.parked = if_not_exists(billing.parked, :p)",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":p": {} },
      }),
    );
  }

  /** Sets the customer and subscription ids where the tenant has none yet (linking is never undone). */
  async linkBilling(
    tenant: Pick<Tenant, "tenantId" | "billing" | "runs">,
    customerId: string,
    subscriptionId?: string,
  ): Promise<void> {
    await this.ensureBillingMaps(tenant);
    const tenantId = tenant.tenantId;
    const sets = ["billing.customerId = if_not_exists(billing.customerId, :c)"];
    const values: Record<string, unknown> = { ":c": customerId };
    if (subscriptionId) {
      sets.push("billing.subscriptionId = if_not_exists(billing.subscriptionId, :s)");
      values[":s"] = subscriptionId;
    }
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: tenantKey(tenantId),
        UpdateExpression: `SET ${sets.join(", ")}`,
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** Parks an event on the tenant while its status is one of `whileStatus`; false when it no longer is. */
  async parkForTenant(tenantId: string, event: BillingEvent, whileStatus: TenantStatus[]): Promise<boolean> {
    const values: Record<string, unknown> = { ":event": event };
    whileStatus.forEach((s, i) => {
      values[`:s${i}`] = s;
    });
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tenantKey(tenantId),
          UpdateExpression: "SET billing.parked.#id = :event",
          ConditionExpression: `#status IN (${whileStatus.map((_, i) => `:s${i}`).join(", ")})`,
          ExpressionAttributeNames: { "#id": event.id, "#status": "status" },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async unpark(tenantId: string, eventId: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: tenantKey(tenantId),
        UpdateExpression: "REMOVE billing.parked.#id",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: { "#id": eventId },
      }),
    );
  }

  /**
   * Applies an event to one aspect of the tenant: records it as that aspect's newest event and, when it starts
   * a workflow, takes the next execution number for it. Conditional on the tenant still having the status the
   * decision was made on and on the event being newer (by created, then id) than the aspect's last one. Returns the execution number, or `applied: false` when the condition failed.
   */
  async mark(input: MarkInput): Promise<{ applied: false } | { applied: true; n?: number }> {
    const { tenantId, aspect, event, mark } = input;
    const names: Record<string, string> = { "#a": aspect, "#status": "status" };
    const values: Record<string, unknown> = {
      ":mark": mark,
      ":status": input.expectStatus,
      ":created": event.created,
      ":id": event.id,
    };
    const sets = ["billing.#a = :mark"];
    if (mark.workflow) {
      names["#runs"] = "runs";
      names["#wf"] = mark.workflow;
      values[":zero"] = 0;
      values[":one"] = 1;
      sets.push("#runs.#wf = if_not_exists(#runs.#wf, :zero) + :one");
    }
    // A cancellation too: a second one applies only after a restore, and only if newer (decide.ts).
    const newer =
      "(attribute_not_exists(billing.#a) OR billing.#a.created < :created OR " +
      "(billing.#a.created = :created AND billing.#a.eventId < :id))";
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tenantKey(tenantId),
          UpdateExpression: `SET ${sets.join(", ")}`,
          ConditionExpression: `attribute_exists(pk) AND #status = :status AND ${newer}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
        }),
      );
      const runs = (out.Attributes?.runs ?? {}) as Record<string, number>;
      return { applied: true, ...(mark.workflow ? { n: runs[mark.workflow] } : {}) };
    } catch (err) {
      if (isConditionFailure(err)) return { applied: false };
      throw err;
    }
  }

  /** Moves `billing.lastEventCreated/lastEventId` forward to this event if it is the newest applied. */
  async noteNewest(tenantId: string, event: Pick<BillingEvent, "id" | "created">): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tenantKey(tenantId),
          UpdateExpression: "SET billing.lastEventCreated = :c, billing.lastEventId = :id",
          ConditionExpression:
            "attribute_exists(pk) AND (attribute_not_exists(billing.lastEventCreated) OR " +
            "billing.lastEventCreated < :c OR (billing.lastEventCreated = :c AND billing.lastEventId < :id))",
          ExpressionAttributeValues: { ":c": event.created, ":id": event.id },
        }),
      )
      .catch((err) => {
        if (!isConditionFailure(err)) throw err;
      });
  }

  // --------------------------------------------------------------------------------- lifecycle transitions

  /**
   * A lifecycle status change that only happens while the tenant is in `from` and, when `standingEventId` is
   * given, while that event is still the newest payment event (a later payment event has the last word). The
   * lifecycle event it publishes goes to the outbox in the same write. Returns false when the condition does
   * not hold.
   */
  async transitionIf(input: TransitionIf): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const current = await readTenant(this.db, this.tableName, input.tenantId);
      if (!current || !input.from.includes(current.status)) return false;
      if (input.standingEventId && current.billing?.standing?.eventId !== input.standingEventId) return false;
      const parts: UpdateParts = {
        sets: ["#status = :to", "updatedAt = :now"],
        removes: [],
        conditions: ["#status = :read"],
        names: { "#status": "status" },
        values: { ":to": input.to, ":read": current.status, ":now": new Date().toISOString() },
      };
      Object.entries(input.set ?? {}).forEach(([k, v], i) => {
        const path = k.split(".").map((part, j) => {
          parts.names[`#x${i}_${j}`] = part;
          return `#x${i}_${j}`;
        });
        parts.values[`:x${i}`] = v;
        parts.sets.push(`${path.join(".")} = :x${i}`);
      });
      (input.remove ?? []).forEach((k, i) => {
        parts.names[`#r${i}`] = k;
        parts.removes?.push(`#r${i}`);
      });
      if (input.standingEventId) {
        parts.conditions.push("billing.standing.eventId = :ev");
        parts.values[":ev"] = input.standingEventId;
      }
      if (input.cancelMarkEventId) {
        if (current.billing?.cancel?.eventId !== input.cancelMarkEventId) return false;
        parts.conditions.push("billing.#cancel.eventId = :cmark");
        parts.names["#cancel"] = "cancel";
        parts.values[":cmark"] = input.cancelMarkEventId;
      }
      if (input.cancellationEventId) {
        if (current.cancellation?.eventId !== input.cancellationEventId) return false;
        parts.conditions.push("cancellation.eventId = :cev");
        parts.values[":cev"] = input.cancellationEventId;
      }
      if (input.dueBy) {
        if (!current.purgeAfter || current.purgeAfter > input.dueBy) return false;
        parts.conditions.push("purgeAfter <= :due");
        parts.values[":due"] = input.dueBy;
      }
      const event = tenantEventFor({
        tenantId: input.tenantId,
        slug: current.slug,
        plan: current.plan,
        previousStatus: current.status,
        status: input.to,
        previousVersion: current.eventVersion ?? 0,
        cause: input.cause ?? {},
        ...input.event,
      });
      if (await sendUpdate(this.db, this.tableName, input.tenantId, withEvent(parts, current, event))) {
        return true;
      }
      if (attempt >= MAX_WRITE_ATTEMPTS) {
        throw new StepError(
          "TransientError",
          `Tenant ${input.tenantId} kept changing while moving it to ${input.to}; try again`,
        );
      }
    }
  }

  /**
   * Records the new plan if `eventId` is still the newest plan event (a newer one records its own), keeping
   * where it came from so a re-run of the same change knows it made it. Its "Tenant Plan Changed" event goes to
   * the outbox in the same write.
   */
  async recordPlan(input: {
    tenantId: string;
    plan: string;
    eventId: string;
    previousPlan: string;
    cause?: TenantEventCause;
  }) {
    for (let attempt = 1; ; attempt++) {
      const current = await readTenant(this.db, this.tableName, input.tenantId);
      if (
        !current ||
        current.billing?.plan?.eventId !== input.eventId ||
        current.plan !== input.previousPlan ||
        (current.status !== "ACTIVE" && current.status !== "SUSPENDED")
      ) {
        return false;
      }
      const at = new Date().toISOString();
      const parts: UpdateParts = {
        sets: ["#plan = :plan", "planChange = :change", "updatedAt = :at"],
        conditions: ["billing.#plan.eventId = :ev", "#plan = :prev", "#status = :read"],
        names: { "#plan": "plan", "#status": "status" },
        values: {
          ":plan": input.plan,
          ":prev": input.previousPlan,
          ":ev": input.eventId,
          ":change": { from: input.previousPlan, to: input.plan, eventId: input.eventId, at },
          ":read": current.status,
          ":at": at,
        },
      };
      const event = tenantEventFor(
        {
          tenantId: input.tenantId,
          slug: current.slug,
          plan: input.plan,
          previousPlan: input.previousPlan,
          previousStatus: current.status,
          status: current.status,
          previousVersion: current.eventVersion ?? 0,
          cause: input.cause ?? {},
        },
        "Tenant Plan Changed",
      );
      if (await sendUpdate(this.db, this.tableName, input.tenantId, withEvent(parts, current, event))) {
        return true;
      }
      if (attempt >= MAX_WRITE_ATTEMPTS) {
        throw new StepError(
          "TransientError",
          `Tenant ${input.tenantId} kept changing while recording its plan; try again`,
        );
      }
    }
  }

  /** The plan change a `recordPlan` made for this event, if it made one. */
  async planChangeOf(tenantId: string): Promise<{ from: string; to: string; eventId: string } | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: tenantKey(tenantId),
        ConsistentRead: true,
        ProjectionExpression: "planChange",
      }),
    );
    return Item?.planChange as { from: string; to: string; eventId: string } | undefined;
  }

  async recordWorkflowFailure(tenantId: string, failure: NonNullable<Tenant["workflowFailure"]>) {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: tenantKey(tenantId),
        UpdateExpression: "SET workflowFailure = :f, updatedAt = :at ADD version :one",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":f": failure, ":at": failure.at, ":one": 1 },
      }),
    );
  }

  // ---------------------------------------------------------------------------------------- event log

  /** Records (or re-records, e.g. a parked event applied later) what became of an event. */
  async logEvent(record: EventRecord): Promise<void> {
    const fields = Object.entries({ entity: "billing-event", ...record }).filter(([, v]) => v !== undefined);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = fields.map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:f${i}`] = v;
      return `#f${i} = :f${i}`;
    });
    // Fields of an earlier outcome that this one does not have.
    const stale = (["tenantId", "execution"] as const).filter((k) => record[k] === undefined);
    stale.forEach((k, i) => {
      names[`#s${i}`] = k;
    });
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: eventKey(record.eventId),
        UpdateExpression: `SET ${sets.join(", ")}${stale.length ? ` REMOVE ${stale.map((_, i) => `#s${i}`).join(", ")}` : ""}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** Counts a delivery of the event (re-deliveries included), before anything else is done with it. */
  async countDelivery(eventId: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: eventKey(eventId),
        UpdateExpression: "SET entity = :e, lastDeliveredAt = :at ADD deliveries :one",
        ExpressionAttributeValues: { ":e": "billing-event", ":at": new Date().toISOString(), ":one": 1 },
      }),
    );
  }

  async eventRecord(eventId: string): Promise<EventRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: eventKey(eventId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { pk: _pk, entity: _entity, ...record } = Item;
    return record as EventRecord;
  }
}

function toLink(customerId: string, item: Record<string, unknown>): CustomerLink {
  const parked = (item.parked ?? {}) as Record<string, Record<string, unknown>>;
  return {
    customerId,
    ...(typeof item.tenantId === "string" ? { tenantId: item.tenantId } : {}),
    parked: Object.values(parked),
  };
}

/** DynamoDB's answer to SET a.b when map `a` does not exist. */
function isMissingPath(err: unknown): boolean {
  return (
    err instanceof Error &&
    err.name === "ValidationException" &&
    /document path provided in the update expression is invalid/i.test(err.message)
  );
}
