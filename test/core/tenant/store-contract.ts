/**
 * The TenantStore contract (core/tenant/store.ts): what the steps rely on, run against the in-memory fake
 * (store.test.ts, unit) and the DynamoDB adapter on the local cloud (store.cloud.test.ts), so the fake the step
 * tests use is held to DynamoDB's behaviour. Every case makes tenants of its own (unique ids and slugs), so it
 * also runs on a table other suites share.
 */
import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { IllegalTransitionError, SlugTakenError, TenantNotFoundError } from "../../../core/tenant/errors.js";
import { newTenant, type Tenant } from "../../../core/tenant/model.js";
import type { TenantStore } from "../../../core/tenant/store.js";

const run = randomUUID().slice(0, 8);
let n = 0;

/** A PROVISIONING tenant with a slug unique to this run. */
function aTenant(overrides: { slug?: string; now?: Date; plan?: string } = {}): Tenant {
  n += 1;
  return newTenant({
    slug: overrides.slug ?? `contract-${run}-${n}`,
    companyName: `Contract ${run} ${n}`,
    adminEmail: `admin${n}@contract.example`,
    plan: overrides.plan ?? "standard",
    ...(overrides.now ? { now: overrides.now } : {}),
  });
}

const since = (iso: string, start: number) => Date.parse(iso) >= start - 1;

