/**
 * The plan catalog's store (design §3): shipped defaults apply until an operator stores a plan of the same id,
 * so a catalog edit takes effect without a redeploy. DynamoDB adapter: core/adapters/plan-store.ts.
 */
import type { Plan } from "./schema.js";

export interface PlanStore {
  /** Every plan (stored ones over the defaults), cheapest first. */
  list(): Promise<Plan[]>;
  find(planId: string): Promise<Plan | undefined>;
  /** The plan, or UnknownPlanError naming the choices. */
  get(planId: string): Promise<Plan>;
  put(plan: Plan): Promise<void>;
  /** Stores the shipped defaults that are not stored yet; never overwrites an operator's edit. */
  seedDefaults(): Promise<void>;
}
