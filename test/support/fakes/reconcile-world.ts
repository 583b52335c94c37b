/**
 * In-memory fakes of every port a reconcile pass uses (core/reconcile/deps.ts), sharing one clock, for unit
 * tests of the reconcile decisions. They keep the ports' contracts: conditional status moves, a by-status
 * index ordered by updatedAt with an exclusive cursor, server-side apply that merges maps and replaces lists
 * (so a key another manager added inside an owned map survives an apply), execution names unique per machine,
 * redrive only of ended executions, pools with tags, DLQ messages hidden while received.
 *
 * Written for the reconciler while the shared fakes (test/support/fakes/) were being added on main; the
 * tenant store here can give way to the shared one.
 */

import type { HistoryEvent } from "@aws-sdk/client-sfn";
import type { KubeObject } from "../../../core/cluster/tenant-objects.js";
import { DEFAULT_PLANS } from "../../../core/plans/catalog.js";
import type {
  DeadLetter,
  DeadLetterQueue,
  ExecutionFacts,
  ExecutionStatus,
  LiveObject,
  ObjectRef,
  PoolFacts,
} from "../../../core/ports.js";
import type { ReconcileDeps } from "../../../core/reconcile/deps.js";
import { applyRecordChange } from "../../../core/reconcile/record.js";
import type {
  ReconcileCursor,
  ReconcileStore,
  RecordChange,
  StatusCursor,
} from "../../../core/reconcile/store.js";
import { TenantNotFoundError } from "../../../core/tenant/errors.js";
import {
  newTenant,
  type OnboardingStep,
  type StepProgress,
  type Tenant,
} from "../../../core/tenant/model.js";
import { allowedPredecessors, illegalTransition, type TenantStatus } from "../../../core/tenant/status.js";
import type { ResourcesPatch, TenantStore } from "../../../core/tenant/store.js";
import { executionName } from "../../../core/workflow/names.js";
import { FakePurgeSchedules } from "./purge-schedules.js";

export class Clock {
  constructor(public t = Date.parse("2026-12-01T12:00:00Z")) {}
  now = (): Date => new Date(this.t);
  iso = (): string => new Date(this.t).toISOString();
  advance(minutes: number): void {
    this.t += minutes * 60_000;
  }
}

const clone = <T>(v: T): T => structuredClone(v);

export class FakeTenantStore implements TenantStore {
  readonly items = new Map<string, Tenant>();
  /** Every write, by method (a no-drift pass must make none). */
  readonly writes: string[] = [];

  constructor(private readonly clock: Clock) {}

  async create(tenant: Tenant): Promise<void> {
    this.items.set(tenant.tenantId, clone(tenant));
  }
  async discard(t: Pick<Tenant, "tenantId">): Promise<void> {
    this.items.delete(t.tenantId);
  }
  async get(id: string): Promise<Tenant | undefined> {
    const t = this.items.get(id);
    return t && clone(t);
  }
  async require(id: string): Promise<Tenant> {
    const t = await this.get(id);
    if (!t) throw new TenantNotFoundError(id);
    return t;
  }
  private readonly pools = new Map<string, string>();

  async linkUserPool(userPoolId: string, tenantId: string): Promise<void> {
    this.writes.push("linkUserPool");
    this.pools.set(userPoolId, tenantId);
  }

  async getByUserPool(userPoolId: string): Promise<Tenant | undefined> {
    const id = this.pools.get(userPoolId);
    return id ? this.get(id) : undefined;
  }

  async unlinkUserPool(userPoolId: string): Promise<void> {
    this.writes.push("unlinkUserPool");
    this.pools.delete(userPoolId);
  }

  /** This world keeps no outbox (the reconciler publishes nothing itself): nothing to remove. */
  async removePublishedEvent(_tenantId: string, _eventId: string): Promise<boolean> {
    return false;
  }

