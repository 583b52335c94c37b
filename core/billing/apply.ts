/**
 * Applies a billing event to a tenant: decide (decide.ts), make it stick with one conditional write, then start
 * the workflow it calls for, named `<slug>-<workflow>-<n>` with the `n` that write took. A re-delivered event
 * finds itself already applied and starts the same execution again (Step Functions: a no-op), so an event
 * starts at most one execution even if the router crashed between the write and the start.
 */
import type { Tenant } from "../tenant/model.js";
import type { LifecycleWorkflow } from "../workflow/names.js";
import { executionName } from "../workflow/names.js";
import { StepError } from "../workflow/retry.js";
import { decide } from "./decide.js";
import type { BillingDeps } from "./deps.js";
import type { BillingEvent, BillingOutcome } from "./event.js";

const MAX_ROUNDS = 5;

/** Applying to a known tenant never onboards, so it needs no signups queue (the ops CLI has none). */
export type ApplyDeps = Omit<BillingDeps, "signups">;

export async function applyToTenant(
  d: ApplyDeps,
  tenantId: string,
  e: BillingEvent,
): Promise<BillingOutcome> {
  const plans = await d.plans.list();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const t = await d.tenants.get(tenantId);
    if (!t) return { outcome: "ignored", reason: `tenant ${tenantId} does not exist`, tenantId };
    const decision = decide(t, e, plans);
    switch (decision.kind) {
      case "ignore":
        return { outcome: "ignored", reason: decision.reason, tenantId };
      case "superseded":
        return { outcome: "superseded", reason: decision.reason, tenantId };
      case "duplicate": {
        const { workflow, input } = decision.mark;
        if (!workflow || !input) return { outcome: "duplicate", reason: "already applied", tenantId };
        const execution = await start(d, t, workflow, t.runs?.[workflow], input);
        return { outcome: "duplicate", reason: "already applied; its execution exists", tenantId, execution };
      }
      case "park": {
        await d.records.ensureBillingMaps(t);
        if (await d.records.parkForTenant(tenantId, e, decision.whileStatus)) {
          return { outcome: "parked", reason: decision.reason, tenantId };
        }
        continue; // its onboarding ended meanwhile: decide again
      }
      case "mark": {
        await d.records.ensureBillingMaps(t);
        const res = await d.records.mark({
          tenantId,
          aspect: decision.aspect,
          event: e,
          expectStatus: t.status,
          mark: decision.mark,
        });
        if (!res.applied) continue; // the tenant changed since it was read: decide again
        await d.records.noteNewest(tenantId, e);
        const { workflow, input } = decision.mark;
        if (!workflow || !input) return { outcome: "recorded", reason: decision.reason, tenantId };
        const execution = await start(d, t, workflow, res.n, input);
        return { outcome: "started", reason: decision.reason, tenantId, execution };
      }
    }
  }
  throw new StepError("TransientError", `Tenant ${tenantId} kept changing while event ${e.id} was applied`);
}

async function start(
  d: ApplyDeps,
  t: Tenant,
  workflow: LifecycleWorkflow | "onboard",
  n: number | undefined,
  input: Record<string, unknown>,
): Promise<string> {
  if (workflow === "onboard" || !n) {
    throw new Error(`No execution number recorded for ${workflow} of tenant ${t.tenantId}`);
  }
  const name = executionName(t.slug, workflow, n);
  await d.workflows.start(d.stateMachines[workflow], name, input);
  return name;
}
