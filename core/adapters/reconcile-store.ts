/**
 * The reconciler's reads and writes in the tenants table (core/reconcile/store.ts):
 *   index `by-status` (status, updatedAt)   tenants of one status, least recently changed first
 *   RECONCILE#cursor                        where each status's round-robin and the sweep go on next pass
 *   TENANT#<id>.reconcile                   what the reconciler found and did, written onto the tenant
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { requireEnv, TABLES } from "../app/resources.js";
import { applyRecordChange } from "../reconcile/record.js";
import type { ReconcileCursor, ReconcileStore, RecordChange, StatusCursor } from "../reconcile/store.js";
import { Tenant } from "../tenant/model.js";
import { TenantStatus } from "../tenant/status.js";
import { DynamoTable, documentClient, isConditionFailure } from "./dynamo.js";

export const STATUS_INDEX = "by-status";
const CURSOR_KEY = { pk: "RECONCILE#cursor" };
const tenantKey = (tenantId: string) => ({ pk: `TENANT#${tenantId}` });
/** BatchGetItem takes at most 100 keys. */
const BATCH = 100;
// A tenant the pass just acted on (an onboarding it started) moves on at once: its version changes step by step,
// so the pass's conditional write retries, with a growing pause, until it lands between two steps.
const ATTEMPTS = 12;

export class DynamoReconcileStore extends DynamoTable implements ReconcileStore {
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): DynamoReconcileStore {
    return new DynamoReconcileStore(documentClient(), requireEnv(TABLES.tenants.env, env));
  }

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    super(db, tableName);
  }

  async page(
    status: TenantStatus,
    opts: { updatedBefore?: string; updatedAfter?: string; limit: number; after?: StatusCursor },
  ) {
    const values: Record<string, unknown> = { ":s": status };
    let range = "";
    if (opts.updatedBefore) {
      range = " AND updatedAt < :t";
      values[":t"] = opts.updatedBefore;
    } else if (opts.updatedAfter) {
      range = " AND updatedAt > :t";
      values[":t"] = opts.updatedAfter;
    }
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: STATUS_INDEX,
        KeyConditionExpression: `#status = :s${range}`,
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: values,
        Limit: opts.limit,
        ...(opts.after ? { ExclusiveStartKey: { ...opts.after } } : {}),
      }),
    );
    const tenants = (out.Items ?? []).map((item) => Tenant.parse(item));
    const lastItem = out.Items?.at(-1);
    const last = lastItem
      ? { pk: String(lastItem.pk), status: String(lastItem.status), updatedAt: String(lastItem.updatedAt) }
      : undefined;
    return { tenants, ...(last ? { last } : {}), more: out.LastEvaluatedKey !== undefined };
  }

  async count(status: TenantStatus): Promise<number> {
    let total = 0;
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: STATUS_INDEX,
          KeyConditionExpression: "#status = :s",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":s": status },
          Select: "COUNT",
          ExclusiveStartKey,
        }),
      );
      total += out.Count ?? 0;
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return total;
  }

  async statuses(tenantIds: readonly string[]): Promise<Map<string, TenantStatus>> {
    const found = new Map<string, TenantStatus>();
    const ids = [...new Set(tenantIds)];
    for (let i = 0; i < ids.length; i += BATCH) {
      let keys: Record<string, unknown>[] | undefined = ids.slice(i, i + BATCH).map(tenantKey);
      for (let attempt = 0; keys && keys.length > 0 && attempt < 8; attempt++) {
        const out: BatchGetCommandOutput = await this.db.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: keys,
                ProjectionExpression: "tenantId, #status",
                ExpressionAttributeNames: { "#status": "status" },
              },
            },
          }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) {
          const status = TenantStatus.safeParse(item.status);
          if (typeof item.tenantId === "string" && status.success) found.set(item.tenantId, status.data);
        }
        keys = out.UnprocessedKeys?.[this.tableName]?.Keys;
        if (keys?.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
      if (keys?.length) throw new Error(`BatchGetItem left ${keys.length} keys unprocessed`);
    }
    return found;
  }

  async loadCursor(): Promise<ReconcileCursor> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: CURSOR_KEY, ConsistentRead: true }),
    );
    const cursor = Item?.cursor as ReconcileCursor | undefined;
    return { ...cursor, statuses: { ...cursor?.statuses } };
  }

  async saveCursor(cursor: ReconcileCursor): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...CURSOR_KEY, entity: "reconcile-cursor", cursor, at: new Date().toISOString() },
      }),
    );
  }

  async record(
    tenantId: string,
    change: RecordChange,
  ): Promise<{ recorded: boolean; status?: TenantStatus }> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: tenantKey(tenantId), ConsistentRead: true }),
      );
      if (!Item) return { recorded: false };
      const t = Tenant.parse(Item);
      const now = new Date().toISOString();
      const { reconcile, status, failure } = applyRecordChange(t, change, now);
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: tenantKey(tenantId),
            UpdateExpression: `SET reconcile = :r, #status = :s, updatedAt = :now${failure ? ", failure = :f" : ""} ADD version :one`,
            ConditionExpression: "version = :v",
            ExpressionAttributeNames: { "#status": "status" },
            ExpressionAttributeValues: {
              ":r": reconcile,
              ":s": status,
              ":now": now,
              ":one": 1,
              ":v": t.version,
              ...(failure ? { ":f": failure } : {}),
            },
          }),
        );
        return { recorded: true, status };
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        await new Promise((r) => setTimeout(r, 10 * (attempt + 1) + Math.random() * 20));
      }
    }
    return { recorded: false };
  }
}