  async getBySlug(slug: string): Promise<Tenant | undefined> {
    return clone([...this.items.values()].find((t) => t.slug === slug));
  }
  async reserveSlug(): Promise<void> {}
  async slugFree(slug: string): Promise<boolean> {
    return !(await this.getBySlug(slug));
  }
  async list(filter: { status?: TenantStatus } = {}): Promise<Tenant[]> {
    return [...this.items.values()].filter((t) => !filter.status || t.status === filter.status).map(clone);
  }
  private change(id: string, method: string, f: (t: Tenant) => void): void {
    const t = this.items.get(id);
    if (!t) throw new TenantNotFoundError(id);
    f(t);
    t.updatedAt = this.clock.iso();
    t.version += 1;
    this.writes.push(method);
  }
  async markStep(
    id: string,
    step: OnboardingStep,
    status: StepProgress["status"],
    opts: { countAttempt?: boolean; error?: { name: string; message: string } } = {},
  ): Promise<void> {
    this.change(id, "markStep", (t) => {
      const p = t.steps[step];
      t.steps[step] = {
        status,
        at: this.clock.iso(),
        attempts: p.attempts + (opts.countAttempt ? 1 : 0),
        ...(opts.error ? { error: opts.error } : {}),
      };
    });
  }
  async recordExport(id: string, exported: NonNullable<Tenant["export"]>): Promise<void> {
    this.change(id, "recordExport", (t) => {
      t.export = clone(exported);
    });
  }
  async recordEmailSent(id: string, key: string, sent: { messageId: string; at: string }): Promise<void> {
    this.change(id, "recordEmailSent", (t) => {
      t.mailSent = { [key]: clone(sent), ...t.mailSent };
    });
  }
  async setResources(id: string, patch: ResourcesPatch): Promise<void> {
    this.change(id, "setResources", (t) => Object.assign(t.resources, patch));
  }
  /** The reconciler runs no onboarding step: the long way (undefined) is enough here. */
  async startStep(): Promise<Tenant | undefined> {
    return undefined;
  }
  async transition(
    id: string,
    to: TenantStatus,
    extra: { failure?: Tenant["failure"]; clearFailure?: boolean; set?: Record<string, unknown> } = {},
  ): Promise<boolean> {
    const t = await this.require(id);
    if (!allowedPredecessors(to).includes(t.status)) {
      if (t.status === to) return false;
      throw illegalTransition(t.status, to);
    }
    this.change(id, "transition", (x) => {
      x.status = to;
      if (extra.failure) x.failure = extra.failure;
      if (extra.clearFailure) delete x.failure;
      Object.assign(x, extra.set);
    });
    return true;
  }
  async putPipelineWaiter(): Promise<void> {}
  async getPipelineWaiter(): Promise<string | undefined> {
    return undefined;
  }
  async deletePipelineWaiter(): Promise<void> {}
  async putRunWaiter(): Promise<void> {}
  async getRunWaiter() {
    return undefined;
  }
  async deleteRunWaiter(): Promise<void> {}
  async getLifecycleRun() {
    return undefined;
  }
  async putLifecycleRun(): Promise<void> {}
}

const key = (t: { updatedAt: string; pk: string }) => `${t.updatedAt}|${t.pk}`;

export class FakeReconcileStore implements ReconcileStore {
  cursor: ReconcileCursor = { statuses: {} };
  cursorWrites = 0;

  constructor(
    private readonly tenants: FakeTenantStore,
    private readonly clock: Clock,
  ) {}

