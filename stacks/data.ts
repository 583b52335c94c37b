/**
 * DynamoDB tables (keys as local/wiring/embark.ts creates them) and the shipped plan catalog seeded into the
 * plans table once: later deploys leave the items alone, so an operator's plan edits survive (design §3).
 */
import { DEFAULT_PLANS } from "../core/plans/catalog.js";
import type { Context } from "./context.js";

/** The attribute Powertools idempotency writes its expiry to (DynamoDBPersistenceLayer's default). */
export const IDEMPOTENCY_TTL_ATTRIBUTE = "expiration";

export interface Data {
  tenants: sst.aws.Dynamo;
  plans: sst.aws.Dynamo;
  idempotency: sst.aws.Dynamo;
}

export function createData(ctx: Context): Data {
  const protect = { deletionProtection: ctx.production };
  const tenants = new sst.aws.Dynamo("Tenants", {
    fields: { pk: "string" },
    primaryIndex: { hashKey: "pk" },
    ...protect,
  });
  const plans = new sst.aws.Dynamo("Plans", {
    fields: { planId: "string" },
    primaryIndex: { hashKey: "planId" },
    ...protect,
  });
  const idempotency = new sst.aws.Dynamo("Idempotency", {
    fields: { id: "string" },
    primaryIndex: { hashKey: "id" },
    ttl: IDEMPOTENCY_TTL_ATTRIBUTE,
  });

  for (const plan of DEFAULT_PLANS) {
    new aws.dynamodb.TableItem(
      `Plan${plan.id[0]?.toUpperCase()}${plan.id.slice(1)}`,
      {
        tableName: plans.name,
        hashKey: "planId",
        // The same item PlanStore.seedDefaults() writes on the local cloud.
        item: JSON.stringify(toItem({ planId: plan.id, ...plan })),
      },
      { ignoreChanges: ["item"] },
    );
  }
  return { tenants, plans, idempotency };
}

type AttributeValue =
  | { S: string }
  | { N: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> };

/** A plain object → a DynamoDB item in typed JSON (what TableItem takes). */
export function toItem(value: Record<string, unknown>): Record<string, AttributeValue> {
  const av = toAttributeValue(value);
  if (!("M" in av)) throw new TypeError("an item must be an object");
  return av.M;
}

/** Plain JSON → DynamoDB's typed JSON. Undefined fields are left out, as the DocumentClient does. */
export function toAttributeValue(value: unknown): AttributeValue {
  if (value === null) return { NULL: true };
  if (typeof value === "string") return { S: value };
  if (typeof value === "number") return { N: String(value) };
  if (typeof value === "boolean") return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map((v) => toAttributeValue(v)) };
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return { M: Object.fromEntries(entries.map(([k, v]) => [k, toAttributeValue(v)])) };
  }
  throw new TypeError(`cannot store ${typeof value} in DynamoDB`);
}
