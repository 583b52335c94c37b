/** The reconcile decisions, one drift at a time, over in-memory fakes of every port (test/support/fakes). */
import { describe, expect, it } from "vitest";
import { DEFAULT_PLANS } from "../../../core/plans/catalog.js";
import { runReconcilePass } from "../../../core/reconcile/pass.js";
import type { ReconcileAction } from "../../../core/reconcile/report.js";
import type { SettingsOverrides } from "../../../core/reconcile/settings.js";
import { OFFBOARD_ARN, ONBOARDING_ARN, ReconcileWorld } from "../../support/fakes/reconcile-world.js";

const ns = (slug: string) => `tenant-${slug}`;
const pass = (w: ReconcileWorld, settings: SettingsOverrides = {}, dryRun = false) =>
  runReconcilePass(w.deps, { settings, dryRun });
const only = (w: ReconcileWorld, tenants: string[], settings: SettingsOverrides = {}) =>
  runReconcilePass(w.deps, { tenants, settings });
const summary = (actions: ReconcileAction[]) => actions.map((a) => `${a.check}:${a.action}:${a.outcome}`);

describe("a pass where nothing drifted", () => {
  it("reads, writes nothing but its cursor, and reports no action", async () => {
    const w = new ReconcileWorld();
    for (let i = 0; i < 3; i++) await w.provisioned("ACTIVE");
    await w.provisioned("SUSPENDED");
    const fresh = await w.tenant("PROVISIONING", { ageMinutes: 1 });
    await w.workflows.start(ONBOARDING_ARN, w.onboardingName(fresh), { tenantId: fresh.tenantId });
    const failed = await w.tenant("FAILED");
    w.tenants.items.get(failed.tenantId)!.failure = {
      step: "setupNamespace",
      error: "X",
      cause: "y",
      at: w.clock.iso(),
    };
    const before = w.snapshot();

    const r = await pass(w);

    expect(r.actions).toEqual([]);
    expect(r.checked).toEqual({ ACTIVE: 3, SUSPENDED: 1, FAILED: 1 });
    expect(w.tenants.writes).toEqual([]);
    expect(w.cluster.writes).toEqual([]);
    expect(w.store.cursorWrites).toBe(1);
    const after = w.snapshot() as { cursor: unknown };
    expect({ ...after, cursor: undefined }).toEqual({ ...(before as object), cursor: undefined });
  });
});

