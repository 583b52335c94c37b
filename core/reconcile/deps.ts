import type { PlanStore } from "../plans/store.js";
import type {
  ClusterInspector,
  ClusterProvisioner,
  DeadLetterQueue,
  ExecutionInspector,
  IdentityInspector,
  IdentityProvisioner,
  PipelineControl,
  PipelineRunner,
  PurgeSchedules,
  TenantEventPublisher,
  WorkflowRunner,
} from "../ports.js";
import type { TenantStore } from "../tenant/store.js";
import type { ReconcileStore } from "./store.js";

/** What a reconcile pass needs; functions/reconcile.ts and the ops CLI build it, unit tests use fakes. */
export interface ReconcileDeps {
  tenants: TenantStore;
  store: ReconcileStore;
  plans: Pick<PlanStore, "list">;
  identity: Pick<IdentityProvisioner, "deleteTenantIdentity" | "setUsersEnabled"> & IdentityInspector;
  /** A fresh cluster connection (EKS tokens expire after minutes): one per pass. */
  cluster: () => Promise<Pick<ClusterProvisioner, "apply"> & ClusterInspector>;
  workflows: WorkflowRunner & ExecutionInspector;
  pipeline: Pick<PipelineRunner, "status"> & PipelineControl;
  /** The work queues' DLQs whose messages name a tenant (signups, emails). */
  deadLetters: readonly DeadLetterQueue[];
  onboardingStateMachineArn: string;
  offboardStateMachineArn: string;
  /** CANCELLED tenants' purge timers: a lost one is made again (none: only an overdue purge is started). */
  purgeSchedules?: PurgeSchedules;
  /**
   * Applies the billing events still parked on a tenant whose onboarding ended (core/billing/route.ts
   * applyParked); none: such a tenant is flagged only.
   */
  parkedBilling?: { apply(tenantId: string): Promise<unknown> };
  /** Where the outbox drains to (lifecycle events a crash left behind, a FAILED the pass wrote). */
  events?: TenantEventPublisher;
  now?: () => Date;
}
