/**
 * The tables of core/app/resources.ts (the keys the local cloud creates too) and the shipped plan catalog seeded
 * into the plans table once: later deploys leave the items alone, so an operator's plan edits survive (design
 * §3). Tables of lasting records are deletion-protected in production; expiring records (ttl) are not.
 */
import { TABLES, type TableKey, tableIndexes } from "../core/app/resources.js";
import { DEFAULT_PLANS } from "../core/plans/catalog.js";
import { type Context, pascal } from "./context.js";

export type Data = Record<TableKey, sst.aws.Dynamo>;

export function createData(ctx: Context): Data {
  const data = Object.fromEntries(
    Object.entries(TABLES).map(([key, table]) => {
      const indexes = tableIndexes(key as TableKey);
      const indexFields = Object.values(indexes).flatMap((i) => [
        i.hashKey,
        ...(i.rangeKey ? [i.rangeKey] : []),
      ]);
      return [
        key,
        new sst.aws.Dynamo(pascal(key), {
          fields: Object.fromEntries([table.key, ...indexFields].map((f) => [f, "string" as const])),
          primaryIndex: { hashKey: table.key },
          // Every attribute projected: a page of the index is a page of whole records.
          ...(Object.keys(indexes).length > 0
            ? {
                globalIndexes: Object.fromEntries(
                  Object.entries(indexes).map(([name, i]) => [
                    name,
                    {
                      hashKey: i.hashKey,
                      ...(i.rangeKey ? { rangeKey: i.rangeKey } : {}),
                      projection: "all" as const,
                    },
                  ]),
                ),
              }
            : {}),
          ...("ttl" in table ? { ttl: table.ttl } : { deletionProtection: ctx.production }),
        }),
      ];
    }),
  ) as Data;

  for (const plan of DEFAULT_PLANS) {
    new aws.dynamodb.TableItem(
      `Plan${plan.id[0]?.toUpperCase()}${plan.id.slice(1)}`,
      {
        tableName: data.plans.name,
        hashKey: "planId",
        // The same item PlanStore.seedDefaults() writes on the local cloud.
        item: JSON.stringify(toItem({ planId: plan.id, ...plan })),
      },
      { ignoreChanges: ["item"] },
    );
  }
  return data;
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
