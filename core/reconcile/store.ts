/**
 * What the reconciler keeps and reads beside the tenant records (in the tenants table; DynamoDB adapter:
 * core/adapters/reconcile-store.ts): tenants by status through the `by-status` index, a cursor so each status
 * is worked through round-robin, bounded per pass, and its findings written onto the tenant (`reconcile`).
 */
import type { ReconcileEntry, Tenant } from "../tenant/model.js";
import type { TenantStatus } from "../tenant/status.js";

/** A position in one status's slice of the index (the last tenant a pass looked at). */
export interface StatusCursor {
  pk: string;
  status: string;
  updatedAt: string;
}

export interface ReconcileCursor {
  statuses: Partial<Record<TenantStatus, StatusCursor>>;
  /** Where the orphan sweep goes on in ListUserPools: its token, and how far into that page it got. */
  userPools?: { token?: string; offset?: number };
  /** The namespace list's `continue` token. */
  namespaces?: string;
}

export interface RecordChange {
  entries: ReconcileEntry[];
  /** Moves an ACTIVE or SUSPENDED tenant to DEGRADED, remembering why and the status to return to. */
  degrade?: { check: string; reason: string };
  /** Moves a DEGRADED tenant back to the status it had. */
  restore?: boolean;
  /** Sets `failure` on a FAILED tenant that has none. */
  failure?: NonNullable<Tenant["failure"]>;
}

export interface ReconcileStore {
  /**
   * Tenants of one status, least recently changed first, optionally only those changed before/after a time;
   * `limit` at most, from after `after`. `more`: the index holds more after the last one returned.
   */
  page(
    status: TenantStatus,
    opts: { updatedBefore?: string; updatedAfter?: string; limit: number; after?: StatusCursor },
  ): Promise<{ tenants: Tenant[]; last?: StatusCursor; more: boolean }>;
  /** How many tenants have the status (a count query on the index). */
  count(status: TenantStatus): Promise<number>;
  /** The status of each tenant id that has a record (absent ids: no tenant). */
  statuses(tenantIds: readonly string[]): Promise<Map<string, TenantStatus>>;
  loadCursor(): Promise<ReconcileCursor>;
  saveCursor(cursor: ReconcileCursor): Promise<void>;
  /**
   * Appends the entries to the tenant's `reconcile` record (the latest MAX_RECONCILE_ENTRIES kept) and applies
   * the change, in one write conditional on the version read (re-read and retried when it moved). A status
   * change the tenant's current status does not allow is skipped. `status`: the tenant's status afterwards.
   */
  record(tenantId: string, change: RecordChange): Promise<{ recorded: boolean; status?: TenantStatus }>;
}
