/**
 * The lifecycle steps (core/lifecycle/steps.ts, pipeline.ts) on in-memory fakes (test/support/fakes/), on tenants
 * onboarded by the real onboarding steps and moved by billing events marked as the billing router marks them:
 * suspend/reactivate only while their payment event is the newest, plan changes and their supersession, the
 * namespace and sign-in steps reconciling with a tenant that changes meanwhile, the lifecycle pipeline run, and
 * offboarding deleting everything but the record.
 */

import { createHash } from "node:crypto";
import { load } from "js-yaml";
import { beforeEach, describe, expect, it } from "vitest";
import type { BillingAspect } from "../../../core/billing/event.js";
import { EXPORT_FORMAT, type ExportManifest, exportTenant } from "../../../core/lifecycle/export.js";
import { runLifecyclePipeline } from "../../../core/lifecycle/pipeline.js";
import { startPurge } from "../../../core/lifecycle/start-purge.js";
import {
  applyNamespacePolicy,
  applySignIn,
  deleteIdentity,
  deleteNamespace,
  recordPlan,
  setPurgeSchedule,
  setTenantStatus,
} from "../../../core/lifecycle/steps.js";
import {
  activateTenant,
  createIdentity,
  reserveTenant,
  setupNamespace,
  startPipeline,
} from "../../../core/onboarding/steps.js";
import { DEFAULT_PLANS } from "../../../core/plans/catalog.js";
import { UnknownPlanError } from "../../../core/plans/errors.js";
import type { Tenant } from "../../../core/tenant/model.js";
import type { TenantStatus } from "../../../core/tenant/status.js";
import type { LifecycleWorkflow } from "../../../core/workflow/names.js";
import { type Fakes, fakes, signUp } from "../../support/fakes/deps.js";
import { InjectedFault } from "../../support/fakes/recording.js";

let f: Fakes;
beforeEach(() => {
  f = fakes();
});

const plan = (id: string) => DEFAULT_PLANS.find((p) => p.id === id)!;
const stored = (t: Pick<Tenant, "tenantId">) => f.tenants.require(t.tenantId);
const namespaceOf = (t: Pick<Tenant, "slug">) => `tenant-${t.slug}`;
/** The pods the namespace's ResourceQuota allows (undefined without one). */
const quotaPods = (t: Pick<Tenant, "slug">) => {
  const quota = f.cluster.objectsIn(namespaceOf(t)).find((o) => o.kind === "ResourceQuota");
  return (quota?.spec as { hard: { pods: string } } | undefined)?.hard.pods;
};

/** A tenant onboarded by the onboarding steps, with the billing maps the router creates. */
async function active(planId = "standard"): Promise<Tenant> {
  const t = await signUp(f, { plan: planId });
  await reserveTenant(f.deps, t);
  await createIdentity(f.deps, t);
  await setupNamespace(f.deps, t);
  if (plan(planId).dedicatedResources) {
    f.pipeline.runsEndAs = "Succeeded";
    await startPipeline(f.deps, { tenantId: t.tenantId, taskToken: "onboarding-token" });
    f.pipeline.runsEndAs = undefined;
  }
  await activateTenant(f.deps, t);
  await f.records.ensureBillingMaps(await stored(t));
  return stored(t);
}

let clock = 1_760_000_000;
let events = 0;
/**
 * A billing event applied to one aspect of the tenant as the billing router applies it (records.mark), with the
 * workflow core/billing/decide.ts starts for it (none when it only records the event).
 */
async function billingEvent(
  t: Tenant,
  aspect: BillingAspect,
  value: string,
  workflow: LifecycleWorkflow | undefined,
  expectStatus: TenantStatus,
): Promise<string> {
  clock += 1;
  events += 1;
  const eventId = `evt_${events}`;
  const res = await f.records.mark({
    tenantId: t.tenantId,
    aspect,
    event: { id: eventId, created: clock },
    expectStatus,
    mark: { eventId, created: clock, value, ...(workflow ? { workflow } : {}) },
  });
  expect(res.applied).toBe(true);
  return eventId;
}
/** A failed payment: Suspend for an ACTIVE tenant, else only recorded. */
const paymentFailed = (t: Tenant, expect: TenantStatus = "ACTIVE") =>
  billingEvent(t, "standing", "failed", expect === "ACTIVE" ? "suspend" : undefined, expect);
/** A payment: Reactivate for a SUSPENDED tenant, else only recorded (it voids a pending suspension). */
const paid = (t: Tenant, expect: TenantStatus = "SUSPENDED") =>
  billingEvent(t, "standing", "paid", expect === "SUSPENDED" ? "reactivate" : undefined, expect);
const planEvent = (t: Tenant, planId: string, expect: TenantStatus = "ACTIVE") =>
  billingEvent(t, "plan", planId, "plan-change", expect);

async function suspended(planId = "standard"): Promise<Tenant> {
  const t = await active(planId);
  await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "SUSPENDED", eventId: await paymentFailed(t) });
  return stored(t);
}