describe("PROVISIONING", () => {
  it("starts a lost onboarding under its one name, once, and records it on the tenant", async () => {
    const w = new ReconcileWorld();
    const t = await w.tenant("PROVISIONING", { ageMinutes: 30 });
    const r = await pass(w);
    expect(summary(r.actions)).toEqual(["onboarding-execution:start-onboarding:repaired"]);
    expect(r.actions[0]!.problem).toContain(`No onboarding execution ${t.slug}-onboard-1`);
    expect([...w.workflows.executions.values()].map((e) => e.name)).toEqual([`${t.slug}-onboard-1`]);
    expect(w.get(t.tenantId).reconcile?.entries.map((e) => e.action)).toEqual(["start-onboarding"]);

    // The next pass finds it running: nothing more, no second execution, no second tenant.
    w.clock.advance(20);
    const again = await pass(w);
    expect(again.actions).toEqual([]);
    expect(w.workflows.executions.size).toBe(1);
    expect(w.tenants.items.size).toBe(1);
  });

  it("leaves a tenant that is still making progress alone", async () => {
    const w = new ReconcileWorld();
    await w.tenant("PROVISIONING", { ageMinutes: 2 });
    expect((await pass(w)).actions).toEqual([]);
    expect(w.workflows.calls).toEqual([]);
  });

  it("redrives an onboarding that ended without the tenant knowing, then records the failure once redrives run out", async () => {
    const w = new ReconcileWorld();
    const t = await w.tenant("PROVISIONING", { ageMinutes: 30 });
    w.workflows.ended(ONBOARDING_ARN, w.onboardingName(t), { tenantId: t.tenantId }, "ABORTED", {
      stoppedIn: "Set up namespace",
    });
    const r = await pass(w);
    expect(summary(r.actions)).toEqual(["onboarding-execution:redrive-onboarding:repaired"]);
    expect(r.actions[0]!.problem).toBe(
      `Onboarding execution ${t.slug}-onboard-1 ended ABORTED but the tenant still says PROVISIONING`,
    );
    expect(w.workflows.calls).toContain(`redrive ${t.slug}-onboard-1`);

    w.workflows.ended(ONBOARDING_ARN, w.onboardingName(t), { tenantId: t.tenantId }, "FAILED", {
      stoppedIn: "Set up namespace",
      error: "TransientError",
      cause: JSON.stringify({ errorMessage: "the cluster is unreachable" }),
      redriveCount: 3,
    });
    w.clock.advance(30);
    const r2 = await pass(w);
    expect(summary(r2.actions)).toEqual(["onboarding-execution:mark-failed:flagged"]);
    const after = w.get(t.tenantId);
    expect(after.status).toBe("FAILED");
    expect(after.failure).toMatchObject({
      step: "setupNamespace",
      error: "TransientError",
      cause: "the cluster is unreachable",
    });
    expect(after.steps.setupNamespace.status).toBe("failed");
  });

  it("past the maximum age, marks a never-started onboarding FAILED with step, error and cause", async () => {
    const w = new ReconcileWorld();
    const t = await w.tenant("PROVISIONING", { ageMinutes: 25 * 60 });
    const r = await pass(w);
    expect(summary(r.actions)).toEqual(["onboarding-execution:mark-failed:flagged"]);
    expect(w.workflows.executions.size).toBe(0);
    const failure = w.get(t.tenantId).failure!;
    expect(failure.step).toBe("reserveTenant");
    expect(failure.error).toBe("Embark.OnboardingNeverStarted");
    expect(failure.cause).toMatch(/No onboarding execution .* after 25 h .*past 24 h/);
  });
});

describe("billing events left parked", () => {
  const cancel = { id: "evt_cancel", type: "customer.subscription.deleted", created: 1, action: "cancel" };

  it("applies events still parked on an ACTIVE or SUSPENDED tenant (its onboarding-ended event was lost), once", async () => {
    const w = new ReconcileWorld();
    const active = await w.provisioned("ACTIVE");
    const suspended = await w.provisioned("SUSPENDED");
    for (const t of [active, suspended]) {
      w.tenants.items.get(t.tenantId)!.billing = { parked: { [cancel.id]: { ...cancel } } };
    }
    const r = await pass(w);
    expect(summary(r.actions)).toEqual([
      "no-parked-billing:apply-parked-billing:repaired",
      "no-parked-billing:apply-parked-billing:repaired",
    ]);
    expect(r.actions[0]!.problem).toContain("evt_cancel");
    expect(w.parkedBilling.applied).toEqual(["evt_cancel", "evt_cancel"]);
    expect((await pass(w)).actions).toEqual([]);
  });

  it("leaves events parked on a tenant still onboarding or whose onboarding failed", async () => {
    const w = new ReconcileWorld();
    const onboarding = await w.tenant("PROVISIONING", { ageMinutes: 1 });
    const failed = await w.tenant("FAILED");
    for (const t of [onboarding, failed]) {
      const item = w.tenants.items.get(t.tenantId)!;
      item.billing = { parked: { [cancel.id]: { ...cancel } } };
    }
    w.tenants.items.get(failed.tenantId)!.failure = { step: "x", error: "X", cause: "y", at: w.clock.iso() };
    await w.workflows.start(ONBOARDING_ARN, w.onboardingName(onboarding), { tenantId: onboarding.tenantId });
    await pass(w);
    expect(w.parkedBilling.applied).toEqual([]);
  });
});

