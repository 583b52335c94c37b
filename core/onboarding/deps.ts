import type { PipelineRunner } from "../adapters/pipeline.js";
import type { PlanStore } from "../adapters/plan-store.js";
import type { TaskCallbacks } from "../adapters/task-callbacks.js";
import type { TenantStore } from "../adapters/tenant-store.js";
import type { ClusterProvisioner, IdentityProvisioner } from "../ports.js";

/** What the onboarding steps need; functions/ builds it from the environment, tests may build fakes. */
export interface OnboardingDeps {
  tenants: TenantStore;
  plans: PlanStore;
  identity: IdentityProvisioner;
  /** A fresh cluster connection per invocation (EKS tokens expire after minutes). */
  cluster: () => Promise<ClusterProvisioner>;
  pipeline: PipelineRunner;
  tasks: TaskCallbacks;
}