describe("setTenantStatus: suspend and reactivate", () => {
  it("suspends an ACTIVE tenant while its payment failure is the newest payment event", async () => {
    const t = await active("standard");
    const eventId = await paymentFailed(t);
    const result = await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "SUSPENDED", eventId });
    expect(result).toEqual({
      tenantId: t.tenantId,
      status: "SUSPENDED",
      proceed: true,
      graceDays: "14",
      dedicatedResources: false,
    });
    const after = await stored(t);
    expect(after.status).toBe("SUSPENDED");
    expect(after.suspendedAt).toBeDefined();
    expect(after.version).toBe(t.version + 1);
  });

  it("re-run after success proceeds again without writing anything", async () => {
    const t = await active();
    const eventId = await paymentFailed(t);
    await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "SUSPENDED", eventId });
    const before = await stored(t);
    const again = await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "SUSPENDED", eventId });
    expect(again).toMatchObject({ status: "SUSPENDED", proceed: true });
    expect(await stored(t)).toEqual(before);
  });

  it("does not suspend when a newer payment event has the last word", async () => {
    const t = await active();
    const failed = await paymentFailed(t);
    await paid(t, "ACTIVE");
    const result = await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "SUSPENDED", eventId: failed });
    expect(result).toMatchObject({ status: "ACTIVE", proceed: false });
    const after = await stored(t);
    expect(after.status).toBe("ACTIVE");
    expect(after.suspendedAt).toBeUndefined();
  });

  it("reactivates a SUSPENDED tenant for its payment and drops suspendedAt", async () => {
    const t = await suspended();
    const eventId = await paid(t);
    const result = await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "ACTIVE", eventId });
    expect(result).toMatchObject({ status: "ACTIVE", proceed: true });
    const after = await stored(t);
    expect(after.status).toBe("ACTIVE");
    expect(after.suspendedAt).toBeUndefined();
  });

  it("a reactivation overtaken by a newer payment failure leaves the tenant suspended", async () => {
    const t = await suspended();
    const payment = await paid(t);
    await paymentFailed(t, "SUSPENDED");
    const result = await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "ACTIVE", eventId: payment });
    expect(result).toMatchObject({ status: "SUSPENDED", proceed: false });
    expect((await stored(t)).status).toBe("SUSPENDED");
  });

  it("a retried suspension does not go on once a newer payment event has come (its own workflow acts)", async () => {
    const t = await active();
    const first = await paymentFailed(t);
    await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "SUSPENDED", eventId: first });
    await paymentFailed(t, "SUSPENDED");
    const retry = await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "SUSPENDED", eventId: first });
    expect(retry).toMatchObject({ status: "SUSPENDED", proceed: false });
  });

  it("reports the plan's grace period and dedicated resources", async () => {
    const t = await active("enterprise");
    const result = await setTenantStatus(f.deps, {
      tenantId: t.tenantId,
      to: "SUSPENDED",
      eventId: await paymentFailed(t),
    });
    expect(result).toMatchObject({ graceDays: "30", dedicatedResources: true });
  });
});

/** A cancellation as the billing router marks it (Cancel workflow), then its "Cancel tenant" step. */
async function cancel(t: Tenant, graceSeconds = 0, expectStatus: TenantStatus = t.status) {
  clock += 1;
  events += 1;
  const eventId = `evt_${events}`;
  const res = await f.records.mark({
    tenantId: t.tenantId,
    aspect: "cancel",
    event: { id: eventId, created: clock },
    expectStatus,
    mark: {
      eventId,
      created: clock,
      workflow: "cancel",
      input: { tenantId: t.tenantId, eventId, graceSeconds },
    },
  });
  expect(res.applied).toBe(true);
  const result = await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "CANCELLED", eventId });
  return { eventId, result };
}

/** A restoring event (paid invoice, new subscription, ops restore) marked as the router marks it, then its step. */
async function restore(t: Tenant) {
  clock += 1;
  events += 1;
  const eventId = `evt_${events}`;
  const res = await f.records.mark({
    tenantId: t.tenantId,
    aspect: "cancel",
    event: { id: eventId, created: clock },
    expectStatus: "CANCELLED",
    mark: {
      eventId,
      created: clock,
      value: "restored",
      workflow: "restore",
      input: { tenantId: t.tenantId, eventId },
    },
  });
  expect(res.applied).toBe(true);
  return setTenantStatus(f.deps, { tenantId: t.tenantId, to: "RESTORED", eventId });
}

/** Cancelled with no grace period and the purge begun (OFFBOARDING): what the purge's steps start from. */
async function purgeNow(t: Tenant): Promise<string> {
  const { eventId } = await cancel(t, 0, (await stored(t)).status);
  await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "OFFBOARDING", eventId });
  return eventId;
}