describe("ACTIVE and SUSPENDED drift", () => {
  it("a deleted user pool: DEGRADED with the reason, never a silent ACTIVE; nothing re-created", async () => {
    const w = new ReconcileWorld();
    const t = await w.provisioned("ACTIVE");
    w.identity.pools.delete(t.resources.userPoolId!);
    const r = await pass(w);
    expect(summary(r.actions)).toEqual(["user-pool:degrade:flagged"]);
    const after = w.get(t.tenantId);
    expect(after.status).toBe("DEGRADED");
    expect(after.reconcile?.degraded).toMatchObject({ check: "user-pool", previousStatus: "ACTIVE" });
    expect(after.reconcile?.degraded?.reason).toContain(
      `User pool ${t.resources.userPoolId} no longer exists`,
    );
    expect(w.identity.pools.size).toBe(0);
    expect(r.degraded).toBe(1);
  });

  it("a pool not tagged as the tenant's is not the tenant's pool", async () => {
    const w = new ReconcileWorld();
    const t = await w.provisioned("ACTIVE");
    w.identity.pools.get(t.resources.userPoolId!)!.tenantId = "someone-else";
    await pass(w);
    expect(w.get(t.tenantId).reconcile?.degraded?.reason).toContain("is not tagged as this tenant's");
  });

  it("a deleted app client is re-created and its new id recorded", async () => {
    const w = new ReconcileWorld();
    const t = await w.provisioned("ACTIVE");
    w.identity.pools.get(t.resources.userPoolId!)!.clients.clear();
    const r = await pass(w);
    expect(summary(r.actions)).toEqual(["app-client:recreate-app-client:repaired"]);
    const clientId = w.get(t.tenantId).resources.userPoolClientId!;
    expect(clientId).not.toBe(t.resources.userPoolClientId);
    expect(w.identity.pools.get(t.resources.userPoolId!)!.clients.has(clientId)).toBe(true);
  });

  it("a deleted NetworkPolicy is applied again, and only it", async () => {
    const w = new ReconcileWorld();
    const t = await w.provisioned("ACTIVE");
    await w.cluster.remove({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "default-deny-all", namespace: ns(t.slug) },
    });
    w.cluster.writes.length = 0;
    const r = await pass(w);
    expect(summary(r.actions)).toEqual(["guard-rails:apply-objects:repaired"]);
    expect(r.actions[0]!.problem).toBe(
      `In namespace ${ns(t.slug)}: NetworkPolicy default-deny-all is missing`,
    );
    expect(w.cluster.writes).toEqual([`apply NetworkPolicy/${ns(t.slug)}/default-deny-all`]);
    expect((await pass(w)).actions).toEqual([]);
  });

  it("an edited quota is put back, naming the field; an extra key apply cannot remove is deleted and re-created", async () => {
    const w = new ReconcileWorld();
    const t = await w.provisioned("ACTIVE");
    const quota = {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "tenant-quota", namespace: ns(t.slug) },
    };
    w.cluster.edit(quota, (q) => {
      const hard = (q.spec as { hard: Record<string, string> }).hard;
      hard.pods = "500";
      hard["count/secrets"] = "1000";
    });
    const r = await pass(w);
    expect(summary(r.actions)).toEqual(["guard-rails:apply-objects:repaired"]);
    expect(r.actions[0]!.problem).toContain(
      `spec.hard.pods is "500", Embark sets "${DEFAULT_PLANS.find((p) => p.id === "standard")!.quota.pods}"`,
    );
    expect(r.actions[0]!.problem).toContain('spec.hard.count/secrets was added ("1000")');
    const [live] = await w.cluster.read([quota]);
    const standard = DEFAULT_PLANS.find((p) => p.id === "standard")!;
    expect((live!.spec as { hard: Record<string, string> }).hard).toEqual(standard.quota);
    expect(w.cluster.writes).toContain(`delete ResourceQuota/${ns(t.slug)}/tenant-quota`);
  });

  it("a deleted namespace is re-created with every guard rail; a relabelled one gets its Pod Security labels back", async () => {
    const w = new ReconcileWorld();
    const t = await w.provisioned("ACTIVE");
    const objects = w.cluster.objects.size;
    await w.cluster.startNamespaceDelete(ns(t.slug));
    const r = await pass(w);
    expect(summary(r.actions)).toEqual(["namespace:apply-objects:repaired"]);
    expect(r.actions[0]!.problem).toContain("does not exist (deleted outside Embark)");
    expect(w.cluster.objects.size).toBe(objects);

    w.cluster.edit({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns(t.slug) } }, (n) => {
      n.metadata.labels!["pod-security.kubernetes.io/enforce"] = "privileged";
    });
    const r2 = await pass(w);
    expect(r2.actions[0]!.problem).toContain(
      'metadata.labels["pod-security.kubernetes.io/enforce"] is "privileged"',
    );
    const [nsLive] = await w.cluster.read([
      { apiVersion: "v1", kind: "Namespace", metadata: { name: ns(t.slug) } },
    ]);
    expect(nsLive!.metadata.labels!["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("a SUSPENDED tenant's quota must allow no pods", async () => {
    const w = new ReconcileWorld();
    const t = await w.provisioned("SUSPENDED");
    const quota = {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "tenant-quota", namespace: ns(t.slug) },
    };
    w.cluster.edit(quota, (q) => {
      (q.spec as { hard: Record<string, string> }).hard.pods = "50";
    });
    await pass(w);
    const [live] = await w.cluster.read([quota]);
    expect((live!.spec as { hard: Record<string, string> }).hard.pods).toBe("0");
  });

  it("a CANCELLED tenant: users disabled again, pods 0 kept, a lost purge schedule made again; never purged early", async () => {
    const w = new ReconcileWorld();
    const t = await w.provisioned("CANCELLED");
    const purgeAfter = new Date(w.clock.t + 3_600_000).toISOString();
    const stored = w.tenants.items.get(t.tenantId)!;
    Object.assign(stored, {
      purgeAfter,
      cancelledAt: new Date(w.clock.t).toISOString(),
      cancellation: { eventId: "evt_c", graceSeconds: 3600 },
      runs: { cancel: 1 },
    });
    w.identity.pools.get(t.resources.userPoolId!)!.enabledUsers = 2;
    await pass(w);
    expect(w.identity.pools.get(t.resources.userPoolId!)!.enabledUsers).toBe(0);
    expect(await w.purgeSchedules.describe(t.tenantId)).toEqual({
      at: purgeAfter,
      target: { tenantId: t.tenantId, eventId: "evt_c" },
    });
    const after = w.get(t.tenantId);
    expect(after.status).toBe("CANCELLED");
    expect(after.reconcile?.entries.map((e) => `${e.check} ${e.action}`).sort()).toEqual([
      "export-recorded flag", // no export on the record: its cancel execution did not get that far
      "purge-timer schedule-purge",
      "retained-pool disable-users",
    ]);
    // Nothing started the purge, and the pool and namespace are still there.
    expect([...w.workflows.executions.keys()].filter((k) => k.includes("offboard"))).toEqual([]);
    expect(w.identity.pools.has(t.resources.userPoolId!)).toBe(true);
  });

  it("quantities are compared by value, as the API server normalises them", async () => {
    const w = new ReconcileWorld();
    const t = await w.provisioned("ACTIVE");
    w.cluster.edit(
      { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "tenant-quota", namespace: ns(t.slug) } },
      (q) => {
        (q.spec as { hard: Record<string, string> }).hard["requests.memory"] = "8192Mi";
      },
    );
    expect((await pass(w)).actions).toEqual([]);
  });
});