  async page(
    status: TenantStatus,
    opts: { updatedBefore?: string; updatedAfter?: string; limit: number; after?: StatusCursor },
  ) {
    const all = [...this.tenants.items.values()]
      .filter((t) => t.status === status)
      .filter((t) => !opts.updatedBefore || t.updatedAt < opts.updatedBefore)
      .filter((t) => !opts.updatedAfter || t.updatedAt > opts.updatedAfter)
      .map((t) => ({ t, k: key({ updatedAt: t.updatedAt, pk: `TENANT#${t.tenantId}` }) }))
      .sort((a, b) => a.k.localeCompare(b.k));
    const from = opts.after ? all.findIndex((x) => x.k > key(opts.after!)) : 0;
    const rest = from < 0 ? [] : all.slice(from);
    const page = rest.slice(0, opts.limit);
    const last = page.at(-1)?.t;
    return {
      tenants: page.map((x) => clone(x.t)),
      ...(last ? { last: { pk: `TENANT#${last.tenantId}`, status, updatedAt: last.updatedAt } } : {}),
      more: rest.length > page.length,
    };
  }
  async count(status: TenantStatus): Promise<number> {
    return [...this.tenants.items.values()].filter((t) => t.status === status).length;
  }
  async statuses(ids: readonly string[]): Promise<Map<string, TenantStatus>> {
    return new Map(
      ids.flatMap((id) => {
        const t = this.tenants.items.get(id);
        return t ? [[id, t.status] as const] : [];
      }),
    );
  }
  async loadCursor(): Promise<ReconcileCursor> {
    return clone(this.cursor);
  }
  async saveCursor(c: ReconcileCursor): Promise<void> {
    this.cursor = clone(c);
    this.cursorWrites += 1;
  }
  async record(tenantId: string, change: RecordChange) {
    const t = this.tenants.items.get(tenantId);
    if (!t) return { recorded: false };
    const r = applyRecordChange(t, change, this.clock.iso());
    t.reconcile = r.reconcile;
    t.status = r.status;
    if (r.failure) t.failure = r.failure;
    t.updatedAt = this.clock.iso();
    t.version += 1;
    this.tenants.writes.push("record");
    return { recorded: true, status: r.status };
  }
}

interface FakePool {
  name: string;
  tenantId?: string;
  managed: boolean;
  created: Date;
  clients: Set<string>;
  /** Users able to sign in (a CANCELLED tenant's must be none). */
  enabledUsers?: number;
}

export class FakeIdentity {
  readonly pools = new Map<string, FakePool>();
  readonly calls: string[] = [];
  private seq = 0;

  constructor(private readonly clock: Clock) {}

  /** A pool as onboarding makes it (named and tagged for the tenant) with its app client. */
  addPool(
    tenantId: string,
    opts: { tagged?: boolean; created?: Date } = {},
  ): { poolId: string; clientId: string } {
    const poolId = `us-east-1_pool${++this.seq}`;
    const clientId = `client${this.seq}`;
    const tagged = opts.tagged ?? true;
    this.pools.set(poolId, {
      name: `embark-tenant-${tenantId}`,
      ...(tagged ? { tenantId } : {}),
      managed: tagged,
      created: opts.created ?? this.clock.now(),
      clients: new Set([clientId]),
    });
    return { poolId, clientId };
  }

  async describePool(id: string): Promise<PoolFacts | undefined> {
    this.calls.push(`describePool ${id}`);
    const p = this.pools.get(id);
    if (!p) return undefined;
    return {
      id,
      name: p.name,
      namedFor: p.name.replace("embark-tenant-", ""),
      tenantId: p.tenantId,
      managedByEmbark: p.managed,
      created: p.created,
    };
  }
  async enabledUsers(poolId: string): Promise<number> {
    this.calls.push(`enabledUsers ${poolId}`);
    return this.pools.get(poolId)?.enabledUsers ?? 0;
  }
  async setUsersEnabled(poolId: string, enabled: boolean): Promise<void> {
    this.calls.push(`setUsersEnabled ${poolId} ${enabled}`);
    const p = this.pools.get(poolId);
    if (p) p.enabledUsers = enabled ? 1 : 0;
  }
  async appClientExists(poolId: string, clientId: string): Promise<boolean> {
    this.calls.push(`appClientExists ${poolId}`);
    return this.pools.get(poolId)?.clients.has(clientId) ?? false;
  }
  async ensureAppClient(poolId: string, known?: string): Promise<string> {
    this.calls.push(`ensureAppClient ${poolId}`);
    const p = this.pools.get(poolId);
    if (!p)
      throw Object.assign(new Error(`pool ${poolId} does not exist`), { name: "ResourceNotFoundException" });
    if (known && p.clients.has(known)) return known;
    const id = `client${++this.seq}`;
    p.clients.add(id);
    return id;
  }
  async listPools(page: { token?: string; max: number }) {
    this.calls.push("listPools");
    const all = [...this.pools.entries()];
    const start = Number(page.token ?? 0);
    const slice = all.slice(start, start + page.max);
    return {
      pools: slice.map(([id, p]) => ({
        id,
        name: p.name,
        namedFor: p.name.replace("embark-tenant-", ""),
        managedByEmbark: false,
        created: p.created,
      })),
      ...(start + page.max < all.length ? { next: String(start + page.max) } : {}),
    };
  }
  async deleteTenantIdentity(id: string): Promise<void> {
    this.calls.push(`deletePool ${id}`);
    this.pools.delete(id);
  }
}