describe("setTenantStatus: cancel, restore and purge", () => {
  it("ACTIVE → CANCELLED keeps everything, with purgeAfter from the grace period; a repeat carries on", async () => {
    const t = await active("standard");
    const before = Date.now();
    const { eventId, result } = await cancel(t, 3600);
    expect(result).toMatchObject({ status: "CANCELLED", proceed: true });
    const after = await stored(t);
    expect(Date.parse(after.purgeAfter!) - before).toBeGreaterThanOrEqual(3600_000);
    expect(after.cancellation).toMatchObject({ eventId, graceSeconds: 3600 });
    expect(after.resources.userPoolId).toBe(t.resources.userPoolId);
    expect(f.identity.pools.has(t.resources.userPoolId!)).toBe(true);
    expect(f.cluster.hasNamespace(namespaceOf(t))).toBe(true);
    expect(after.outbox?.at(-1)).toMatchObject({
      detailType: "Tenant Cancelled",
      detail: { purgeAfter: after.purgeAfter },
    });
    expect(await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "CANCELLED", eventId })).toMatchObject({
      status: "CANCELLED",
      proceed: true,
    });
  });

  it("takes the plan's grace period when the cancellation names none", async () => {
    const t = await active("free");
    await f.plans.put({ ...plan("free"), offboardGraceSeconds: 120 });
    clock += 1;
    const eventId = "evt_plan_grace";
    await f.records.mark({
      tenantId: t.tenantId,
      aspect: "cancel",
      event: { id: eventId, created: clock },
      expectStatus: "ACTIVE",
      mark: { eventId, created: clock, workflow: "cancel", input: { tenantId: t.tenantId, eventId } },
    });
    await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "CANCELLED", eventId });
    expect((await stored(t)).cancellation?.graceSeconds).toBe(120);
  });

  it("the purge starts only for the current cancellation and only once purgeAfter has passed", async () => {
    const t = await active("standard");
    const { eventId } = await cancel(t, 3600);
    // Not due: nothing moves, the workflow stops.
    expect(await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "OFFBOARDING", eventId })).toMatchObject(
      { status: "CANCELLED", proceed: false },
    );
    const u = await active("standard");
    const due = await cancel(u, 0);
    // Another cancellation's purge does nothing.
    expect(
      await setTenantStatus(f.deps, { tenantId: u.tenantId, to: "OFFBOARDING", eventId: "evt_other" }),
    ).toMatchObject({ status: "CANCELLED", proceed: false });
    expect(
      await setTenantStatus(f.deps, { tenantId: u.tenantId, to: "OFFBOARDING", eventId: due.eventId }),
    ).toMatchObject({ status: "OFFBOARDING", proceed: true });
  });

  it("RESTORED: CANCELLED → ACTIVE with nothing re-created; a purge after it deletes nothing", async () => {
    const t = await active("standard");
    const { eventId } = await cancel(t, 0);
    const restored = await restore(t);
    expect(restored).toMatchObject({ status: "ACTIVE", proceed: true });
    const after = await stored(t);
    expect(after.purgeAfter).toBeUndefined();
    expect(after.restoredAt).toBeDefined();
    expect(after.resources).toEqual(t.resources);
    expect(after.outbox?.at(-1)?.detailType).toBe("Tenant Restored");
    // The purge schedule fired late: the tenant is ACTIVE, nothing happens.
    expect(await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "OFFBOARDING", eventId })).toMatchObject(
      {
        status: "ACTIVE",
        proceed: false,
      },
    );
    // A redrive of the old cancel step does not cancel again.
    expect(await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "CANCELLED", eventId })).toMatchObject({
      status: "ACTIVE",
      proceed: false,
    });
  });

  it("CANCELLED → OFFBOARDING → OFFBOARDED with a receipt; repeats carry on; the onboarding task token goes", async () => {
    const t = await active("enterprise");
    // An answered task's token is forgotten at once; this one is still waiting (e.g. a run that never ended).
    expect(await f.tenants.getPipelineWaiter(t.tenantId)).toBeUndefined();
    await f.tenants.putPipelineWaiter(t.tenantId, "onboarding-token");
    const { eventId } = await cancel(t, 0);
    const start = await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "OFFBOARDING", eventId });
    expect(start).toMatchObject({ status: "OFFBOARDING", proceed: true });
    expect((await stored(t)).offboardingStartedAt).toBeDefined();
    expect(await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "OFFBOARDING", eventId })).toMatchObject(
      { status: "OFFBOARDING", proceed: true },
    );

    const end = await setTenantStatus(f.deps, {
      tenantId: t.tenantId,
      to: "OFFBOARDED",
      eventId,
      execution: `${t.slug}-offboard-1`,
    });
    expect(end).toMatchObject({ status: "OFFBOARDED", proceed: true });
    const after = await stored(t);
    expect(after.offboardedAt).toBeDefined();
    expect(after.receipt).toMatchObject({
      at: after.offboardedAt,
      eventId,
      execution: `${t.slug}-offboard-1`,
      cause: expect.stringContaining(`billing event ${eventId}`),
    });
    expect(after.receipt?.deleted.join("; ")).toContain(t.resources.userPoolId);
    expect(after.receipt?.deleted.join("; ")).toContain("dedicated resources");
    expect(Date.parse(after.receipt!.slugReservedUntil!) - Date.parse(after.receipt!.at)).toBe(
      365 * 86_400_000,
    );
    expect(await f.tenants.getPipelineWaiter(t.tenantId)).toBeUndefined();
    // A late retry of "Start offboarding" finds the tenant past it and carries on.
    expect(await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "OFFBOARDING", eventId })).toMatchObject(
      { status: "OFFBOARDED", proceed: true },
    );
  });

  it("cancels a suspended tenant, and one whose onboarding failed", async () => {
    const s = await suspended();
    expect((await cancel(s, 0)).result).toMatchObject({ status: "CANCELLED", proceed: true });

    const t = await signUp(f);
    await f.tenants.transition(t.tenantId, "FAILED", {
      failure: { step: "createIdentity", error: "X", cause: "x", at: new Date().toISOString() },
    });
    await f.records.ensureBillingMaps(await stored(t));
    expect((await cancel(await stored(t), 0)).result.status).toBe("CANCELLED");
  });

  it("refuses (ValidationError) to cancel a tenant still onboarding, or to finish a purge never started", async () => {
    const onboarding = await signUp(f);
    await expect(
      setTenantStatus(f.deps, { tenantId: onboarding.tenantId, to: "CANCELLED", eventId: "ops-1" }),
    ).rejects.toMatchObject({ name: "ValidationError" });
    expect((await stored(onboarding)).status).toBe("PROVISIONING");

    const t = await active();
    await expect(
      setTenantStatus(f.deps, { tenantId: t.tenantId, to: "OFFBOARDED", eventId: "ops-1" }),
    ).rejects.toMatchObject({ name: "ValidationError" });
    expect((await stored(t)).status).toBe("ACTIVE");
  });
});

