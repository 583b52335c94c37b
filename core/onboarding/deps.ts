import type { MailSettings } from "../mail/tenant-email.js";
import type { PlanStore } from "../plans/store.js";
import type {
  ClusterProvisioner,
  IdentityProvisioner,
  PipelineRunner,
  PoolSettings,
  TaskCallbacks,
  TenantEventPublisher,
} from "../ports.js";
import type { TenantStore } from "../tenant/store.js";

/** What the onboarding steps need; functions/ builds it from the environment, tests may build fakes. */
export interface OnboardingDeps {
  tenants: TenantStore;
  plans: PlanStore;
  identity: IdentityProvisioner;
  /** A fresh cluster connection per invocation (EKS tokens expire after minutes). */
  cluster: () => Promise<ClusterProvisioner>;
  pipeline: PipelineRunner;
  tasks: TaskCallbacks;
  /** The tenant events bus the outbox drains to. */
  events: TenantEventPublisher;
  /** The app's address (login links in the invitation) and support address. */
  settings: MailSettings;
  /** What every tenant pool is set to (claims trigger, mail). */
  signIn: PoolSettings;
  /**
   * Whether the tenant's onboarding execution is running: a step finding its tenant FAILED is a redrive only
   * then (run-step.ts); none: every such step is taken for a redrive.
   */
  onboarding?: OnboardingExecution;
}

export interface OnboardingExecution {
  isRunning(slug: string): Promise<boolean>;
}