describe("DEGRADED", () => {
  it("returns to its previous status once the lost pool is the tenant's again", async () => {
    const w = new ReconcileWorld();
    const t = await w.provisioned("SUSPENDED");
    const pool = w.identity.pools.get(t.resources.userPoolId!)!;
    w.identity.pools.delete(t.resources.userPoolId!);
    await pass(w);
    expect(w.get(t.tenantId).status).toBe("DEGRADED");

    w.identity.pools.set(t.resources.userPoolId!, pool);
    const r = await pass(w);
    expect(summary(r.actions)).toEqual(["degradation-recorded:restore:repaired"]);
    const after = w.get(t.tenantId);
    expect(after.status).toBe("SUSPENDED");
    expect(after.reconcile?.degraded).toBeUndefined();
    expect(after.reconcile?.entries.map((e) => e.action)).toEqual(["degrade", "restore"]);
  });

  it("keeps repairing what it can: its guard rails", async () => {
    const w = new ReconcileWorld();
    const t = await w.provisioned("ACTIVE");
    w.identity.pools.delete(t.resources.userPoolId!);
    await pass(w);
    await w.cluster.remove({
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: { name: "tenant-limits", namespace: ns(t.slug) },
    });
    const r = await pass(w);
    expect(summary(r.actions)).toEqual(["guard-rails:apply-objects:repaired"]);
  });
});