describe("setPurgeSchedule and the Cancel steps", () => {
  it("schedules the purge at purgeAfter while CANCELLED and deletes the schedule once restored", async () => {
    const t = await active("standard");
    const { eventId } = await cancel(t, 600);
    await setPurgeSchedule(f.deps, t);
    expect(await f.purgeSchedules.describe(t.tenantId)).toEqual({
      at: (await stored(t)).purgeAfter,
      target: { tenantId: t.tenantId, eventId },
    });
    await restore(t);
    await setPurgeSchedule(f.deps, t);
    expect(await f.purgeSchedules.describe(t.tenantId)).toBeUndefined();
  });

  it("disables the users and scales to zero pods while CANCELLED; a restore enables and restores them", async () => {
    const t = await active("standard");
    await cancel(t, 600);
    await applySignIn(f.deps, t);
    await applyNamespacePolicy(f.deps, t);
    const pool = f.identity.pools.get(t.resources.userPoolId!)!;
    expect([...pool.users.values()].every((u) => !u.enabled)).toBe(true);
    expect(quotaPods(t)).toBe("0");
    expect(f.cluster.callsTo("evictPods")).toEqual([[namespaceOf(t)]]);
    await restore(t);
    await applySignIn(f.deps, t);
    await applyNamespacePolicy(f.deps, t);
    expect([...pool.users.values()].every((u) => u.enabled)).toBe(true);
    expect(quotaPods(t)).toBe(plan("standard").quota.pods);
  });
});

describe("exportTenant (the Cancel workflow's first step after the status)", () => {
  const sha = (s: string) => createHash("sha256").update(s).digest("hex");

  it("writes the record, users and namespace manifests under the cancellation's prefix, manifest last, checksums matching", async () => {
    const t = await active("standard");
    const { eventId } = await cancel(t, 600);
    const result = await exportTenant(f.deps, t);
    const prefix = `exports/${t.tenantId}/${eventId}/`;
    expect(f.exports.puts).toEqual(
      ["tenant.json", "users.json", "namespace.yaml", "manifest.json"].map((n) => `${prefix}${n}`),
    );
    const manifestBody = f.exports.objects.get(`${prefix}manifest.json`)!.body;
    const manifest = JSON.parse(manifestBody) as ExportManifest;
    expect(manifest).toMatchObject({ format: EXPORT_FORMAT, tenantId: t.tenantId, slug: t.slug });
    expect(manifest.cancellation.eventId).toBe(eventId);
    for (const o of manifest.objects) expect(sha(f.exports.objects.get(o.key)!.body), o.key).toBe(o.sha256);
    expect(manifest.excludes.join(" ")).toMatch(/password hashes/);

    const recorded = (await stored(t)).export!;
    expect(recorded).toMatchObject({
      bucket: f.exports.bucket,
      prefix,
      manifestKey: `${prefix}manifest.json`,
      location: `s3://${f.exports.bucket}/${prefix}manifest.json`,
      sha256: sha(manifestBody),
      objects: 4,
    });
    expect(result.location).toBe(recorded.location);

    const tenantJson = JSON.parse(f.exports.objects.get(`${prefix}tenant.json`)!.body) as Tenant;
    expect(tenantJson).toMatchObject({ tenantId: t.tenantId, status: "CANCELLED" });
    const users = JSON.parse(f.exports.objects.get(`${prefix}users.json`)!.body) as {
      users: Array<{ enabled: boolean; groups: string[]; attributes: Record<string, string> }>;
    };
    // Exported before sign-in is disabled: the users as they were.
    expect(users.users).toEqual([
      expect.objectContaining({ enabled: true, groups: ["admins"], attributes: { email: t.adminEmail } }),
    ]);
    expect(f.exports.objects.get(`${prefix}users.json`)!.body).not.toMatch(/password"\s*:\s*"/i);
    const docs = f.exports.objects
      .get(`${prefix}namespace.yaml`)!
      .body.split("---\n")
      .map((d) => load(d) as { kind: string; metadata: { name: string } });
    expect(docs.map((d) => d.kind)).toEqual(expect.arrayContaining(["Namespace", "ResourceQuota"]));
  });

  it("is idempotent: a retry after a failed put writes the same keys; a re-run once recorded writes nothing", async () => {
    const t = await active("standard");
    await cancel(t, 600);
    f.exports.failNext = new Error("S3 is down");
    await expect(exportTenant(f.deps, t)).rejects.toThrow("S3 is down");
    expect((await stored(t)).export).toBeUndefined();
    const first = await exportTenant(f.deps, t);
    const keys = [...f.exports.objects.keys()].sort();
    const again = await exportTenant(f.deps, t);
    expect(again).toMatchObject({ written: false, location: first.location, sha256: first.sha256 });
    expect([...f.exports.objects.keys()].sort()).toEqual(keys);
    expect(f.exports.puts).toHaveLength(4);
  });

  it("refuses a tenant that is not CANCELLED (nothing written), and the purge's receipt names the export", async () => {
    const t = await active("standard");
    await expect(exportTenant(f.deps, t)).rejects.toMatchObject({ name: "ValidationError" });
    expect(f.exports.puts).toEqual([]);
    const { eventId } = await cancel(t, 0);
    const { location, sha256 } = await exportTenant(f.deps, t);
    await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "OFFBOARDING", eventId });
    await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "OFFBOARDED", eventId });
    expect((await stored(t)).receipt?.export).toEqual({ location, sha256 });
  });
});

