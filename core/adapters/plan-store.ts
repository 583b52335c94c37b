import type { PlanStore } from "../plans/store.js";
/**
 * The plan catalog in DynamoDB (`planId` key). Shipped defaults apply until an operator stores a plan of the
 * same id, so a catalog edit takes effect without a redeploy (design §3).
 */

import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { GetCommand, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { requireEnv, TABLES } from "../app/resources.js";
import { DEFAULT_PLANS, type Plan, parsePlan } from "../plans/catalog.js";
import { UnknownPlanError } from "../plans/errors.js";
import { documentClient, isConditionFailure } from "./dynamo.js";

/** How long a function keeps a plan it read (EMBARK_PLAN_CACHE_SECONDS; 0 reads it every time). */
export const PLAN_CACHE_SECONDS = 30;

export class DynamoPlanStore implements PlanStore {
  /** Plans read, by id, with when they were read (`find` only; `list` always reads). */
  private readonly cache = new Map<string, { plan: Plan | undefined; at: number }>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
    private readonly defaults: readonly Plan[] = DEFAULT_PLANS,
    /**
     * A warm function reuses a plan it read this long ago (issue 12: every step read the plan again, five reads
     * per onboarding). A catalog edit then reaches a running function within this time.
     */
    private readonly cacheMs = 0,
  ) {}

  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): DynamoPlanStore {
    const raw = env.EMBARK_PLAN_CACHE_SECONDS;
    const seconds = raw === undefined || raw === "" ? PLAN_CACHE_SECONDS : Number(raw);
    return new DynamoPlanStore(
      documentClient(),
      requireEnv(TABLES.plans.env, env),
      DEFAULT_PLANS,
      Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0,
    );
  }

  async list(): Promise<Plan[]> {
    const stored = new Map<string, Plan>();
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new ScanCommand({ TableName: this.tableName, ExclusiveStartKey }));
      for (const item of page.Items ?? []) {
        const plan = parsePlan(stripKey(item));
        stored.set(plan.id, plan);
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    const merged = new Map(this.defaults.map((p) => [p.id, p]));
    for (const [id, plan] of stored) merged.set(id, plan);
    return [...merged.values()].sort((a, b) => a.monthlyPriceUsd - b.monthlyPriceUsd);
  }

  async find(planId: string): Promise<Plan | undefined> {
    const hit = this.cache.get(planId);
    if (hit && Date.now() - hit.at < this.cacheMs) return hit.plan && structuredClone(hit.plan);
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { planId } }));
    const plan = Item ? parsePlan(stripKey(Item)) : this.defaults.find((p) => p.id === planId);
    if (this.cacheMs > 0) this.cache.set(planId, { plan, at: Date.now() });
    return plan && structuredClone(plan);
  }

  async get(planId: string): Promise<Plan> {
    const plan = await this.find(planId);
    if (!plan)
      throw new UnknownPlanError(
        planId,
        (await this.list()).map((p) => p.id),
      );
    return plan;
  }

  async put(plan: Plan): Promise<void> {
    const valid = parsePlan(plan);
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { planId: valid.id, ...valid } }));
    this.cache.delete(valid.id);
  }

  /** Stores the shipped defaults that are not in the table yet (boot/deploy time); never overwrites edits. */
  async seedDefaults(): Promise<void> {
    for (const plan of this.defaults) {
      await this.db
        .send(
          new PutCommand({
            TableName: this.tableName,
            Item: { planId: plan.id, ...plan },
            ConditionExpression: "attribute_not_exists(planId)",
          }),
        )
        .catch((err) => {
          if (!isConditionFailure(err)) throw err;
        });
    }
  }
}

function stripKey(item: Record<string, unknown>): Record<string, unknown> {
  const { planId: _planId, ...rest } = item;
  return rest;
}
