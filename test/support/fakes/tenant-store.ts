/**
 * An in-memory TenantStore (core/tenant/store.ts) for unit tests, holding the same items as the DynamoDB
 * adapter (core/adapters/tenant-store.ts): TENANT#<id>, SLUG#<slug>, WAITER#<id>, RUNWAITER#<run>,
 * LIFECYCLERUN#<key>, POOL#<pool>, in `items`, which the fake billing records write to as well (one table).
 *
 * Copies from the adapter: the conditional slug claim (SlugTakenError) and a create that never overwrites a
 * tenant; discard releasing only its own slug; require → TenantNotFoundError; updates only of an existing
 * tenant (TenantNotFoundError); transition conditional on allowedPredecessors(to), false for a duplicate and
 * illegalTransition() otherwise, appending its lifecycle event to the outbox (removed oldest first); markStep's attempts, error (message cut at 1000 characters) and its removal; recordEmailSent keeping the first send recorded;
 * `version` + 1 and `updatedAt` on every write; reads through Tenant.parse (unknown attributes stripped, an
 * invalid record throws); list newest first. Every write checks and writes with no await in between, so it is
 * atomic like a conditional UpdateItem. Items are copied in and out: callers never share objects with it.
 * Does not copy: DynamoDB's item size and type limits, scan pagination, eventual consistency (the adapter reads
 * consistently anyway). test/core/tenant/store-contract.ts holds both to the same cases.
 *
 * Points (see recording.ts): every method's name.
 */
import { SlugTakenError, TenantNotFoundError } from "../../../core/tenant/errors.js";
import { type TenantEvent, type TenantEventCause, tenantEventFor } from "../../../core/tenant/events.js";
import {
  type OnboardingStep,
  type StepProgress,
  Tenant,
  type TenantExport,
} from "../../../core/tenant/model.js";
import { allowedPredecessors, illegalTransition, type TenantStatus } from "../../../core/tenant/status.js";
import type { ResourcesPatch, TenantStore } from "../../../core/tenant/store.js";
import { Recording, sdkError } from "./recording.js";

export type Item = Record<string, unknown>;
type TenantItem = Item & {
  status: TenantStatus;
  version?: number;
  steps: Record<string, Item>;
  resources: Item;
};

export const tenantKey = (tenantId: string) => `TENANT#${tenantId}`;
const slugKey = (slug: string) => `SLUG#${slug}`;
const waiterKey = (tenantId: string) => `WAITER#${tenantId}`;
const runWaiterKey = (run: string) => `RUNWAITER#${run}`;
const lifecycleRunKey = (runKey: string) => `LIFECYCLERUN#${runKey}`;
const poolKey = (userPoolId: string) => `POOL#${userPoolId}`;

/** The adapter's outbox (core/adapters/tenant-outbox.ts): the event appended, `eventVersion` advanced. */
export function appendEvent(t: Item, event: TenantEvent | undefined): void {
  if (!event) return;
  t.outbox = [...((t.outbox as unknown[]) ?? []), structuredClone(event)];
  t.eventVersion = event.detail.version;
}

const now = () => new Date().toISOString();

/** DynamoDB's answer to an update of a nested path whose parent map does not exist. */
export const invalidPath = () =>
  sdkError("ValidationException", {
    message: "The document path provided in the update expression is invalid for update",
  });

export class FakeTenantStore extends Recording<keyof TenantStore> implements TenantStore {
  /** The table's items by key, as DynamoDB would hold them. */
  readonly items = new Map<string, Item>();

  async create(tenant: Tenant): Promise<void> {
    await this.record("create", [tenant]);
    const claim = this.items.get(slugKey(tenant.slug));
    const over = typeof claim?.reservedUntil === "string" && claim.reservedUntil < now();
    if (claim && claim.tenantId !== tenant.tenantId && !over) throw new SlugTakenError(tenant.slug);
    this.put(slugKey(tenant.slug), {
      entity: "slug",
      tenantId: tenant.tenantId,
      createdAt: tenant.createdAt,
    });
    if (!this.items.has(tenantKey(tenant.tenantId))) {
      this.put(tenantKey(tenant.tenantId), { entity: "tenant", ...tenant });
    }
  }

  async discard(tenant: Pick<Tenant, "tenantId" | "slug">): Promise<void> {
    await this.record("discard", [tenant]);
    this.items.delete(tenantKey(tenant.tenantId));
    if (this.items.get(slugKey(tenant.slug))?.tenantId === tenant.tenantId) {
      this.items.delete(slugKey(tenant.slug));
    }
  }

  async get(tenantId: string): Promise<Tenant | undefined> {
    await this.record("get", [tenantId]);
    return this.read(tenantId);
  }

  async require(tenantId: string): Promise<Tenant> {
    await this.record("require", [tenantId]);
    const tenant = this.read(tenantId);
    if (!tenant) throw new TenantNotFoundError(tenantId);
    return tenant;
  }

  async reserveSlug(slug: string, tenantId: string, until: string): Promise<void> {
    await this.record("reserveSlug", [slug, tenantId, until]);
    const claim = this.items.get(slugKey(slug));
    if (claim?.tenantId === tenantId) claim.reservedUntil = until;
  }