describe("the slug after the purge", () => {
  it("stays reserved until the receipt's slugReservedUntil; after that a new signup may take it", async () => {
    const t = await active("standard");
    const eventId = await purgeNow(t);
    await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "OFFBOARDED", eventId });
    const until = (await stored(t)).receipt!.slugReservedUntil!;
    expect(Date.parse(until) - Date.now()).toBeGreaterThan(364 * 86_400_000);
    expect(await f.tenants.slugFree(t.slug)).toBe(false);
    expect(await f.tenants.slugFree(t.slug, new Date(Date.parse(until) + 1000))).toBe(true);
    // Before the reservation ends: the signup's slug claim refuses.
    await expect(signUp(f, { slug: t.slug })).rejects.toMatchObject({ name: "SlugTakenError" });
    // The reservation over (the claim rewritten as if a year had passed): a newcomer takes the slug.
    await f.tenants.reserveSlug(t.slug, t.tenantId, new Date(Date.now() - 1000).toISOString());
    const newcomer = await signUp(f, { slug: t.slug });
    expect((await f.tenants.getBySlug(t.slug))?.tenantId).toBe(newcomer.tenantId);
    // The purged tenant's record and receipt stay, by id.
    expect((await stored(t)).status).toBe("OFFBOARDED");
    // Only the holder sets a reservation: the old tenant cannot reserve the newcomer's slug.
    await f.tenants.reserveSlug(t.slug, t.tenantId, new Date(Date.now() - 1000).toISOString());
    expect(await f.tenants.slugFree(t.slug)).toBe(false);
  });
});

describe("startPurge (the purge schedule's target)", () => {
  const purgeDeps = () => ({
    tenants: f.tenants,
    workflows: { start: async (_arn: string, name: string) => name, history: async () => [] },
    offboardStateMachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:embark-offboard",
    purgeSchedules: f.purgeSchedules,
  });

  it("starts <slug>-offboard-<n> for the current, due cancellation; skips a restored tenant; re-arms an early one", async () => {
    const t = await active("standard");
    const { eventId } = await cancel(t, 0);
    expect(await startPurge(purgeDeps(), { tenantId: t.tenantId, eventId })).toEqual({
      outcome: "started",
      execution: `${t.slug}-offboard-1`,
    });
    expect(await startPurge(purgeDeps(), { tenantId: t.tenantId, eventId: "evt_old" })).toMatchObject({
      outcome: "skipped",
    });
    const u = await active("standard");
    const early = await cancel(u, 600);
    expect(await startPurge(purgeDeps(), { tenantId: u.tenantId, eventId: early.eventId })).toMatchObject({
      outcome: "rescheduled",
    });
    expect((await f.purgeSchedules.describe(u.tenantId))?.target.eventId).toBe(early.eventId);
    await restore(u);
    expect(
      await startPurge(
        purgeDeps(),
        { tenantId: u.tenantId, eventId: early.eventId },
        new Date(Date.now() + 3_600_000),
      ),
    ).toMatchObject({ outcome: "skipped" });
  });

  it("refuses an event that is not a purge target", async () => {
    await expect(startPurge(purgeDeps(), { tenantId: "x" })).rejects.toMatchObject({
      name: "ValidationError",
    });
  });
});

