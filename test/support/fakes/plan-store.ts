/**
 * An in-memory PlanStore (core/plans/store.ts) for unit tests, copying the DynamoDB adapter
 * (core/adapters/plan-store.ts): the shipped defaults (DEFAULT_PLANS unless given) apply until a plan of the same
 * id is stored; list() is stored-over-defaults, cheapest first; get() raises UnknownPlanError naming the known
 * ids; put() validates with parsePlan (InvalidPlanError) before storing; seedDefaults() stores only the missing
 * defaults. Plans are copied in and out. Does not copy: DynamoDB's order of equally priced plans (a scan's
 * order; here the defaults' order). test/core/plans/store-contract.ts holds both to the same cases.
 *
 * Points (see recording.ts): every method's name.
 */
import { DEFAULT_PLANS, type Plan, parsePlan } from "../../../core/plans/catalog.js";
import { UnknownPlanError } from "../../../core/plans/errors.js";
import type { PlanStore } from "../../../core/plans/store.js";
import { Recording } from "./recording.js";

export class FakePlanStore extends Recording<keyof PlanStore> implements PlanStore {
  /** The plans stored (an operator's edits and seeded defaults), by id. */
  readonly stored = new Map<string, Plan>();

  constructor(private readonly defaults: readonly Plan[] = DEFAULT_PLANS) {
    super();
  }

  async list(): Promise<Plan[]> {
    await this.record("list", []);
    return this.merged();
  }

  async find(planId: string): Promise<Plan | undefined> {
    await this.record("find", [planId]);
    return this.lookup(planId);
  }

  async get(planId: string): Promise<Plan> {
    await this.record("get", [planId]);
    const plan = this.lookup(planId);
    if (!plan)
      throw new UnknownPlanError(
        planId,
        this.merged().map((p) => p.id),
      );
    return plan;
  }

  async put(plan: Plan): Promise<void> {
    await this.record("put", [plan]);
    const valid = parsePlan(plan);
    this.stored.set(valid.id, structuredClone(valid));
  }

  async seedDefaults(): Promise<void> {
    await this.record("seedDefaults", []);
    for (const plan of this.defaults)
      if (!this.stored.has(plan.id)) this.stored.set(plan.id, structuredClone(plan));
  }

  private lookup(planId: string): Plan | undefined {
    const plan = this.stored.get(planId) ?? this.defaults.find((p) => p.id === planId);
    return plan && structuredClone(plan);
  }

  private merged(): Plan[] {
    const merged = new Map(this.defaults.map((p) => [p.id, p]));
    for (const [id, plan] of this.stored) merged.set(id, plan);
    return [...merged.values()]
      .sort((a, b) => a.monthlyPriceUsd - b.monthlyPriceUsd)
      .map((p) => structuredClone(p));
  }
}