export function tenantStoreContract(label: string, makeStore: () => TenantStore): void {
  describe(`TenantStore contract: ${label}`, () => {
    let store: TenantStore;
    beforeEach(() => {
      store = makeStore();
    });

    async function created(overrides?: Parameters<typeof aTenant>[0]): Promise<Tenant> {
      const t = aTenant(overrides);
      await store.create(t);
      return t;
    }

    describe("create, read, discard", () => {
      it("returns the tenant as written by id and by slug (table keys stripped)", async () => {
        const t = await created();
        expect(await store.get(t.tenantId)).toEqual(t);
        expect(await store.require(t.tenantId)).toEqual(t);
        expect(await store.getBySlug(t.slug)).toEqual(t);
      });

      it("hands out copies: changing a tenant read changes nothing stored", async () => {
        const t = await created();
        const read = await store.require(t.tenantId);
        read.status = "ACTIVE";
        read.steps.reserveTenant.status = "done";
        read.resources.namespace = "tenant-mutated";
        expect(await store.require(t.tenantId)).toEqual(t);
      });

      it("creating the same tenant again is harmless and never overwrites it", async () => {
        const t = await created();
        await store.markStep(t.tenantId, "reserveTenant", "running", { countAttempt: true });
        await store.create(t);
        const after = await store.require(t.tenantId);
        expect(after.steps.reserveTenant).toMatchObject({ status: "running", attempts: 1 });
        expect(after.version).toBe(2);
      });

      it("refuses a slug another tenant holds with SlugTakenError and writes nothing", async () => {
        const first = await created();
        const second = aTenant({ slug: first.slug });
        const err = await store.create(second).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SlugTakenError);
        expect((err as SlugTakenError).slug).toBe(first.slug);
        expect(await store.get(second.tenantId)).toBeUndefined();
        expect((await store.getBySlug(first.slug))?.tenantId).toBe(first.tenantId);
      });

      it("of two signups racing for one slug, exactly one gets it", async () => {
        const a = aTenant();
        const b = aTenant({ slug: a.slug });
        const results = await Promise.allSettled([store.create(a), store.create(b)]);
        const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [[a, b][i]!] : []));
        const lost = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0]).toBeInstanceOf(SlugTakenError);
        expect((await store.getBySlug(a.slug))?.tenantId).toBe(won[0]!.tenantId);
      });

      it("knows no unknown tenant: undefined on get, TenantNotFoundError on require and on every update", async () => {
        const id = randomUUID();
        expect(await store.get(id)).toBeUndefined();
        expect(await store.getBySlug(`contract-${run}-nobody`)).toBeUndefined();
        await expect(store.require(id)).rejects.toBeInstanceOf(TenantNotFoundError);
        await expect(store.markStep(id, "reserveTenant", "running")).rejects.toBeInstanceOf(
          TenantNotFoundError,
        );
        await expect(store.setResources(id, { namespace: "tenant-x" })).rejects.toBeInstanceOf(
          TenantNotFoundError,
        );
        await expect(store.transition(id, "ACTIVE")).rejects.toBeInstanceOf(TenantNotFoundError);
        // Nothing to write: no request, so no error either.
        await expect(store.setResources(id, { namespace: undefined })).resolves.toBeUndefined();
      });

      it("discard removes the tenant and frees its slug, but never a slug another tenant holds", async () => {
        const gone = await created();
        await store.discard(gone);
        expect(await store.get(gone.tenantId)).toBeUndefined();
        expect(await store.getBySlug(gone.slug)).toBeUndefined();

        const next = await created({ slug: gone.slug });
        await store.discard({ tenantId: randomUUID(), slug: next.slug });
        expect((await store.getBySlug(next.slug))?.tenantId).toBe(next.tenantId);
      });

      it("lists tenants newest first, optionally of one status", async () => {
        const t0 = Date.now() - 60_000;
        const [a, b, c] = [
          await created({ now: new Date(t0) }),
          await created({ now: new Date(t0 + 1000) }),
          await created({ now: new Date(t0 + 2000) }),
        ];
        await store.transition(b.tenantId, "ACTIVE");
        await store.putPipelineWaiter(a.tenantId, "token-not-a-tenant");
        const mine = (list: Tenant[]) =>
          list.map((t) => t.tenantId).filter((id) => [a, b, c].some((x) => x.tenantId === id));

        expect(mine(await store.list())).toEqual([c.tenantId, b.tenantId, a.tenantId]);
        expect(mine(await store.list({ status: "PROVISIONING" }))).toEqual([c.tenantId, a.tenantId]);
        const active = await store.list({ status: "ACTIVE" });
        expect(mine(active)).toEqual([b.tenantId]);
        expect(active.every((t) => t.status === "ACTIVE")).toBe(true);
      });
    });

    describe("markStep and setResources", () => {
      it("records a step's status and time, counts attempts when asked, and bumps version and updatedAt", async () => {
        const t = await created();
        const start = Date.now();
        await store.markStep(t.tenantId, "createIdentity", "running", { countAttempt: true });
        await store.markStep(t.tenantId, "createIdentity", "running", { countAttempt: true });
        await store.markStep(t.tenantId, "createIdentity", "done");
        const after = await store.require(t.tenantId);
        expect(after.steps.createIdentity).toMatchObject({ status: "done", attempts: 2 });
        expect(after.steps.createIdentity.error).toBeUndefined();
        expect(since(after.steps.createIdentity.at, start)).toBe(true);
        expect(since(after.updatedAt, start)).toBe(true);
        expect(after.version).toBe(t.version + 3);
        // Other steps are left alone.
        expect(after.steps.setupNamespace).toEqual(t.steps.setupNamespace);
      });

      it("keeps a step's error (cut at 1000 characters) until a later mark without one", async () => {
        const t = await created();
        await store.markStep(t.tenantId, "setupNamespace", "retrying", {
          error: { name: "TransientError", message: "x".repeat(1500) },
        });
        const failed = (await store.require(t.tenantId)).steps.setupNamespace;
        expect(failed.status).toBe("retrying");
        expect(failed.error).toEqual({ name: "TransientError", message: "x".repeat(1000) });

        await store.markStep(t.tenantId, "setupNamespace", "running", { countAttempt: true });
        const again = (await store.require(t.tenantId)).steps.setupNamespace;
        expect(again).toMatchObject({ status: "running", attempts: 1 });
        expect(again.error).toBeUndefined();
      });

      it("counts every one of concurrent attempts", async () => {
        const t = await created();
        await Promise.all(
          Array.from({ length: 5 }, () =>
            store.markStep(t.tenantId, "reserveTenant", "running", { countAttempt: true }),
          ),
        );
        const after = await store.require(t.tenantId);
        expect(after.steps.reserveTenant.attempts).toBe(5);
        expect(after.version).toBe(t.version + 5);
      });

      it("merges resources into those recorded, ignoring undefined values; an empty patch writes nothing", async () => {
        const t = await created();
        await store.setResources(t.tenantId, { userPoolId: "pool-1" });
        await store.setResources(t.tenantId, { namespace: "tenant-x", userPoolClientId: undefined });
        const after = await store.require(t.tenantId);
        expect(after.resources).toEqual({ userPoolId: "pool-1", namespace: "tenant-x" });
        expect(after.version).toBe(t.version + 2);

        await store.setResources(t.tenantId, {});
        await store.setResources(t.tenantId, { pipelineExecutionId: undefined });
        expect((await store.require(t.tenantId)).version).toBe(after.version);
      });
    });

    describe("recordEmailSent", () => {
      it("records each email SES sent in one write; a repeated or second send keeps the first", async () => {
        const t = await created();
        expect(t.mailSent).toEqual({});
        const first = { messageId: "m-1", at: "2026-12-02T10:00:00.000Z" };
        await store.recordEmailSent(t.tenantId, "welcome", first);
        await store.recordEmailSent(t.tenantId, "welcome", first);
        await store.recordEmailSent(t.tenantId, "welcome", {
          messageId: "m-2",
          at: "2026-12-02T10:01:00.000Z",
        });
        await store.recordEmailSent(t.tenantId, "planChanged-0123456789abcdef0123", {
          messageId: "m-3",
          at: "2026-12-02T10:02:00.000Z",
        });
        const after = await store.require(t.tenantId);
        expect(after.mailSent).toEqual({
          welcome: first,
          "planChanged-0123456789abcdef0123": { messageId: "m-3", at: "2026-12-02T10:02:00.000Z" },
        });
        expect(after.version).toBe(t.version + 4);
      });

      it("records on a tenant written before emails were recorded, and refuses an unknown tenant", async () => {
        const { mailSent: _none, ...older } = aTenant();
        await store.create(older);
        expect((await store.require(older.tenantId)).mailSent).toBeUndefined();
        const sent = { messageId: "m-1", at: "2026-12-02T10:00:00.000Z" };
        await store.recordEmailSent(older.tenantId, "welcome", sent);
        expect((await store.require(older.tenantId)).mailSent).toEqual({ welcome: sent });
        await expect(store.recordEmailSent(randomUUID(), "welcome", sent)).rejects.toBeInstanceOf(
          TenantNotFoundError,
        );
      });
    });

    describe("transition", () => {
      it("moves along a legal edge, setting the extra attributes given", async () => {
        const t = await created();
        const activatedAt = new Date().toISOString();
        expect(await store.transition(t.tenantId, "ACTIVE", { set: { activatedAt } })).toBe(true);
        const after = await store.require(t.tenantId);
        expect(after.status).toBe("ACTIVE");
        expect(after.activatedAt).toBe(activatedAt);
        expect(after.version).toBe(t.version + 1);
      });

      it("returns false for a duplicate and writes nothing", async () => {
        const t = await created();
        await store.transition(t.tenantId, "ACTIVE");
        const before = await store.require(t.tenantId);
        expect(
          await store.transition(t.tenantId, "ACTIVE", { set: { activatedAt: "2020-01-01T00:00:00Z" } }),
        ).toBe(false);
        expect(await store.require(t.tenantId)).toEqual(before);
      });

      it("refuses an illegal move with IllegalTransitionError naming both statuses, and writes nothing", async () => {
        const t = await created();
        await store.transition(t.tenantId, "ACTIVE");
        const before = await store.require(t.tenantId);
        const err = await store.transition(t.tenantId, "PROVISIONING").catch((e: unknown) => e);
        expect(err).toBeInstanceOf(IllegalTransitionError);
        expect(err).toMatchObject({ from: "ACTIVE", to: "PROVISIONING" });
        await expect(store.transition(t.tenantId, "OFFBOARDED")).rejects.toBeInstanceOf(
          IllegalTransitionError,
        );
        expect(await store.require(t.tenantId)).toEqual(before);
      });

      it("records a failure with FAILED, and a redrive back to PROVISIONING clears it", async () => {
        const t = await created();
        const failure = {
          step: "createIdentity",
          error: "TransientError",
          cause: "Cognito throttled",
          at: new Date().toISOString(),
        };
        expect(await store.transition(t.tenantId, "FAILED", { failure })).toBe(true);
        expect(await store.require(t.tenantId)).toMatchObject({ status: "FAILED", failure });

        expect(await store.transition(t.tenantId, "PROVISIONING", { clearFailure: true })).toBe(true);
        const after = await store.require(t.tenantId);
        expect(after.status).toBe("PROVISIONING");
        expect(after.failure).toBeUndefined();
      });

      it("lets exactly one of two concurrent identical moves win", async () => {
        const t = await created();
        const results = await Promise.all([
          store.transition(t.tenantId, "ACTIVE"),
          store.transition(t.tenantId, "ACTIVE"),
        ]);
        expect(results.sort()).toEqual([false, true]);
        expect((await store.require(t.tenantId)).version).toBe(t.version + 1);
      });
    });

    describe("waiters and lifecycle runs", () => {
      it("keeps the pipeline step's task token apart from the tenant record; a new one replaces it", async () => {
        const t = await created();
        expect(await store.getPipelineWaiter(t.tenantId)).toBeUndefined();
        await store.putPipelineWaiter(t.tenantId, "token-1");
        await store.putPipelineWaiter(t.tenantId, "token-2");
        expect(await store.getPipelineWaiter(t.tenantId)).toBe("token-2");
        const record = await store.require(t.tenantId);
        expect(record).toEqual(t);
        expect(JSON.stringify(record)).not.toContain("token-2");

        await store.deletePipelineWaiter(t.tenantId);
        expect(await store.getPipelineWaiter(t.tenantId)).toBeUndefined();
        await expect(store.deletePipelineWaiter(t.tenantId)).resolves.toBeUndefined();
      });

      it("keeps a lifecycle waiter per pipeline run, until deleted", async () => {
        const t = await created();
        const runId = `run-${randomUUID()}`;
        expect(await store.getRunWaiter(runId)).toBeUndefined();
        await store.putRunWaiter(runId, { tenantId: t.tenantId, taskToken: "token-a" });
        expect(await store.getRunWaiter(runId)).toEqual({ tenantId: t.tenantId, taskToken: "token-a" });
        await store.deleteRunWaiter(runId);
        expect(await store.getRunWaiter(runId)).toBeUndefined();
      });

      it("remembers the pipeline run a lifecycle execution started, by execution name", async () => {
        const t = await created();
        const runKey = `${t.slug}-offboard-1`;
        expect(await store.getLifecycleRun(runKey)).toBeUndefined();
        await store.putLifecycleRun(runKey, {
          pipelineExecutionId: "run-1",
          tenantId: t.tenantId,
          action: "teardown",
        });
        expect(await store.getLifecycleRun(runKey)).toEqual({ pipelineExecutionId: "run-1" });
        await store.putLifecycleRun(runKey, {
          pipelineExecutionId: "run-2",
          tenantId: t.tenantId,
          action: "teardown",
        });
        expect(await store.getLifecycleRun(runKey)).toEqual({ pipelineExecutionId: "run-2" });
        expect(await store.require(t.tenantId)).toEqual(t);
      });
    });
  });
}