describe("recordPlan", () => {
  it("records the new plan while its event is the newest plan event, and says what the pipeline must do", async () => {
    const t = await active("standard");
    const eventId = await planEvent(t, "enterprise");
    const result = await recordPlan(f.deps, { tenantId: t.tenantId, plan: "enterprise", eventId });
    expect(result).toEqual({
      tenantId: t.tenantId,
      changed: true,
      plan: "enterprise",
      previousPlan: "standard",
      previousPlanName: "Standard",
      pipelineAction: "deploy",
    });
    expect((await stored(t)).plan).toBe("enterprise");
  });

  it("re-run after success knows it made the change: same result, nothing written again", async () => {
    const t = await active("standard");
    const eventId = await planEvent(t, "enterprise");
    const first = await recordPlan(f.deps, { tenantId: t.tenantId, plan: "enterprise", eventId });
    const before = await stored(t);
    const again = await recordPlan(f.deps, { tenantId: t.tenantId, plan: "enterprise", eventId });
    expect(again).toEqual(first);
    expect(f.records.count("recordPlan")).toBe(1);
    expect(await stored(t)).toEqual(before);
  });

  it("a plan event overtaken by a newer one records nothing; the newer one's change is made", async () => {
    const t = await active("standard");
    const older = await planEvent(t, "enterprise");
    const newer = await planEvent(t, "free");

    const superseded = await recordPlan(f.deps, { tenantId: t.tenantId, plan: "enterprise", eventId: older });
    expect(superseded).toMatchObject({ changed: false, pipelineAction: "none", previousPlan: "standard" });
    expect((await stored(t)).plan).toBe("standard");

    const made = await recordPlan(f.deps, { tenantId: t.tenantId, plan: "free", eventId: newer });
    expect(made).toMatchObject({
      changed: true,
      plan: "free",
      previousPlan: "standard",
      pipelineAction: "none",
    });
    expect((await stored(t)).plan).toBe("free");
  });

  it("a retry of a change that a newer one has since replaced stays superseded", async () => {
    const t = await active("standard");
    const first = await planEvent(t, "enterprise");
    await recordPlan(f.deps, { tenantId: t.tenantId, plan: "enterprise", eventId: first });
    const second = await planEvent(t, "standard");
    await recordPlan(f.deps, { tenantId: t.tenantId, plan: "standard", eventId: second });

    const retry = await recordPlan(f.deps, { tenantId: t.tenantId, plan: "enterprise", eventId: first });
    expect(retry).toMatchObject({ changed: false, pipelineAction: "none" });
    expect((await stored(t)).plan).toBe("standard");
  });

  it("a newer event for the plan the tenant already has is no change (no second deploy or email)", async () => {
    const t = await active("standard");
    const first = await planEvent(t, "enterprise");
    await recordPlan(f.deps, { tenantId: t.tenantId, plan: "enterprise", eventId: first });
    const yearly = await planEvent(t, "enterprise");
    const result = await recordPlan(f.deps, { tenantId: t.tenantId, plan: "enterprise", eventId: yearly });
    expect(result).toMatchObject({ changed: false, previousPlan: "enterprise", pipelineAction: "none" });
    expect(f.records.count("recordPlan")).toBe(1);
  });

  it("tears dedicated resources down when the tenant leaves a plan that had them", async () => {
    const t = await active("enterprise");
    const eventId = await planEvent(t, "standard");
    const result = await recordPlan(f.deps, { tenantId: t.tenantId, plan: "standard", eventId });
    expect(result).toMatchObject({
      changed: true,
      previousPlanName: "Enterprise",
      pipelineAction: "teardown",
    });
  });

  it("changes the plan of a suspended tenant too", async () => {
    const t = await suspended("standard");
    const eventId = await planEvent(t, "free", "SUSPENDED");
    expect(await recordPlan(f.deps, { tenantId: t.tenantId, plan: "free", eventId })).toMatchObject({
      changed: true,
    });
    expect(await stored(t)).toMatchObject({ plan: "free", status: "SUSPENDED" });
  });

  it("refuses a plan the catalog does not have", async () => {
    const t = await active();
    await expect(
      recordPlan(f.deps, { tenantId: t.tenantId, plan: "platinum", eventId: "evt_x" }),
    ).rejects.toBeInstanceOf(UnknownPlanError);
  });
});

describe("applyNamespacePolicy", () => {
  it("applies the recorded plan's quota and limits", async () => {
    const t = await active("standard");
    const eventId = await planEvent(t, "enterprise");
    await recordPlan(f.deps, { tenantId: t.tenantId, plan: "enterprise", eventId });
    const result = await applyNamespacePolicy(f.deps, t);
    expect(result).toEqual({
      namespace: namespaceOf(t),
      plan: "enterprise",
      suspended: false,
      applied: true,
      evicted: 0,
    });
    expect(quotaPods(t)).toBe(plan("enterprise").quota.pods);
  });

  it("allows no pods while the tenant is suspended, and the plan's again once reactivated", async () => {
    const t = await suspended("standard");
    expect(await applyNamespacePolicy(f.deps, t)).toMatchObject({ suspended: true, applied: true });
    expect(quotaPods(t)).toBe("0");
    await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "ACTIVE", eventId: await paid(t) });
    await applyNamespacePolicy(f.deps, t);
    expect(quotaPods(t)).toBe(plan("standard").quota.pods);
  });

  it("re-reads the tenant when it changed during the apply, and applies what it is now", async () => {
    const t = await active("standard");
    const eventId = await paymentFailed(t);
    // A suspension lands while this step's first apply is in flight.
    f.cluster.on("apply", async () => {
      await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "SUSPENDED", eventId });
    });
    const applies = f.cluster.count("apply");
    const result = await applyNamespacePolicy(f.deps, t);
    expect(result).toMatchObject({ suspended: true, applied: true });
    expect(f.cluster.count("apply") - applies).toBe(2);
    expect(quotaPods(t)).toBe("0");
  });

  it("deletes the namespace its apply re-created when offboarding began meanwhile", async () => {
    const t = await active();
    f.cluster.on("apply", async () => {
      await purgeNow(t);
      await deleteNamespace(f.deps, t);
    });
    const result = await applyNamespacePolicy(f.deps, t);
    expect(result).toMatchObject({ applied: false });
    expect(f.cluster.hasNamespace(namespaceOf(t))).toBe(false);
    expect(f.cluster.objectsIn(namespaceOf(t))).toEqual([]);
  });

  it("gives up with a TransientError (retried) when the tenant keeps changing", async () => {
    const t = await active();
    const calls = f.cluster.count("apply");
    for (let i = 1; i <= 4; i++) {
      const to = i % 2 ? "SUSPENDED" : "ACTIVE";
      f.cluster.on(
        "apply",
        async () => {
          await f.records.transitionIf({ tenantId: t.tenantId, from: ["ACTIVE", "SUSPENDED"], to });
        },
        { call: calls + i },
      );
    }
    await expect(applyNamespacePolicy(f.deps, t)).rejects.toMatchObject({ name: "TransientError" });
    expect(f.cluster.count("apply") - calls).toBe(4);
  });

  it("applies nothing to a tenant being offboarded", async () => {
    const t = await active();
    await purgeNow(t);
    const applies = f.cluster.count("apply");
    expect(await applyNamespacePolicy(f.deps, t)).toMatchObject({ applied: false });
    expect(f.cluster.count("apply")).toBe(applies);
  });
});