const objectKey = (o: ObjectRef) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Server-side apply as the API server does it for a forced apply: maps merged, lists (atomic) replaced. */
function merge(live: unknown, applied: unknown): unknown {
  if (!isRecord(live) || !isRecord(applied)) return clone(applied);
  const out: Record<string, unknown> = { ...clone(live) };
  for (const [k, v] of Object.entries(applied)) out[k] = merge(live[k], v);
  return out;
}

export class FakeCluster {
  readonly objects = new Map<string, LiveObject>();
  readonly writes: string[] = [];

  constructor(private readonly clock: Clock) {}

  async apply(objects: ReadonlyArray<Record<string, unknown>>): Promise<void> {
    for (const o of objects as unknown as KubeObject[]) {
      if (o.metadata.namespace && !this.objects.has(`Namespace//${o.metadata.namespace}`)) {
        throw Object.assign(new Error(`namespaces "${o.metadata.namespace}" not found`), { status: 404 });
      }
      const k = objectKey(o);
      const live = this.objects.get(k);
      const next = merge(live, o) as LiveObject;
      (next.metadata as Record<string, unknown>).creationTimestamp ??= this.clock.iso();
      this.objects.set(k, next);
      this.writes.push(`apply ${k}`);
    }
  }
  async read(objects: readonly ObjectRef[]) {
    return objects.map((o) => {
      const live = this.objects.get(objectKey(o));
      return live && clone(live);
    });
  }
  async listManagedNamespaces(page: { limit: number; continue?: string; tenantId?: string }) {
    const all = [...this.objects.values()]
      .filter(
        (o) => o.kind === "Namespace" && o.metadata.labels?.["app.kubernetes.io/managed-by"] === "embark",
      )
      .filter((o) => !page.tenantId || o.metadata.labels?.["embark.io/tenant-id"] === page.tenantId)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .filter((o) => !page.continue || o.metadata.name > page.continue);
    const slice = all.slice(0, page.limit);
    return {
      namespaces: slice.map((o) => ({
        name: o.metadata.name,
        tenantId: o.metadata.labels?.["embark.io/tenant-id"],
        created: new Date(String((o.metadata as Record<string, unknown>).creationTimestamp)),
        terminating: o.metadata.deletionTimestamp !== undefined,
      })),
      ...(all.length > slice.length ? { continue: slice.at(-1)!.metadata.name } : {}),
    };
  }
  /** Deletion finishes at once here: the namespace and everything in it are gone. */
  async startNamespaceDelete(namespace: string): Promise<void> {
    for (const [k, o] of this.objects) {
      if (o.metadata.namespace === namespace || k === `Namespace//${namespace}`) this.objects.delete(k);
    }
    this.writes.push(`delete Namespace//${namespace}`);
  }
  async remove(o: ObjectRef): Promise<void> {
    this.objects.delete(objectKey(o));
    this.writes.push(`delete ${objectKey(o)}`);
  }
  /** An edit as kubectl would make it (another manager), bypassing apply. */
  edit(o: ObjectRef, f: (live: LiveObject) => void): void {
    const live = this.objects.get(objectKey(o));
    if (!live) throw new Error(`no ${objectKey(o)}`);
    f(live);
  }
}

interface FakeExecution {
  arn: string;
  name: string;
  input: string;
  status: ExecutionStatus;
  redriveCount: number;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
}

