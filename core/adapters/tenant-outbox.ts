/**
 * The tenant record's outbox of lifecycle events (core/tenant/events.ts): a transition's UpdateItem appends its
 * event and advances `eventVersion` in the same write, conditional on the version it read, so the event exists
 * exactly when the transition does and two transitions can never take the same version. Writers read the
 * record, build the write, and try again from a fresh read when a concurrent write got there first.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { TenantEvent } from "../tenant/events.js";
import { Tenant } from "../tenant/model.js";
import { isConditionFailure } from "./dynamo.js";

export const tenantKey = (tenantId: string) => ({ pk: `TENANT#${tenantId}` });

/** Attempts of a read-then-conditional-write before the conflict is reported (a hot tenant, not a bug). */
export const MAX_WRITE_ATTEMPTS = 5;

export async function readTenant(
  db: DynamoDBDocumentClient,
  tableName: string,
  tenantId: string,
): Promise<Tenant | undefined> {
  const { Item } = await db.send(
    new GetCommand({ TableName: tableName, Key: tenantKey(tenantId), ConsistentRead: true }),
  );
  return Item ? Tenant.parse(Item) : undefined;
}

/** The parts of an UpdateItem: `SET`/`REMOVE` clauses, a condition and their names and values. */
export interface UpdateParts {
  sets: string[];
  removes?: string[];
  conditions: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** Adds the event (if any) to an update: appended to the outbox, its version conditional on the one read. */
export function withEvent(
  parts: UpdateParts,
  read: Pick<Tenant, "eventVersion">,
  event: TenantEvent | undefined,
): UpdateParts {
  if (!event) return parts;
  const first = read.eventVersion === undefined;
  return {
    ...parts,
    sets: [
      ...parts.sets,
      "eventVersion = :eventVersion",
      "outbox = list_append(if_not_exists(outbox, :noEvents), :events)",
    ],
    conditions: [
      ...parts.conditions,
      first ? "attribute_not_exists(eventVersion)" : "eventVersion = :readEventVersion",
    ],
    values: {
      ...parts.values,
      ":eventVersion": event.detail.version,
      ":noEvents": [],
      ":events": [event],
      ...(first ? {} : { ":readEventVersion": read.eventVersion }),
    },
  };
}

/** Sends the update; false when its condition failed. */
export async function sendUpdate(
  db: DynamoDBDocumentClient,
  tableName: string,
  tenantId: string,
  parts: UpdateParts,
): Promise<boolean> {
  const removes = parts.removes?.length ? ` REMOVE ${parts.removes.join(", ")}` : "";
  const expression = `SET ${parts.sets.join(", ")}${removes}`;
  const usedNames = Object.fromEntries(
    Object.entries(parts.names).filter(
      ([k]) => expression.includes(k) || parts.conditions.some((c) => c.includes(k)),
    ),
  );
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: tenantKey(tenantId),
        UpdateExpression: `${expression} ADD version :one`,
        ConditionExpression: ["attribute_exists(pk)", ...parts.conditions].join(" AND "),
        ...(Object.keys(usedNames).length ? { ExpressionAttributeNames: usedNames } : {}),
        ExpressionAttributeValues: { ...parts.values, ":one": 1 },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/**
 * Removes the oldest outbox event if it is `eventId` (it was published). False when it is not there any more:
 * another drain removed it first.
 */
export async function removeOldestEvent(
  db: DynamoDBDocumentClient,
  tableName: string,
  tenantId: string,
  eventId: string,
  /** An onboarding step marked done in the same write. */
  doneStep?: string,
): Promise<boolean> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: tenantKey(tenantId),
        ConditionExpression: "outbox[0].detail.eventId = :id",
        ...(doneStep
          ? {
              UpdateExpression:
                "SET steps.#step.#status = :done, steps.#step.#at = :now, updatedAt = :now " +
                "REMOVE outbox[0], steps.#step.#error ADD version :one",
              ExpressionAttributeNames: {
                "#step": doneStep,
                "#status": "status",
                "#at": "at",
                "#error": "error",
              },
              ExpressionAttributeValues: {
                ":id": eventId,
                ":done": "done",
                ":now": new Date().toISOString(),
                ":one": 1,
              },
            }
          : { UpdateExpression: "REMOVE outbox[0]", ExpressionAttributeValues: { ":id": eventId } }),
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}
