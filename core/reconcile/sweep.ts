/**
 * The pass-wide sweep: resources labelled or named as Embark's, read a bounded page at a time (one
 * ListUserPools page, one namespace list page, a few dead letters per DLQ), matched with the tenants they
 * name. A tenant that is OFFBOARDED has leftovers: removed now. A tenant that does not exist has orphans:
 * reported, and deleted once older than the grace period (a pool is confirmed by its tags first).
 */
import type { TenantStatus } from "../tenant/status.js";
import type { PassContext } from "./context.js";
import type { ReconcileAction } from "./report.js";
import type { ReconcileCursor } from "./store.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Dead letters stay hidden from other readers this long while the sweep decides about them. */
const HIDE_SECONDS = 30;
/** ListUserPools pages a targeted pass reads to find one tenant's pools (60 each). */
const TARGETED_POOL_PAGES = 20;

/** An action the sweep wants done: `run` is the repair (skipped in a dry run). */
export interface SweepAction extends Omit<ReconcileAction, "outcome"> {
  run?: () => Promise<void>;
  result: "repaired" | "flagged";
}

export interface SweepResult {
  actions: SweepAction[];
  cursor: Pick<ReconcileCursor, "userPools" | "namespaces">;
  stats: {
    userPools: number;
    namespaces: number;
    deadLetters: Array<{ queue: string; depth: number; inspected: number }>;
  };
}

/** Only these tenant ids (a targeted pass); otherwise every tenant the pages name. */
export interface SweepScope {
  tenantIds?: ReadonlySet<string>;
}

/** Pool pages to sweep: one page per pass (all pages, bounded, for a targeted pass). */
async function poolsToSweep(p: PassContext, cursor: ReconcileCursor, scope: SweepScope) {
  const max = p.settings.sweep.userPools;
  if (max === 0) return { pools: [], next: cursor.userPools };
  if (scope.tenantIds) {
    const pools = [];
    let token: string | undefined;
    for (let i = 0; i < TARGETED_POOL_PAGES; i++) {
      const page = await p.d.identity.listPools({ token, max });
      pools.push(...page.pools);
      token = page.next;
      if (!token) break;
    }
    return { pools, next: cursor.userPools };
  }
  // On AWS a page holds at most `max`; cognito-local answers with every pool at once, so the offset remembers
  // how far into a page the sweep got.
  const at = cursor.userPools ?? {};
  const page = await p.d.identity.listPools({ token: at.token, max });
  const offset = at.offset ?? 0;
  const pools = page.pools.slice(offset, offset + max);
  const next =
    offset + pools.length < page.pools.length
      ? { token: at.token, offset: offset + pools.length }
      : page.next
        ? { token: page.next }
        : undefined;
  return { pools, next };
}

/** One page of Embark's namespaces (each asked-for tenant's, for a targeted pass). */
async function namespacesToSweep(p: PassContext, cursor: ReconcileCursor, scope: SweepScope) {
  const limit = p.settings.sweep.namespaces;
  const cluster = await p.cluster();
  if (limit === 0) return { namespaces: [], continue: cursor.namespaces };
  if (scope.tenantIds) {
    const pages = await Promise.all(
      [...scope.tenantIds].map((tenantId) => cluster.listManagedNamespaces({ limit, tenantId })),
    );
    return { namespaces: pages.flatMap((pg) => pg.namespaces), continue: cursor.namespaces };
  }
  return cluster.listManagedNamespaces({ limit, continue: cursor.namespaces });
}

