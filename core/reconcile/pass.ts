/**
 * One reconcile pass (design §2, "Status truth"): for each status, a bounded page of its tenants from the
 * `by-status` index (from where the last pass stopped), each checked against exactly its status's invariant
 * (invariants.ts, checks.ts); then the sweep of pools, namespaces and dead letters (sweep.ts). Repairs run
 * unless it is a dry run, and each tenant's findings are written onto it in one conditional write. A pass over
 * tenants where nothing drifted writes only its cursor.
 */
import { findTenant } from "../tenant/lookup.js";
import type { ReconcileEntry, Tenant } from "../tenant/model.js";
import { publishTenantEvents } from "../tenant/publish-events.js";
import { TENANT_STATUSES, type TenantStatus } from "../tenant/status.js";
import { CHECKERS } from "./checks.js";
import { type Finding, PassContext } from "./context.js";
import type { ReconcileDeps } from "./deps.js";
import { INVARIANTS } from "./invariants.js";
import type { ReconcileAction, ReconcileReport } from "./report.js";
import { type ReconcileSettings, type SettingsOverrides, settingsWith } from "./settings.js";
import type { RecordChange, StatusCursor } from "./store.js";
import { type SweepAction, sweep } from "./sweep.js";

export interface ReconcileRequest {
  /** Report what would be done, change nothing (not even the cursor). */
  dryRun?: boolean;
  /**
   * Only these tenants (ids or slugs): their status's checks, whatever the budgets, and the sweep for their
   * ids. An id without a tenant is swept for orphans. Unset: a full pass.
   */
  tenants?: readonly string[];
  settings?: SettingsOverrides;
}