describe("FAILED, OFFBOARDING", () => {
  it("a FAILED tenant without a failure gets it from the execution's history", async () => {
    const w = new ReconcileWorld();
    const t = await w.tenant("FAILED");
    w.workflows.ended(ONBOARDING_ARN, w.onboardingName(t), { tenantId: t.tenantId }, "TIMED_OUT", {
      stoppedIn: "Run deployment pipeline",
    });
    const r = await pass(w);
    expect(summary(r.actions)).toEqual(["failure-recorded:record-failure:flagged"]);
    expect(w.get(t.tenantId).failure).toMatchObject({ step: "runPipeline", error: "States.TIMED_OUT" });
  });

  it("a stalled offboarding whose failure nobody recorded is redriven; a recorded one is left to operators", async () => {
    const w = new ReconcileWorld();
    const t = await w.tenant("OFFBOARDING", { ageMinutes: 30 });
    w.tenants.items.get(t.tenantId)!.runs = { offboard: 2 };
    w.workflows.ended(OFFBOARD_ARN, `${t.slug}-offboard-2`, { tenantId: t.tenantId }, "FAILED", {
      error: "States.TaskFailed",
    });
    const r = await pass(w);
    expect(summary(r.actions)).toEqual(["offboard-execution:redrive-offboarding:repaired"]);

    w.workflows.ended(OFFBOARD_ARN, `${t.slug}-offboard-2`, { tenantId: t.tenantId }, "FAILED", {});
    const stored = w.tenants.items.get(t.tenantId)!;
    stored.workflowFailure = {
      workflow: "offboard",
      execution: `${t.slug}-offboard-2`,
      step: "x",
      error: "y",
      cause: "z",
      at: w.clock.iso(),
    };
    stored.updatedAt = new Date(w.clock.t - 60 * 60_000).toISOString();
    expect((await pass(w)).actions).toEqual([]);
  });
});