  async slugFree(slug: string, at = new Date(now())): Promise<boolean> {
    await this.record("slugFree", [slug]);
    const claim = this.items.get(slugKey(slug));
    return !claim || (typeof claim.reservedUntil === "string" && claim.reservedUntil < at.toISOString());
  }

  async getBySlug(slug: string): Promise<Tenant | undefined> {
    await this.record("getBySlug", [slug]);
    const tenantId = this.items.get(slugKey(slug))?.tenantId;
    return typeof tenantId === "string" ? this.read(tenantId) : undefined;
  }

  async list(filter: { status?: TenantStatus } = {}): Promise<Tenant[]> {
    await this.record("list", [filter]);
    return [...this.items.values()]
      .filter((item) => item.entity === "tenant" && (!filter.status || item.status === filter.status))
      .map((item) => Tenant.parse(structuredClone(item)))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async markStep(
    tenantId: string,
    step: OnboardingStep,
    status: StepProgress["status"],
    opts: {
      countAttempt?: boolean;
      error?: { name: string; message: string };
      resources?: ResourcesPatch;
    } = {},
  ): Promise<void> {
    await this.record("markStep", [tenantId, step, status, opts]);
    const t = this.existing(tenantId);
    const progress = t.steps[step];
    if (!progress) throw invalidPath();
    const resources = Object.entries(opts.resources ?? {}).filter(([, v]) => v !== undefined);
    Object.assign(t.resources, structuredClone(Object.fromEntries(resources)));
    const at = now();
    progress.status = status;
    progress.at = at;
    if (opts.countAttempt) progress.attempts = (progress.attempts as number) + 1;
    if (opts.error) progress.error = { name: opts.error.name, message: opts.error.message.slice(0, 1000) };
    else delete progress.error;
    bump(t, at);
  }

  async recordExport(tenantId: string, exported: TenantExport): Promise<void> {
    await this.record("recordExport", [tenantId, exported]);
    const t = this.existing(tenantId);
    t.export = structuredClone(exported);
    bump(t, now());
  }

  async recordEmailSent(
    tenantId: string,
    key: string,
    sent: { messageId: string; at: string },
  ): Promise<void> {
    await this.record("recordEmailSent", [tenantId, key, sent]);
    const t = this.existing(tenantId);
    const mailSent = { ...(t.mailSent as Record<string, unknown> | undefined) };
    mailSent[key] ??= structuredClone(sent);
    t.mailSent = mailSent;
    bump(t, now());
  }

  async startStep(
    tenantId: string,
    step: OnboardingStep,
    status: "running" | "done" = "running",
  ): Promise<Tenant | undefined> {
    await this.record("startStep", [tenantId, step, status]);
    const t = this.tenantItem(tenantId);
    const progress = t?.steps[step];
    if (!t || !progress || ["FAILED", "OFFBOARDING", "OFFBOARDED"].includes(t.status)) return undefined;
    const at = now();
    progress.status = status;
    progress.at = at;
    progress.attempts = (progress.attempts as number) + 1;
    delete progress.error;
    bump(t, at);
    return this.read(tenantId);
  }

  async setResources(tenantId: string, patch: ResourcesPatch): Promise<void> {
    await this.record("setResources", [tenantId, patch]);
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return;
    const t = this.existing(tenantId);
    Object.assign(t.resources, Object.fromEntries(entries));
    bump(t, now());
  }

  async transition(
    tenantId: string,
    to: TenantStatus,
    extra: {
      failure?: Tenant["failure"];
      clearFailure?: boolean;
      set?: Record<string, unknown>;
      cause?: TenantEventCause;
      current?: Tenant;
      steps?: Partial<Record<OnboardingStep, StepProgress["status"]>>;
    } = {},
  ): Promise<boolean> {
    await this.record("transition", [tenantId, to, extra]);
    const t = this.tenantItem(tenantId);
    // The adapter writes on `current` conditionally (status and event version) and reads again if it is stale:
    // the outcome is the one of a write on what is stored now, which is what this does.
    if (!t || !allowedPredecessors(to).includes(t.status)) {
      if (!t) throw new TenantNotFoundError(tenantId);
      if (t.status === to) return false;
      throw illegalTransition(t.status, to);
    }
    if (Object.keys(extra.steps ?? {}).some((step) => !t.steps[step])) throw invalidPath();
    const f = extra.failure;
    appendEvent(
      t,
      tenantEventFor({
        tenantId,
        slug: String(t.slug),
        plan: String(t.plan),
        previousStatus: t.status,
        status: to,
        previousVersion: Number(t.eventVersion ?? 0),
        cause: extra.cause ?? {},
        ...(to === "FAILED" && f ? { failure: { step: f.step, error: f.error, cause: f.cause } } : {}),
      }),
    );
    t.status = to;
    if (extra.failure) t.failure = structuredClone(extra.failure);
    for (const [k, v] of Object.entries(extra.set ?? {})) t[k] = structuredClone(v);
    if (extra.clearFailure) delete t.failure;
    const at = now();
    for (const [step, status] of Object.entries(extra.steps ?? {})) {
      const progress = t.steps[step]!;
      progress.status = status;
      progress.at = at;
      delete progress.error;
    }
    bump(t, at);
    return true;
  }

  async removePublishedEvent(tenantId: string, eventId: string, doneStep?: OnboardingStep): Promise<boolean> {
    await this.record("removePublishedEvent", [tenantId, eventId, doneStep]);
    const t = this.tenantItem(tenantId);
    if (!t) throw new TenantNotFoundError(tenantId);
    const outbox = (t.outbox ?? []) as Array<{ detail: { eventId: string } }>;
    if (outbox[0]?.detail.eventId !== eventId) return false;
    const progress = doneStep ? t.steps[doneStep] : undefined;
    if (doneStep && !progress) throw invalidPath();
    t.outbox = outbox.slice(1);
    if (progress) {
      const at = now();
      progress.status = "done";
      progress.at = at;
      delete progress.error;
      bump(t, at);
    }
    return true;
  }

  async linkUserPool(userPoolId: string, tenantId: string): Promise<void> {
    await this.record("linkUserPool", [userPoolId, tenantId]);
    this.put(poolKey(userPoolId), { entity: "pool", userPoolId, tenantId });
  }

  async getByUserPool(userPoolId: string): Promise<Tenant | undefined> {
    await this.record("getByUserPool", [userPoolId]);
    const tenantId = this.items.get(poolKey(userPoolId))?.tenantId;
    return typeof tenantId === "string" ? this.get(tenantId) : undefined;
  }

  async unlinkUserPool(userPoolId: string): Promise<void> {
    await this.record("unlinkUserPool", [userPoolId]);
    this.items.delete(poolKey(userPoolId));
  }

  async putPipelineWaiter(tenantId: string, taskToken: string): Promise<void> {
    await this.record("putPipelineWaiter", [tenantId, taskToken]);
    this.put(waiterKey(tenantId), { entity: "waiter", tenantId, taskToken, at: now() });
  }

  async getPipelineWaiter(tenantId: string): Promise<string | undefined> {
    await this.record("getPipelineWaiter", [tenantId]);
    const token = this.items.get(waiterKey(tenantId))?.taskToken;
    return typeof token === "string" ? token : undefined;
  }

  async deletePipelineWaiter(tenantId: string): Promise<void> {
    await this.record("deletePipelineWaiter", [tenantId]);
    this.items.delete(waiterKey(tenantId));
  }

  async putRunWaiter(pipelineExecutionId: string, waiter: { tenantId: string; taskToken: string }) {
    await this.record("putRunWaiter", [pipelineExecutionId, waiter]);
    this.put(runWaiterKey(pipelineExecutionId), { entity: "run-waiter", ...waiter, at: now() });
  }

  async getRunWaiter(pipelineExecutionId: string) {
    await this.record("getRunWaiter", [pipelineExecutionId]);
    const item = this.items.get(runWaiterKey(pipelineExecutionId));
    return typeof item?.taskToken === "string" && typeof item.tenantId === "string"
      ? { tenantId: item.tenantId, taskToken: item.taskToken }
      : undefined;
  }

  async deleteRunWaiter(pipelineExecutionId: string): Promise<void> {
    await this.record("deleteRunWaiter", [pipelineExecutionId]);
    this.items.delete(runWaiterKey(pipelineExecutionId));
  }

  async getLifecycleRun(runKey: string) {
    await this.record("getLifecycleRun", [runKey]);
    const id = this.items.get(lifecycleRunKey(runKey))?.pipelineExecutionId;
    return typeof id === "string" ? { pipelineExecutionId: id } : undefined;
  }

  async putLifecycleRun(
    runKey: string,
    run: { pipelineExecutionId: string; tenantId: string; action: string },
  ) {
    await this.record("putLifecycleRun", [runKey, run]);
    this.put(lifecycleRunKey(runKey), { entity: "lifecycle-run", ...run, at: now() });
  }

  /** The stored tenant item itself (the fake billing records write to it), or undefined. */
  tenantItem(tenantId: string): TenantItem | undefined {
    return this.items.get(tenantKey(tenantId)) as TenantItem | undefined;
  }

  /** The tenant item an update writes to: DynamoDB's `attribute_exists(pk)` condition. */
  private existing(tenantId: string): TenantItem {
    const t = this.tenantItem(tenantId);
    if (!t) throw new TenantNotFoundError(tenantId);
    return t;
  }

  private read(tenantId: string): Tenant | undefined {
    const item = this.items.get(tenantKey(tenantId));
    return item ? Tenant.parse(structuredClone(item)) : undefined;
  }

  private put(key: string, item: Item): void {
    this.items.set(key, structuredClone(item));
  }
}

/** What every tenant write does besides its own change (`SET updatedAt = :now ADD version :one`). */
export function bump(t: Item, at: string): void {
  t.updatedAt = at;
  t.version = ((t.version as number | undefined) ?? 0) + 1;
}