describe("applySignIn", () => {
  const users = (t: Tenant) => [...(f.identity.pools.get(t.resources.userPoolId!)?.users.values() ?? [])];

  it("disables the users of a suspended tenant, and enables them again once it is ACTIVE", async () => {
    const t = await suspended();
    expect(await applySignIn(f.deps, t)).toEqual({
      userPoolId: t.resources.userPoolId,
      enabled: false,
      applied: true,
    });
    expect(users(t).map((u) => u.enabled)).toEqual([false]);

    await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "ACTIVE", eventId: await paid(t) });
    expect(await applySignIn(f.deps, t)).toMatchObject({ enabled: true, applied: true });
    expect(users(t).map((u) => u.enabled)).toEqual([true]);
  });

  it("takes a pool deleted by an offboarding meanwhile as nothing left to do", async () => {
    const t = await suspended();
    f.identity.on("setUsersEnabled", async () => {
      await purgeNow(t);
      await deleteIdentity(f.deps, t);
    });
    expect(await applySignIn(f.deps, t)).toMatchObject({ applied: false });
  });

  it("takes a cancelled tenant's missing pool as nothing to disable (the reconciler flags it)", async () => {
    const t = await active();
    await cancel(t, 600);
    f.identity.pools.delete(t.resources.userPoolId!);
    expect(await applySignIn(f.deps, t)).toMatchObject({ applied: false });
  });

  it("fails on a missing pool while the tenant is not being offboarded", async () => {
    const t = await suspended();
    f.identity.pools.delete(t.resources.userPoolId!);
    await expect(applySignIn(f.deps, t)).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });
});

describe("runLifecyclePipeline", () => {
  async function deploying() {
    const t = await active("standard");
    const eventId = await planEvent(t, "enterprise");
    await recordPlan(f.deps, { tenantId: t.tenantId, plan: "enterprise", eventId });
    return { t, runKey: `${t.slug}-plan-change-1` };
  }

  it("starts one run keyed by the execution, with the action, and waits for it", async () => {
    const { t, runKey } = await deploying();
    const input = { tenantId: t.tenantId, action: "deploy" as const, runKey, taskToken: "lc-1" };
    const { pipelineExecutionId } = await runLifecyclePipeline(f.deps, input);
    expect(f.pipeline.callsTo("start")).toEqual([
      [
        {
          clientRequestToken: runKey,
          variables: {
            TENANT_ID: t.tenantId,
            TENANT_SLUG: t.slug,
            TENANT_PLAN: "enterprise",
            TENANT_ACTION: "deploy",
          },
        },
      ],
    ]);
    expect(await f.tenants.getLifecycleRun(runKey)).toEqual({ pipelineExecutionId });
    expect(await f.tenants.getRunWaiter(pipelineExecutionId)).toEqual({
      tenantId: t.tenantId,
      taskToken: "lc-1",
    });
    expect(f.tasks.answers).toEqual([]);
    // The tenant's onboarding run stays what it was.
    expect((await stored(t)).resources.pipelineExecutionId).toBeUndefined();
  });

  it("a retry re-attaches to the run in progress with its new token: no second deploy", async () => {
    const { t, runKey } = await deploying();
    const first = await runLifecyclePipeline(f.deps, {
      tenantId: t.tenantId,
      action: "deploy",
      runKey,
      taskToken: "lc-1",
    });
    const again = await runLifecyclePipeline(f.deps, {
      tenantId: t.tenantId,
      action: "deploy",
      runKey,
      taskToken: "lc-2",
    });
    expect(again).toEqual(first);
    expect(f.pipeline.count("start")).toBe(1);
    expect(await f.tenants.getRunWaiter(first.pipelineExecutionId)).toMatchObject({ taskToken: "lc-2" });
  });

  it("crash after starting the run: the retry's start gets the same run by its client request token", async () => {
    const { t, runKey } = await deploying();
    f.pipeline.failOn("started");
    await expect(
      runLifecyclePipeline(f.deps, { tenantId: t.tenantId, action: "deploy", runKey, taskToken: "lc-1" }),
    ).rejects.toBeInstanceOf(InjectedFault);
    expect(await f.tenants.getLifecycleRun(runKey)).toBeUndefined();
    const retry = await runLifecyclePipeline(f.deps, {
      tenantId: t.tenantId,
      action: "deploy",
      runKey,
      taskToken: "lc-2",
    });
    expect(f.pipeline.runs.size).toBe(1);
    expect([...f.pipeline.runs.keys()]).toEqual([retry.pipelineExecutionId]);
  });

  it("answers at once a run that has already ended, and forgets its waiter", async () => {
    const { t, runKey } = await deploying();
    f.pipeline.runsEndAs = "Succeeded";
    const { pipelineExecutionId } = await runLifecyclePipeline(f.deps, {
      tenantId: t.tenantId,
      action: "deploy",
      runKey,
      taskToken: "lc-1",
    });
    expect(f.tasks.answers).toEqual([
      { taskToken: "lc-1", outcome: "success", output: { pipelineExecutionId, status: "Succeeded" } },
    ]);
    expect(await f.tenants.getRunWaiter(pipelineExecutionId)).toBeUndefined();
  });

  it("a retry after the run succeeded answers the new token at once, starting nothing", async () => {
    const { t, runKey } = await deploying();
    const first = await runLifecyclePipeline(f.deps, {
      tenantId: t.tenantId,
      action: "deploy",
      runKey,
      taskToken: "lc-1",
    });
    f.pipeline.finish(first.pipelineExecutionId, "Succeeded");
    const again = await runLifecyclePipeline(f.deps, {
      tenantId: t.tenantId,
      action: "deploy",
      runKey,
      taskToken: "lc-2",
    });
    expect(again).toEqual(first);
    expect(f.pipeline.count("start")).toBe(1);
    expect(f.tasks.answerOf("lc-2")).toMatchObject({ outcome: "success" });
  });

  it("a redrive after a failed run starts a new one, its token derived from the failed run", async () => {
    const { t, runKey } = await deploying();
    const failed = await runLifecyclePipeline(f.deps, {
      tenantId: t.tenantId,
      action: "deploy",
      runKey,
      taskToken: "lc-1",
    });
    f.pipeline.finish(failed.pipelineExecutionId, "Failed");
    const redriven = await runLifecyclePipeline(f.deps, {
      tenantId: t.tenantId,
      action: "deploy",
      runKey,
      taskToken: "lc-2",
    });
    expect(redriven.pipelineExecutionId).not.toBe(failed.pipelineExecutionId);
    expect(f.pipeline.callsTo("start")[1]?.[0]).toMatchObject({
      clientRequestToken: `${runKey}-after-${failed.pipelineExecutionId}`,
    });
    expect(await f.tenants.getLifecycleRun(runKey)).toEqual(redriven);
  });
});