describe("OFFBOARDED leftovers and orphans", () => {
  it("removes a recorded pool, the namespace and a running pipeline run", async () => {
    const w = new ReconcileWorld();
    const t = await w.provisioned("ACTIVE");
    const stored = w.tenants.items.get(t.tenantId)!;
    stored.status = "OFFBOARDED";
    stored.resources.pipelineExecutionId = "run-1";
    w.pipeline.runs.set("run-1", "InProgress");
    const r = await pass(w);
    expect(summary(r.actions).sort()).toEqual([
      "no-namespace:delete-namespace:repaired",
      "no-pipeline-run:stop-pipeline-run:repaired",
      "no-user-pool:delete-user-pool:repaired",
    ]);
    expect(w.identity.pools.size).toBe(0);
    expect(w.cluster.objects.size).toBe(0);
    expect(w.pipeline.runs.get("run-1")).toBe("Stopped");
    expect(w.get(t.tenantId).reconcile?.entries).toHaveLength(3);
    expect((await pass(w)).actions).toEqual([]);
  });

  it("reports an orphan within its grace period, deletes it after, and never deletes a pool not tagged as Embark's", async () => {
    const w = new ReconcileWorld();
    const ghost = "0b8f7c2e-5d1a-4c3b-9e6f-1a2b3c4d5e6f";
    const stranger = "1c9e8d3f-6e2b-4d4c-8f7a-2b3c4d5e6f70";
    w.identity.addPool(ghost);
    w.identity.addPool(stranger, { tagged: false });
    const r = await pass(w, { orphanGraceMinutes: 60 });
    expect(summary(r.actions)).toEqual([
      "orphan-user-pool:await-grace:flagged",
      "orphan-user-pool:await-grace:flagged",
    ]);
    expect(w.identity.pools.size).toBe(2);

    w.clock.advance(61);
    const r2 = await pass(w, { orphanGraceMinutes: 60 });
    const byTenant = Object.fromEntries(r2.actions.map((a) => [a.tenantId, a]));
    expect(byTenant[ghost]).toMatchObject({ action: "delete-user-pool", outcome: "repaired" });
    expect(byTenant[stranger]).toMatchObject({ action: "delete-user-pool", outcome: "failed" });
    expect(byTenant[stranger]!.error).toContain("is not tagged as tenant");
    expect([...w.identity.pools.values()].map((p) => p.name)).toEqual([`embark-tenant-${stranger}`]);
  });

  it("a namespace labelled for a tenant that does not exist is deleted after the grace period", async () => {
    const w = new ReconcileWorld();
    const t = await w.provisioned("ACTIVE");
    w.tenants.items.delete(t.tenantId);
    w.identity.pools.clear();
    w.clock.advance(24 * 60 + 1);
    const r = await pass(w);
    expect(summary(r.actions)).toEqual(["orphan-namespace:delete-namespace:repaired"]);
    expect(w.cluster.objects.size).toBe(0);
  });

  it("deletes dead letters about offboarded tenants and puts the others back", async () => {
    const w = new ReconcileWorld();
    const gone = await w.tenant("OFFBOARDED");
    const live = await w.tenant("PROVISIONING", { ageMinutes: 1 });
    w.signupsDlq.add({ tenantId: gone.tenantId }, w.clock.now());
    w.signupsDlq.add({ tenantId: live.tenantId }, w.clock.now());
    const r = await pass(w);
    expect(summary(r.actions)).toEqual(["no-dead-letters:delete-dead-letter:repaired"]);
    expect(w.signupsDlq.messages.map((m) => [m.body, m.hidden])).toEqual([
      [{ tenantId: live.tenantId }, false],
    ]);
    expect(r.sweep.deadLetters).toEqual([{ queue: "embark-signups-dlq", depth: 2, inspected: 2 }]);
  });
});

describe("dry run", () => {
  it("reports every repair as planned and changes nothing, not even the cursor", async () => {
    const w = new ReconcileWorld();
    const a = await w.provisioned("ACTIVE");
    w.identity.pools.delete(a.resources.userPoolId!);
    const b = await w.provisioned("ACTIVE");
    await w.cluster.startNamespaceDelete(ns(b.slug));
    await w.tenant("PROVISIONING", { ageMinutes: 30 });
    w.signupsDlq.add({ tenantId: "0b8f7c2e-5d1a-4c3b-9e6f-1a2b3c4d5e6f" }, new Date(0));
    const before = w.snapshot();

    const r = await pass(w, {}, true);

    expect(r.dryRun).toBe(true);
    expect(r.actions.map((x) => x.outcome)).toEqual(["planned", "planned", "planned"]);
    expect(summary(r.actions).sort()).toEqual([
      "namespace:apply-objects:planned",
      "onboarding-execution:start-onboarding:planned",
      "user-pool:degrade:planned",
    ]);
    expect(w.snapshot()).toEqual(before);
    expect(w.store.cursorWrites).toBe(0);
    expect(r.sweep.deadLetters).toEqual([{ queue: "embark-signups-dlq", depth: 1, inspected: 0 }]);
  });
});

