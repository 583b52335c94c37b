import type { BillingRecords } from "../adapters/billing-records.js";
import type { PlanStore } from "../adapters/plan-store.js";
import type { JsonQueue } from "../adapters/queues.js";
import type { TenantStore } from "../adapters/tenant-store.js";
import type { Workflows } from "../adapters/workflows.js";

export type { LifecycleWorkflow } from "../lifecycle/machines.js";

import type { LifecycleWorkflow } from "../lifecycle/machines.js";

/** What applying billing events needs; functions/ builds it from the environment, the ops CLI from its target. */
export interface BillingDeps {
  tenants: TenantStore;
  plans: PlanStore;
  records: BillingRecords;
  workflows: Workflows;
  /** The signups queue: a checkout for a new customer becomes a signup (onboarding-starter takes it on). */
  signups: JsonQueue;
  /** State machine ARN per lifecycle workflow. */
  stateMachines: Record<LifecycleWorkflow, string>;
}