export interface ReconcileObserver {
  /** Called once per action, as its outcome is known (the function logs and counts it). */
  action(a: ReconcileAction): void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Tenants checked at once. */
const CONCURRENCY = 4;
const DAY = 86_400_000;

const message = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

export async function runReconcilePass(
  d: ReconcileDeps,
  req: ReconcileRequest = {},
  observer?: ReconcileObserver,
): Promise<ReconcileReport> {
  const started = d.now?.() ?? new Date();
  const settings = settingsWith(req.settings);
  const p = new PassContext(d, settings, started, req.dryRun === true);
  const report: ReconcileReport = {
    dryRun: p.dryRun,
    startedAt: started.toISOString(),
    durationMs: 0,
    checked: {},
    continued: [],
    degraded: 0,
    actions: [],
    sweep: { userPools: 0, namespaces: 0, deadLetters: [] },
    notFound: [],
  };
  const emit = (a: ReconcileAction) => {
    report.actions.push(a);
    observer?.action(a);
  };
  const checked = (status: TenantStatus) => {
    report.checked[status] = (report.checked[status] ?? 0) + 1;
  };

  if (req.tenants) {
    // The sweep only ever acts for offboarded tenants and tenant ids without a record: only those are swept.
    const ids = new Set<string>();
    for (const ref of req.tenants) {
      const tenant = await findTenant(d.tenants, ref);
      if (tenant) {
        if (tenant.status === "OFFBOARDED") ids.add(tenant.tenantId);
        checked(tenant.status);
        await checkTenant(p, tenant, emit);
      } else {
        report.notFound.push(ref);
        if (UUID.test(ref)) ids.add(ref.toLowerCase());
      }
    }
    if (ids.size > 0) {
      const swept = await sweep(p, { statuses: {} }, { tenantIds: ids });
      report.sweep = swept.stats;
      await carryOut(p, swept.actions, emit);
    }
  } else {
    const cursor = await d.store.loadCursor();
    for (const status of TENANT_STATUSES) {
      const budget = settings.perStatus[status];
      if (budget === 0) continue;
      const range = rangeOf(status, p);
      const after = validCursor(cursor.statuses[status], range);
      const page = await d.store.page(status, { ...range, limit: budget, after });
      await eachLimited(page.tenants, CONCURRENCY, async (t) => {
        checked(status);
        await checkTenant(p, t, emit);
      });
      cursor.statuses[status] = page.more ? page.last : undefined;
      if (page.more) report.continued.push(status);
    }
    const swept = await sweep(p, cursor);
    report.sweep = swept.stats;
    await carryOut(p, swept.actions, emit);
    Object.assign(cursor, swept.cursor);
    if (!p.dryRun) await d.store.saveCursor(cursor);
  }

  report.degraded = await d.store.count("DEGRADED");
  report.durationMs = (d.now?.() ?? new Date()).getTime() - started.getTime();
  return report;
}

/** Which slice of a status the pass looks at: stalled PROVISIONING/OFFBOARDING, recent OFFBOARDED, all else. */
function rangeOf(status: TenantStatus, p: PassContext): { updatedBefore?: string; updatedAfter?: string } {
  const s: ReconcileSettings = p.settings;
  if (status === "PROVISIONING" || status === "OFFBOARDING")
    return { updatedBefore: p.minutesAgo(s.staleAfterMinutes) };
  if (status === "OFFBOARDED") {
    return { updatedAfter: new Date(p.now.getTime() - s.offboardedWindowDays * DAY).toISOString() };
  }
  return {};
}

/** DynamoDB refuses a start key outside the query's range: a cursor left behind by a moving range is dropped. */
function validCursor(
  cursor: StatusCursor | undefined,
  range: { updatedBefore?: string; updatedAfter?: string },
): StatusCursor | undefined {
  if (!cursor) return undefined;
  if (range.updatedAfter && cursor.updatedAt <= range.updatedAfter) return undefined;
  if (range.updatedBefore && cursor.updatedAt >= range.updatedBefore) return undefined;
  return cursor;
}

/** Runs the tenant's status's checks, carries out the repairs and writes what happened onto the tenant. */
async function checkTenant(
  p: PassContext,
  tenant: Tenant,
  emit: (a: ReconcileAction) => void,
): Promise<void> {
  const c = p.forTenant(tenant);
  const who = { tenantId: tenant.tenantId, slug: tenant.slug, status: tenant.status };
  const findings: Finding[] = [];
  try {
    await repairTenant(p, tenant, c, who, findings, emit);
  } finally {
    // Lifecycle events a crash left in the outbox (or the FAILED a repair just wrote) go out now.
    if (p.d.events && !p.dryRun && ((tenant.outbox?.length ?? 0) > 0 || findings.length > 0)) {
      await publishTenantEvents({ tenants: p.d.tenants, events: p.d.events }, tenant.tenantId).catch(
        () => {},
      );
    }
  }
}

async function repairTenant(
  p: PassContext,
  tenant: Tenant,
  c: ReturnType<PassContext["forTenant"]>,
  who: { tenantId: string; slug: string; status: TenantStatus },
  findings: Finding[],
  emit: (a: ReconcileAction) => void,
): Promise<void> {
  for (const check of INVARIANTS[tenant.status].checks) {
    try {
      findings.push(...(await CHECKERS[check](c)));
    } catch (err) {
      // Could not look (throttled, unreachable): said so; a later pass looks again.
      emit({
        ...who,
        check,
        action: "flag",
        problem: `Could not check ${check}`,
        outcome: "failed",
        error: message(err),
      });
    }
  }
  if (findings.length === 0) return;

  const at = p.now.toISOString();
  const done: Array<{ f: Finding; outcome: ReconcileAction["outcome"]; error?: string }> = [];
  const change: Omit<RecordChange, "entries"> = {};
  for (const f of findings) {
    if (p.dryRun) {
      done.push({ f, outcome: "planned" });
      continue;
    }
    try {
      await f.repair?.();
      Object.assign(change, f.change);
      done.push({ f, outcome: f.result });
    } catch (err) {
      done.push({ f, outcome: "failed", error: message(err) });
    }
  }
  if (!p.dryRun) {
    const entries: ReconcileEntry[] = done.map(({ f, outcome, error }) => ({
      at,
      check: f.check,
      action: f.action,
      outcome: outcome === "planned" ? "flagged" : outcome,
      problem: f.problem,
      ...(error ? { error } : {}),
    }));
    // A condition that stays (flagged, or a repair that keeps failing) is recorded once, not every pass.
    const last = new Map((tenant.reconcile?.entries ?? []).map((e) => [e.check, e]));
    const fresh = entries.filter((e) => {
      const before = last.get(e.check);
      const same =
        before?.action === e.action && before.problem === e.problem && before.outcome === e.outcome;
      return e.outcome === "repaired" || !same;
    });
    try {
      if (fresh.length > 0 || Object.keys(change).length > 0) {
        await p.d.store.record(tenant.tenantId, { entries: fresh, ...change });
      }
    } catch (err) {
      // The repairs happened; only their record (and a status change riding on it) did not.
      for (const x of done) {
        if (x.f.change && x.outcome !== "failed")
          Object.assign(x, { outcome: "failed", error: message(err) });
      }
    }
  }
  for (const { f, outcome, error } of done) {
    emit({
      ...who,
      check: f.check,
      action: f.action,
      problem: f.problem,
      outcome,
      ...(error ? { error } : {}),
    });
  }
}

/** Runs the sweep's repairs and records those about existing (offboarded) tenants on them. */
async function carryOut(p: PassContext, actions: SweepAction[], emit: (a: ReconcileAction) => void) {
  const entriesFor = new Map<string, ReconcileEntry[]>();
  for (const { run, result, ...a } of actions) {
    let outcome: ReconcileAction["outcome"] = p.dryRun ? "planned" : result;
    let error: string | undefined;
    if (!p.dryRun && run) {
      try {
        await run();
      } catch (err) {
        outcome = "failed";
        error = message(err);
      }
    }
    emit({ ...a, outcome, ...(error ? { error } : {}) });
    if (!p.dryRun && a.status && a.tenantId) {
      const list = entriesFor.get(a.tenantId) ?? [];
      list.push({
        at: p.now.toISOString(),
        check: a.check,
        action: a.action,
        outcome: outcome === "planned" ? "flagged" : outcome,
        problem: a.problem,
        ...(error ? { error } : {}),
      });
      entriesFor.set(a.tenantId, list);
    }
  }
  for (const [tenantId, entries] of entriesFor) {
    await p.d.store.record(tenantId, { entries }).catch(() => undefined);
  }
}

async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
