/** `plans list`, `plans show`, `plans set`: the plan catalog, edited in the database without a redeploy. */
import { type Plan, planFieldSetter } from "../../core/plans/catalog.js";
import { PlanFieldError } from "../../core/plans/errors.js";
import type { OpsContext } from "./context.js";
import { NotFoundError, UsageError } from "./errors.js";
import { fields, table } from "./format.js";

async function findPlan(ctx: OpsContext, planId: string): Promise<Plan> {
  const store = ctx.plans();
  const plan = await store.find(planId);
  if (!plan) {
    const known = (await store.list()).map((p) => p.id);
    throw new NotFoundError(`Unknown plan "${planId}"; plans: ${known.join(", ")}`);
  }
  return plan;
}

export async function plansList(ctx: OpsContext): Promise<void> {
  const plans = await ctx.plans().list();
  ctx.print(plans, () =>
    table(plans, [
      { header: "PLAN", value: (p) => p.id },
      { header: "NAME", value: (p) => p.displayName },
      { header: "USD/MONTH", value: (p) => p.monthlyPriceUsd, right: true },
      { header: "DEDICATED", value: (p) => (p.dedicatedResources ? "yes" : "no") },
      { header: "CPU (req/lim)", value: (p) => `${p.quota["requests.cpu"]}/${p.quota["limits.cpu"]}` },
      {
        header: "MEMORY (req/lim)",
        value: (p) => `${p.quota["requests.memory"]}/${p.quota["limits.memory"]}`,
      },
      { header: "PODS", value: (p) => p.quota.pods, right: true },
      { header: "STORAGE", value: (p) => p.quota["requests.storage"] },
      { header: "GRACE DAYS", value: (p) => p.suspendGraceDays, right: true },
    ]),
  );
}

/** Every settable leaf of a plan as `dotted.path = value` (the paths `plans set` takes). */
function leaves(value: unknown, prefix = ""): Array<[string, string]> {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
  }
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return [
    [prefix, text.length > 70 ? `${text.slice(0, 69).replace(/\s+/g, " ")}…` : text.replace(/\s+/g, " ")],
  ];
}

export async function plansShow(ctx: OpsContext, planId: string): Promise<void> {
  const plan = await findPlan(ctx, planId);
  ctx.print(plan, () => fields(leaves(plan)));
}

export async function plansSet(ctx: OpsContext, planId: string, field: string, raw: string): Promise<void> {
  const plan = await findPlan(ctx, planId);
  let next: Plan;
  try {
    next = planFieldSetter(plan, field, raw);
  } catch (err) {
    if (err instanceof PlanFieldError) throw new UsageError(err.message);
    throw err;
  }
  await ctx.plans().put(next);
  const before = leaves(plan).find(([k]) => k === field)?.[1];
  const after = leaves(next).find(([k]) => k === field)?.[1];
  ctx.print(
    next,
    () =>
      `Plan ${planId}: ${field} ${before} → ${after} (stored; used by the next onboarding or plan change, no redeploy)\n`,
  );
}
