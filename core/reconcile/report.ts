/** What a reconcile pass did: every action with its tenant, and what it looked at. */
import type { TenantStatus } from "../tenant/status.js";
import type { ActionName } from "./context.js";
import type { CheckId } from "./invariants.js";

/** Resources of a tenant that does not exist, found by the sweep (not part of any status's invariant). */
export type OrphanCheck = "orphan-user-pool" | "orphan-namespace" | "orphan-dead-letter";

export interface ReconcileAction {
  tenantId?: string;
  slug?: string;
  /** The tenant's status when it was checked (absent for orphans). */
  status?: TenantStatus;
  check: CheckId | OrphanCheck;
  action: ActionName;
  problem: string;
  /** "planned": a dry run (nothing done). "failed": the repair threw (`error`); a later pass tries again. */
  outcome: "repaired" | "flagged" | "planned" | "failed";
  error?: string;
  /** The pool, namespace or queue an orphan action is about. */
  resource?: string;
}

export interface ReconcileReport {
  dryRun: boolean;
  startedAt: string;
  durationMs: number;
  /** Tenants checked, per status. */
  checked: Partial<Record<TenantStatus, number>>;
  /** Statuses with more tenants than this pass's budget: the cursor goes on from there next pass. */
  continued: TenantStatus[];
  /** DEGRADED tenants after the pass (the alarm's metric). */
  degraded: number;
  actions: ReconcileAction[];
  sweep: {
    userPools: number;
    namespaces: number;
    deadLetters: Array<{ queue: string; depth: number; inspected: number }>;
  };
  /** Tenants asked for by id or slug that have no record (their orphans are swept, if any). */
  notFound: string[];
}

/** Counts of actions by outcome (for a one-line summary). */
export function outcomeCounts(report: ReconcileReport): Record<ReconcileAction["outcome"], number> {
  const counts = { repaired: 0, flagged: 0, planned: 0, failed: 0 };
  for (const a of report.actions) counts[a.outcome] += 1;
  return counts;
}