export async function sweep(
  p: PassContext,
  cursor: ReconcileCursor,
  scope: SweepScope = {},
): Promise<SweepResult> {
  const { d, settings } = p;
  const inScope = (id: string | undefined): id is string =>
    id !== undefined && (!scope.tenantIds || scope.tenantIds.has(id));
  const actions: SweepAction[] = [];

  const { pools, next: nextPools } = await poolsToSweep(p, cursor, scope);
  const cluster = await p.cluster();
  const nsPage = await namespacesToSweep(p, cursor, scope);

  const poolTenant = (id: string | undefined) => (id && UUID.test(id) ? id : undefined);
  const ids = new Set<string>();
  for (const pool of pools) {
    const id = poolTenant(pool.namedFor);
    if (inScope(id)) ids.add(id);
  }
  for (const ns of nsPage.namespaces) if (inScope(ns.tenantId)) ids.add(ns.tenantId);
  const statuses = ids.size > 0 ? await d.store.statuses([...ids]) : new Map<string, TenantStatus>();

  const graceMs = settings.orphanGraceMinutes * 60_000;
  const judge = (tenantId: string, created: Date | undefined) => {
    const status = statuses.get(tenantId);
    if (status === "OFFBOARDED") return { kind: "leftover" as const, status };
    if (status !== undefined) return undefined;
    return p.ageOf(created) >= graceMs ? { kind: "orphan" as const } : { kind: "young" as const };
  };
  const graceNote = (created: Date | undefined) =>
    `deleted once ${settings.orphanGraceMinutes} min old (now ${Math.floor(p.ageOf(created) / 60_000)} min)`;

  for (const pool of pools) {
    const tenantId = poolTenant(pool.namedFor);
    if (!inScope(tenantId)) continue;
    const verdict = judge(tenantId, pool.created);
    if (!verdict) continue;
    const base = { tenantId, resource: pool.id };
    if (verdict.kind === "young") {
      actions.push({
        ...base,
        check: "orphan-user-pool",
        action: "await-grace",
        problem: `User pool ${pool.id} belongs to tenant ${tenantId}, which does not exist; ${graceNote(pool.created)}`,
        result: "flagged",
      });
      continue;
    }
    // Named like ours is not enough: only a pool tagged as this tenant's is deleted.
    const remove = async () => {
      const facts = await d.identity.describePool(pool.id);
      if (!facts) return;
      if (!facts.managedByEmbark || facts.tenantId !== tenantId) {
        throw new Error(`User pool ${pool.id} is not tagged as tenant ${tenantId}'s: left alone`);
      }
      await d.identity.deleteTenantIdentity(pool.id);
    };
    actions.push(
      verdict.kind === "leftover"
        ? {
            ...base,
            status: "OFFBOARDED",
            check: "no-user-pool",
            action: "delete-user-pool",
            problem: `User pool ${pool.id} of the offboarded tenant still exists`,
            result: "repaired",
            run: remove,
          }
        : {
            ...base,
            check: "orphan-user-pool",
            action: "delete-user-pool",
            problem: `User pool ${pool.id} belongs to tenant ${tenantId}, which does not exist`,
            result: "repaired",
            run: remove,
          },
    );
  }

  for (const ns of nsPage.namespaces) {
    if (!inScope(ns.tenantId) || ns.terminating) continue;
    const verdict = judge(ns.tenantId, ns.created);
    if (!verdict) continue;
    const base = { tenantId: ns.tenantId, resource: ns.name };
    if (verdict.kind === "young") {
      actions.push({
        ...base,
        check: "orphan-namespace",
        action: "await-grace",
        problem: `Namespace ${ns.name} is labelled for tenant ${ns.tenantId}, which does not exist; ${graceNote(ns.created)}`,
        result: "flagged",
      });
      continue;
    }
    actions.push({
      ...base,
      ...(verdict.kind === "leftover" ? { status: "OFFBOARDED" as const } : {}),
      check: verdict.kind === "leftover" ? "no-namespace" : "orphan-namespace",
      action: "delete-namespace",
      problem:
        verdict.kind === "leftover"
          ? `Namespace ${ns.name} of the offboarded tenant still exists`
          : `Namespace ${ns.name} is labelled for tenant ${ns.tenantId}, which does not exist`,
      result: "repaired",
      run: () => cluster.startNamespaceDelete(ns.name),
    });
  }

  const deadLetters = await sweepDeadLetters(p, scope, actions);
  return {
    actions,
    cursor: { userPools: nextPools, namespaces: nsPage.continue },
    stats: { userPools: pools.length, namespaces: nsPage.namespaces.length, deadLetters },
  };
}

/**
 * Messages about offboarded tenants (or tenants that do not exist, past the grace period) are deleted from the
 * DLQs; the others are made visible again for operators. A dry run only reads each DLQ's depth: receiving
 * would hide messages and count a receive.
 */
async function sweepDeadLetters(p: PassContext, scope: SweepScope, actions: SweepAction[]) {
  const { d, settings } = p;
  const stats: Array<{ queue: string; depth: number; inspected: number }> = [];
  for (const queue of d.deadLetters) {
    const depth = await queue.depth();
    const stat = { queue: queue.name, depth, inspected: 0 };
    stats.push(stat);
    if (depth === 0 || p.dryRun || settings.sweep.deadLetters === 0) continue;
    const letters = await queue.receive(settings.sweep.deadLetters, HIDE_SECONDS);
    stat.inspected = letters.length;
    const tenantOf = (body: unknown) => {
      const id = (body as { tenantId?: unknown } | null)?.tenantId;
      return typeof id === "string" ? id : undefined;
    };
    const ids = [...new Set(letters.map((l) => tenantOf(l.body)).filter((id): id is string => !!id))];
    const statuses = ids.length > 0 ? await d.store.statuses(ids) : new Map<string, TenantStatus>();
    for (const letter of letters) {
      const tenantId = tenantOf(letter.body);
      const status = tenantId ? statuses.get(tenantId) : undefined;
      const inScope = tenantId !== undefined && (!scope.tenantIds || scope.tenantIds.has(tenantId));
      const orphan = status === undefined && p.ageOf(letter.sentAt) >= settings.orphanGraceMinutes * 60_000;
      if (!inScope || !(status === "OFFBOARDED" || orphan)) {
        await queue.release(letter.receipt);
        continue;
      }
      actions.push({
        tenantId,
        resource: queue.name,
        ...(status ? { status } : {}),
        check: status ? "no-dead-letters" : "orphan-dead-letter",
        action: "delete-dead-letter",
        problem: status
          ? `A message about the offboarded tenant is in ${queue.name}`
          : `A message about tenant ${tenantId}, which does not exist, is in ${queue.name}`,
        result: "repaired",
        run: () => queue.remove(letter.receipt),
      });
    }
  }
  return stats;
}
