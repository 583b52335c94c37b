/**
 * Status truth as a contract (design §2): for each tenant status, what must exist and what must not. This is
 * the one list the reconciler checks (core/reconcile/checks.ts has one function per check, and pass.ts runs
 * exactly INVARIANTS[status] on a tenant) and the one the design doc's table mirrors
 * (test/core/reconcile/invariants.test.ts compares them).
 */
import type { TenantStatus } from "../tenant/status.js";

export const CHECKS = {
  "onboarding-execution": {
    kind: "must",
    says:
      "its onboarding execution `<slug>-onboard-1`, running (looked at once the tenant has made no progress " +
      "for `staleAfterMinutes`); younger than `maxProvisioningHours`",
  },
  "failure-recorded": {
    kind: "must",
    says: "`failure`: the failed step, the error and a human-readable cause",
  },
  "user-pool": {
    kind: "must",
    says: "its Cognito user pool: the recorded id exists and is tagged with the tenant id",
  },
  "app-client": { kind: "must", says: "the pool's `embark-app` app client (the recorded id)" },
  namespace: {
    kind: "must",
    says: "namespace `tenant-<slug>`, not terminating, with its Pod Security and Embark labels",
  },
  "guard-rails": {
    kind: "must",
    says:
      "ResourceQuota (the plan's; `pods: 0` while SUSPENDED), LimitRange, the three NetworkPolicies, " +
      "ServiceAccount, Role and RoleBinding, exactly as `tenantObjects` makes them",
  },
  "degradation-recorded": {
    kind: "must",
    says: "`reconcile.degraded`: what was lost and why (the tenant returns to its previous status once it is back)",
  },
  "retained-pool": {
    kind: "must",
    says: "its user pool, kept with every user disabled (the recorded id, tagged with the tenant id)",
  },
  "export-recorded": {
    kind: "must",
    says: "`export`: the archive written at cancellation (bucket, manifest key, checksum)",
  },
  "purge-timer": {
    kind: "must",
    says:
      "its one-time purge schedule at `purgeAfter`; once `purgeAfter` has passed by `staleAfterMinutes`, " +
      "its purge execution",
  },
  "offboard-execution": {
    kind: "must",
    says: "its latest offboard execution, running, or its failure recorded (`workflowFailure`)",
  },
  "no-user-pool": {
    kind: "mustNot",
    says: "a user pool (the recorded one, or any tagged with the tenant id)",
  },
  "no-namespace": { kind: "mustNot", says: "a namespace labelled with the tenant id" },
  "no-pipeline-run": { kind: "mustNot", says: "a pipeline run in progress (the recorded run)" },
  "no-dead-letters": { kind: "mustNot", says: "messages about the tenant in the signups or emails DLQ" },
  "no-parked-billing": {
    kind: "mustNot",
    says:
      "billing events parked on it (`billing.parked`): they wait for its onboarding to end, which it has " +
      "(the status-change event that applies them is delivered best effort)",
  },
} as const satisfies Record<string, { kind: "must" | "mustNot"; says: string }>;
export type CheckId = keyof typeof CHECKS;
export const CHECK_IDS = Object.keys(CHECKS) as CheckId[];

export interface Invariant {
  /** What the status means, for a person. */
  means: string;
  checks: readonly CheckId[];
}

/** Checks every ACTIVE or SUSPENDED tenant gets: what Embark made for it, as it made it. */
const PROVISIONED = ["user-pool", "app-client", "namespace", "guard-rails"] as const;

export const INVARIANTS: Readonly<Record<TenantStatus, Invariant>> = {
  PROVISIONING: { means: "onboarding is under way", checks: ["onboarding-execution"] },
  FAILED: {
    means: "onboarding failed and waits for an operator (redrive or offboard)",
    checks: ["failure-recorded"],
  },
  ACTIVE: { means: "ready to use", checks: [...PROVISIONED, "no-parked-billing"] },
  SUSPENDED: {
    means: "users cannot sign in, no new pods; data kept",
    checks: [...PROVISIONED, "no-parked-billing"],
  },
  DEGRADED: {
    means: "something Embark cannot restore is gone (a deleted user pool); an operator decides",
    checks: ["degradation-recorded", "namespace", "guard-rails"],
  },
  CANCELLED: {
    means:
      "cancelled and retained until `purgeAfter`: nobody can sign in, no pods run, data and export kept; " +
      "restorable",
    checks: ["retained-pool", "namespace", "guard-rails", "export-recorded", "purge-timer"],
  },
  OFFBOARDING: {
    means: "the purge (the offboard workflow) is removing the tenant's resources",
    checks: ["offboard-execution"],
  },
  OFFBOARDED: {
    means: "only the record, its slug and the billing and pipeline history remain (design §2)",
    checks: ["no-user-pool", "no-namespace", "no-pipeline-run", "no-dead-letters"],
  },
};

/**
 * Checks whose evidence is found by the pass-wide sweep (listing pools, namespaces and dead letters, bounded)
 * rather than per tenant: the per-tenant check covers the recorded resource, the sweep the rest.
 */
export const SWEPT_CHECKS: readonly CheckId[] = ["no-user-pool", "no-namespace", "no-dead-letters"];