describe("offboarding: deleteNamespace and deleteIdentity", () => {
  async function offboarding(planId = "standard") {
    const t = await active(planId);
    await purgeNow(t);
    return t;
  }

  it("deleteNamespace revokes the admins' access and deletes the namespace; a re-run is fine", async () => {
    const t = await offboarding();
    expect(f.cluster.hasNamespace(namespaceOf(t))).toBe(true);
    expect(await deleteNamespace(f.deps, t)).toEqual({ namespace: namespaceOf(t) });
    expect(f.cluster.hasNamespace(namespaceOf(t))).toBe(false);
    expect(f.cluster.objects.size).toBe(0);
    expect(f.cluster.access.size).toBe(0);
    await expect(deleteNamespace(f.deps, t)).resolves.toEqual({ namespace: namespaceOf(t) });
  });

  it("deleteIdentity deletes the recorded pool and any other pool tagged with the tenant; a re-run is fine", async () => {
    const t = await offboarding();
    const orphan = f.identity.addPool(t.tenantId, t.slug);
    const other = await active();
    const result = await deleteIdentity(f.deps, t);
    expect(result.deletedUserPools.sort()).toEqual([t.resources.userPoolId, orphan.id].sort());
    expect(f.identity.poolsOf(t.tenantId)).toEqual([]);
    expect(f.identity.poolsOf(other.tenantId)).toHaveLength(1);
    await expect(deleteIdentity(f.deps, t)).resolves.toEqual({ deletedUserPools: [t.resources.userPoolId] });
  });

  it("refuses (ValidationError) to delete anything of a tenant that is not being offboarded", async () => {
    const t = await active();
    await expect(deleteNamespace(f.deps, t)).rejects.toMatchObject({ name: "ValidationError" });
    await expect(deleteIdentity(f.deps, t)).rejects.toMatchObject({ name: "ValidationError" });
    expect(f.cluster.hasNamespace(namespaceOf(t))).toBe(true);
    expect(f.identity.poolsOf(t.tenantId)).toHaveLength(1);
  });

  it("the whole offboarding leaves the record and its slug, and nothing else", async () => {
    const t = await offboarding("enterprise");
    await deleteNamespace(f.deps, t);
    await runLifecyclePipeline(f.deps, {
      tenantId: t.tenantId,
      action: "teardown",
      runKey: `${t.slug}-offboard-1`,
      taskToken: "lc-1",
    });
    await deleteIdentity(f.deps, t);
    await setTenantStatus(f.deps, { tenantId: t.tenantId, to: "OFFBOARDED", eventId: "ops-1" });

    expect(f.cluster.objects.size).toBe(0);
    expect(f.identity.pools.size).toBe(0);
    expect(await f.tenants.getPipelineWaiter(t.tenantId)).toBeUndefined();
    const record = await f.tenants.getBySlug(t.slug);
    expect(record).toMatchObject({ tenantId: t.tenantId, status: "OFFBOARDED" });
  });
});
