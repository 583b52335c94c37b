/**
 * Builds the billing router's and the lifecycle steps' dependencies from the standard Lambda environment
 * (stacks/ and local/wiring/ set the variables), as onboarding/environment.ts does for onboarding.
 */
import { BillingRecords } from "../adapters/billing-records.js";
import { requireEnv } from "../adapters/dynamo.js";
import type { BillingDeps, LifecycleWorkflow } from "../billing/deps.js";
import { onboardingDeps, signupsQueue, workflows } from "../onboarding/environment.js";
import type { LifecycleDeps } from "./deps.js";

/** The variable holding each lifecycle state machine's ARN. */
export const LIFECYCLE_STATE_MACHINE_ENV: Readonly<Record<LifecycleWorkflow, string>> = {
  "plan-change": "PLAN_CHANGE_STATE_MACHINE_ARN",
  suspend: "SUSPEND_STATE_MACHINE_ARN",
  reactivate: "REACTIVATE_STATE_MACHINE_ARN",
  offboard: "OFFBOARD_STATE_MACHINE_ARN",
};

export function lifecycleDeps(env: NodeJS.ProcessEnv = process.env): LifecycleDeps {
  return { ...onboardingDeps(env), records: BillingRecords.fromEnvironment(env) };
}

export function billingDeps(env: NodeJS.ProcessEnv = process.env): BillingDeps {
  const { tenants, plans } = onboardingDeps(env);
  const arn = (wf: LifecycleWorkflow) => requireEnv(LIFECYCLE_STATE_MACHINE_ENV[wf], env);
  return {
    tenants,
    plans,
    records: BillingRecords.fromEnvironment(env),
    workflows: workflows(),
    signups: signupsQueue(env),
    stateMachines: {
      "plan-change": arn("plan-change"),
      suspend: arn("suspend"),
      reactivate: arn("reactivate"),
      offboard: arn("offboard"),
    },
  };
}

/** The bus the webhook puts billing events on. */
export const billingBusName = (env: NodeJS.ProcessEnv = process.env) => requireEnv("BILLING_BUS_NAME", env);
