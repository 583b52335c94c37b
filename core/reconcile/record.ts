/**
 * What a RecordChange does to a tenant record (the store applies it in one conditional write): entries appended
 * (the latest MAX_RECONCILE_ENTRIES kept), a status change only where the lifecycle allows it, a failure only on
 * a FAILED tenant without one.
 */
import { MAX_RECONCILE_ENTRIES, type Tenant, type TenantReconcile } from "../tenant/model.js";
import { canTransition, type TenantStatus } from "../tenant/status.js";
import type { RecordChange } from "./store.js";

export interface RecordedTenant {
  reconcile: TenantReconcile;
  status: TenantStatus;
  failure?: NonNullable<Tenant["failure"]>;
}

export function applyRecordChange(t: Tenant, change: RecordChange, at: string): RecordedTenant {
  const reconcile: TenantReconcile = {
    ...(t.reconcile?.degraded ? { degraded: t.reconcile.degraded } : {}),
    entries: [...(t.reconcile?.entries ?? []), ...change.entries].slice(-MAX_RECONCILE_ENTRIES),
  };
  let status = t.status;
  if (change.degrade && canTransition(t.status, "DEGRADED")) {
    reconcile.degraded = { ...change.degrade, at, previousStatus: t.status };
    status = "DEGRADED";
  }
  if (change.restore && t.status === "DEGRADED" && reconcile.degraded) {
    status = reconcile.degraded.previousStatus;
    delete reconcile.degraded;
  }
  const failure = change.failure && t.status === "FAILED" && !t.failure ? change.failure : undefined;
  return { reconcile, status, ...(failure ? { failure } : {}) };
}
