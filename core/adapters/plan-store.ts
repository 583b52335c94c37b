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

export class DynamoPlanStore implements PlanStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
    private readonly defaults: readonly Plan[] = DEFAULT_PLANS,
  ) {}

  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): DynamoPlanStore {
    return new DynamoPlanStore(documentClient(), requireEnv(TABLES.plans.env, env));
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
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { planId } }));
    if (Item) return parsePlan(stripKey(Item));
    return this.defaults.find((p) => p.id === planId);
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
