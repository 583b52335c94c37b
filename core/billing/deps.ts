import type { PlanStore } from "../plans/store.js";
import type { MessageQueue, WorkflowRunner } from "../ports.js";
import type { TenantStore } from "../tenant/store.js";
import type { LifecycleWorkflow } from "../workflow/names.js";
import type { BillingRecords } from "./records.js";

/** What applying billing events needs; functions/ builds it from the environment, the ops CLI from its target. */
export interface BillingDeps {
  tenants: TenantStore;
  plans: PlanStore;
  records: BillingRecords;
  workflows: WorkflowRunner;
  /** The signups queue: a checkout for a new customer becomes a signup (onboarding-starter takes it on). */
  signups: MessageQueue;
  /** State machine ARN per lifecycle workflow. */
  stateMachines: Record<LifecycleWorkflow, string>;
}