describe("bounded work", () => {
  it("checks at most the budget per status, round-robin from the cursor, and says when it continues", async () => {
    const w = new ReconcileWorld();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await w.provisioned("ACTIVE", { ageMinutes: 100 - i })).tenantId);
    const seen: string[][] = [];
    for (let i = 0; i < 4; i++) {
      w.identity.calls.length = 0;
      const r = await pass(w, { perStatus: { ACTIVE: 2 } });
      seen.push(w.identity.calls.filter((c) => c.startsWith("describePool")).map((c) => c.split(" ")[1]!));
      expect(r.checked.ACTIVE).toBe(i === 2 ? 1 : 2);
      expect(r.continued.includes("ACTIVE")).toBe(i !== 2);
    }
    const pools = ids.map((id) => w.get(id).resources.userPoolId);
    expect(seen).toEqual([pools.slice(0, 2), pools.slice(2, 4), pools.slice(4), pools.slice(0, 2)]);
  });

  it("a check that cannot read is reported as failed and the others go on", async () => {
    const w = new ReconcileWorld();
    const t = await w.provisioned("ACTIVE");
    w.identity.describePool = async () => {
      throw Object.assign(new Error("Rate exceeded"), { name: "TooManyRequestsException" });
    };
    await w.cluster.remove({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "tenant-workloads", namespace: ns(t.slug) },
    });
    const r = await pass(w);
    expect(summary(r.actions)).toEqual([
      "user-pool:flag:failed",
      "app-client:flag:failed",
      "guard-rails:apply-objects:repaired",
    ]);
    expect(r.actions[0]!.error).toBe("TooManyRequestsException: Rate exceeded");
  });

  it("a condition that stays is recorded on the tenant once, not every pass; a repair every time", async () => {
    const w = new ReconcileWorld();
    const t = await w.provisioned("ACTIVE", { plan: "standard" });
    w.tenants.items.get(t.tenantId)!.plan = "retired";
    const first = await pass(w);
    expect(summary(first.actions)).toEqual(["namespace:flag:flagged"]);
    expect(first.actions[0]!.problem).toBe(
      'Plan "retired" is not in the catalog: the namespace and guard rails cannot be checked',
    );
    w.tenants.writes.length = 0;
    expect(summary((await pass(w)).actions)).toEqual(["namespace:flag:flagged"]);
    expect(w.tenants.writes).toEqual([]);
    expect(w.get(t.tenantId).reconcile?.entries).toHaveLength(1);

    w.tenants.items.get(t.tenantId)!.plan = "standard";
    for (let i = 0; i < 2; i++) {
      await w.cluster.remove({
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: "tenant-workloads", namespace: ns(t.slug) },
      });
      await pass(w);
    }
    expect(w.get(t.tenantId).reconcile?.entries.map((e) => e.action)).toEqual([
      "flag",
      "apply-objects",
      "apply-objects",
    ]);
  });

  it("a targeted pass checks the tenants asked for, by slug or id, whatever their budget", async () => {
    const w = new ReconcileWorld();
    const t = await w.provisioned("ACTIVE");
    w.identity.pools.get(t.resources.userPoolId!)!.clients.clear();
    const r = await only(w, [t.slug, "0b8f7c2e-5d1a-4c3b-9e6f-1a2b3c4d5e6f"], { perStatus: { ACTIVE: 0 } });
    expect(summary(r.actions)).toEqual(["app-client:recreate-app-client:repaired"]);
    expect(r.notFound).toEqual(["0b8f7c2e-5d1a-4c3b-9e6f-1a2b3c4d5e6f"]);
    expect(w.store.cursorWrites).toBe(0);
  });
});