export class FakeWorkflows {
  readonly executions = new Map<string, FakeExecution>();
  readonly calls: string[] = [];

  async start(stateMachineArn: string, name: string, input: unknown): Promise<string> {
    const arn = `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
    this.calls.push(`start ${name}`);
    const json = JSON.stringify(input);
    const existing = this.executions.get(arn);
    if (existing) {
      if (existing.input === json) return arn;
      throw Object.assign(new Error(`Execution ${name} already exists`), { name: "ExecutionAlreadyExists" });
    }
    this.executions.set(arn, { arn, name, input: json, status: "RUNNING", redriveCount: 0, history: [] });
    return arn;
  }
  async describe(stateMachineArn: string, name: string): Promise<ExecutionFacts | undefined> {
    const e = this.executions.get(`${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`);
    return (
      e && {
        executionArn: e.arn,
        status: e.status,
        redriveCount: e.redriveCount,
        error: e.error,
        cause: e.cause,
      }
    );
  }
  async redrive(arn: string): Promise<void> {
    const e = this.executions.get(arn);
    if (!e || !["FAILED", "TIMED_OUT", "ABORTED"].includes(e.status)) {
      throw Object.assign(new Error(`Execution ${arn} is not redrivable`), {
        name: "ExecutionNotRedrivable",
      });
    }
    this.calls.push(`redrive ${e.name}`);
    e.status = "RUNNING";
    e.redriveCount += 1;
  }
  async history(arn: string): Promise<HistoryEvent[]> {
    return this.executions.get(arn)?.history ?? [];
  }
  /** An execution that ended, stopped in the state `stoppedIn`. */
  ended(
    stateMachineArn: string,
    name: string,
    input: unknown,
    status: ExecutionStatus,
    opts: { stoppedIn?: string; error?: string; cause?: string; redriveCount?: number } = {},
  ): void {
    const arn = `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
    this.executions.set(arn, {
      arn,
      name,
      input: JSON.stringify(input),
      status,
      redriveCount: opts.redriveCount ?? 0,
      ...(opts.error ? { error: opts.error } : {}),
      ...(opts.cause ? { cause: opts.cause } : {}),
      history: opts.stoppedIn ? [{ stateEnteredEventDetails: { name: opts.stoppedIn } } as HistoryEvent] : [],
    });
  }
}

export class FakePipeline {
  readonly runs = new Map<string, "InProgress" | "Succeeded" | "Stopped">();
  async status(id: string) {
    return { status: this.runs.get(id) ?? "Succeeded" };
  }
  async stop(id: string): Promise<void> {
    if (this.runs.get(id) === "InProgress") this.runs.set(id, "Stopped");
  }
}

export class FakeDeadLetterQueue implements DeadLetterQueue {
  readonly messages: Array<{ body: unknown; receipt: string; sentAt: Date; hidden: boolean }> = [];
  private seq = 0;

  constructor(readonly name: string) {}

  add(body: unknown, sentAt: Date): void {
    this.messages.push({ body, receipt: `r${++this.seq}`, sentAt, hidden: false });
  }
  async depth(): Promise<number> {
    return this.messages.length;
  }
  async receive(max: number): Promise<DeadLetter[]> {
    const got = this.messages.filter((m) => !m.hidden).slice(0, max);
    for (const m of got) m.hidden = true;
    return got.map((m) => ({ body: m.body, receipt: m.receipt, sentAt: m.sentAt }));
  }
  async remove(receipt: string): Promise<void> {
    const i = this.messages.findIndex((m) => m.receipt === receipt);
    if (i >= 0) this.messages.splice(i, 1);
  }
  async release(receipt: string): Promise<void> {
    const m = this.messages.find((x) => x.receipt === receipt);
    if (m) m.hidden = false;
  }
}

export const ONBOARDING_ARN = "arn:aws:states:us-east-1:000000000000:stateMachine:embark-onboarding";
export const OFFBOARD_ARN = "arn:aws:states:us-east-1:000000000000:stateMachine:embark-offboard";

/** Everything a pass needs, in memory, and helpers to put tenants into it. */
export class ReconcileWorld {
  readonly clock = new Clock();
  readonly tenants = new FakeTenantStore(this.clock);
  readonly store = new FakeReconcileStore(this.tenants, this.clock);
  readonly identity = new FakeIdentity(this.clock);
  readonly cluster = new FakeCluster(this.clock);
  readonly workflows = new FakeWorkflows();
  readonly pipeline = new FakePipeline();
  readonly signupsDlq = new FakeDeadLetterQueue("embark-signups-dlq");
  readonly purgeSchedules = new FakePurgeSchedules();
  /** The billing router's applyParked, as the reconciler calls it: takes the parked events off the tenant. */
  readonly parkedBilling = {
    applied: [] as string[],
    apply: async (tenantId: string) => {
      const t = this.tenants.items.get(tenantId);
      for (const id of Object.keys(t?.billing?.parked ?? {})) this.parkedBilling.applied.push(id);
      if (t?.billing) t.billing.parked = {};
    },
  };
  private seq = 0;

  get deps(): ReconcileDeps {
    return {
      tenants: this.tenants,
      store: this.store,
      plans: { list: async () => DEFAULT_PLANS.map(clone) },
      identity: this.identity,
      cluster: async () => this.cluster,
      workflows: this.workflows,
      pipeline: this.pipeline,
      deadLetters: [this.signupsDlq],
      onboardingStateMachineArn: ONBOARDING_ARN,
      offboardStateMachineArn: OFFBOARD_ARN,
      purgeSchedules: this.purgeSchedules,
      parkedBilling: this.parkedBilling,
      now: this.clock.now,
    };
  }

  /** A tenant record in `status` (nothing else made), last changed `ageMinutes` ago. */
  async tenant(
    status: TenantStatus,
    opts: { ageMinutes?: number; plan?: string; slug?: string } = {},
  ): Promise<Tenant> {
    const n = ++this.seq;
    const at = new Date(this.clock.t - (opts.ageMinutes ?? 60) * 60_000);
    const t = newTenant({
      slug: opts.slug ?? `tenant-${n}`,
      companyName: `Tenant ${n}`,
      adminEmail: `admin${n}@example.test`,
      plan: opts.plan ?? "standard",
      now: at,
    });
    t.status = status;
    await this.tenants.create(t);
    return t;
  }

  /** A tenant with everything onboarding makes: pool, client, namespace and guard rails as its plan says. */
  async provisioned(
    status: "ACTIVE" | "SUSPENDED" | "CANCELLED" = "ACTIVE",
    opts: { ageMinutes?: number; plan?: string } = {},
  ) {
    const t = await this.tenant(status, opts);
    const { poolId, clientId } = this.identity.addPool(t.tenantId);
    const plan = DEFAULT_PLANS.find((p) => p.id === t.plan)!;
    const { tenantObjects } = await import("../../../core/cluster/tenant-objects.js");
    await this.cluster.apply(
      tenantObjects({ tenantId: t.tenantId, slug: t.slug, plan, suspended: status !== "ACTIVE" }),
    );
    const stored = this.tenants.items.get(t.tenantId)!;
    stored.resources = { userPoolId: poolId, userPoolClientId: clientId, namespace: `tenant-${t.slug}` };
    this.cluster.writes.length = 0;
    this.tenants.writes.length = 0;
    return clone(stored);
  }

  onboardingName(t: Pick<Tenant, "slug">): string {
    return executionName(t.slug, "onboard", 1);
  }

  get(tenantId: string): Tenant {
    return clone(this.tenants.items.get(tenantId)!);
  }

  /** Everything the fakes hold, for before/after comparisons. */
  snapshot(): unknown {
    return clone({
      tenants: [...this.tenants.items.entries()],
      cursor: this.store.cursor,
      pools: [...this.identity.pools.entries()].map(([id, p]) => [id, { ...p, clients: [...p.clients] }]),
      objects: [...this.cluster.objects.entries()],
      executions: [...this.workflows.executions.entries()],
      runs: [...this.pipeline.runs.entries()],
      dlq: this.signupsDlq.messages,
    });
  }
}
