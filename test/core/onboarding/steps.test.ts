/**
 * The onboarding steps (core/onboarding/steps.ts, run-step.ts, pipeline-callback.ts) on in-memory fakes
 * (test/support/fakes/): what each step records on the tenant and returns, that a re-run makes nothing twice
 * (also after a crash right after a side effect), redrives, and how errors are recorded on the step.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { tenantObjects } from "../../../core/cluster/tenant-objects.js";
import { onPipelineStateChange, PipelineStateChange } from "../../../core/onboarding/pipeline-callback.js";
import {
  activateTenant,
  createIdentity,
  reserveTenant,
  setupNamespace,
  startPipeline,
} from "../../../core/onboarding/steps.js";
import { DEFAULT_PLANS } from "../../../core/plans/catalog.js";
import { UnknownPlanError } from "../../../core/plans/errors.js";
import { TenantNotFoundError } from "../../../core/tenant/errors.js";
import type { OnboardingStep, Tenant } from "../../../core/tenant/model.js";
import { type Fakes, fakes, signUp } from "../../support/fakes/deps.js";
import { InjectedFault, sdkError } from "../../support/fakes/recording.js";

let f: Fakes;
beforeEach(() => {
  f = fakes();
});

const plan = (id: string) => structuredClone(DEFAULT_PLANS.find((p) => p.id === id)!);
const stored = (t: Pick<Tenant, "tenantId">) => f.tenants.require(t.tenantId);
const progress = async (t: Pick<Tenant, "tenantId">, step: OnboardingStep) => (await stored(t)).steps[step];
/** What record-failure does when the execution fails at a step. */
const failOnboarding = (t: Tenant, step: OnboardingStep) =>
  f.tenants.transition(t.tenantId, "FAILED", {
    failure: { step, error: "States.Failed", cause: "it failed", at: new Date().toISOString() },
  });

describe("reserveTenant", () => {
  it("returns the tenant's plan and whether it gets dedicated resources, and marks the step done", async () => {
    const standard = await signUp(f, { plan: "standard" });
    const enterprise = await signUp(f, { plan: "enterprise" });
    expect(await reserveTenant(f.deps, standard)).toEqual({
      tenantId: standard.tenantId,
      slug: standard.slug,
      plan: "standard",
      dedicatedResources: false,
    });
    expect((await reserveTenant(f.deps, enterprise)).dedicatedResources).toBe(true);
    expect(await progress(standard, "reserveTenant")).toMatchObject({ status: "done", attempts: 1 });
    expect((await progress(standard, "reserveTenant")).error).toBeUndefined();
  });

  it("reads the plan from the plan store, so an operator's edit applies", async () => {
    await f.plans.put({ ...plan("standard"), dedicatedResources: true });
    const t = await signUp(f, { plan: "standard" });
    expect((await reserveTenant(f.deps, t)).dedicatedResources).toBe(true);
  });

  it("fails, not retrying, on a plan the catalog does not have", async () => {
    const t = await signUp(f, { plan: "platinum" });
    await expect(reserveTenant(f.deps, t)).rejects.toBeInstanceOf(UnknownPlanError);
    expect(await progress(t, "reserveTenant")).toMatchObject({
      status: "failed",
      attempts: 1,
      error: { name: "UnknownPlanError" },
    });
  });

  it("refuses a tenant that does not exist, writing nothing", async () => {
    await expect(
      reserveTenant(f.deps, { tenantId: "8c0e4ed3-8f4b-4a63-9a39-1f1e33b1f7c1" }),
    ).rejects.toBeInstanceOf(TenantNotFoundError);
    expect(f.tenants.items.size).toBe(0);
  });
});

describe("createIdentity", () => {
  it("makes one tagged pool, records its id first, then the client and admin user", async () => {
    const t = await signUp(f);
    const result = await createIdentity(f.deps, t);

    const pools = f.identity.poolsOf(t.tenantId);
    expect(pools.map((p) => p.id)).toEqual([result.userPoolId]);
    const pool = pools[0]!;
    expect(pool.tags).toEqual({ tenantId: t.tenantId, slug: t.slug });
    expect(result).toEqual({ userPoolId: pool.id, userPoolClientId: pool.clients[0] });
    const [username, admin] = [...pool.users][0]!;
    expect(admin).toMatchObject({ email: t.adminEmail, enabled: true });
    expect([...admin.groups]).toEqual(["admins"]);

    expect((await stored(t)).resources).toEqual({ ...result, adminUsername: username });
    // The pool's id is recorded on its own, before anything else could fail.
    expect(f.tenants.callsTo("setResources")[0]).toEqual([t.tenantId, { userPoolId: pool.id }]);
    expect(await progress(t, "createIdentity")).toMatchObject({ status: "done", attempts: 1 });
  });

  it("re-run after success, reuses the recorded pool and client: same result, nothing made twice", async () => {
    const t = await signUp(f);
    const first = await createIdentity(f.deps, t);
    const second = await createIdentity(f.deps, t);

    expect(second).toEqual(first);
    expect(f.identity.poolsCreated).toBe(1);
    const [pool] = f.identity.poolsOf(t.tenantId);
    expect(pool?.clients).toHaveLength(1);
    expect(pool?.users.size).toBe(1);
    expect(f.identity.callsTo("ensureTenantIdentity")[1]?.[0]).toMatchObject({ known: first });
    expect(await progress(t, "createIdentity")).toMatchObject({ status: "done", attempts: 2 });
  });

  it("crash after CreateUserPool once the pool is recorded: the retry reuses the recorded pool", async () => {
    const t = await signUp(f);
    f.identity.failOn("poolRecorded");
    await expect(createIdentity(f.deps, t)).rejects.toBeInstanceOf(InjectedFault);
    const [orphan] = f.identity.poolsOf(t.tenantId);
    expect((await stored(t)).resources).toEqual({ userPoolId: orphan?.id });

    const retry = await createIdentity(f.deps, t);
    expect(retry.userPoolId).toBe(orphan?.id);
    expect(f.identity.poolsCreated).toBe(1);
    expect(f.identity.poolsOf(t.tenantId)).toHaveLength(1);
    expect(await progress(t, "createIdentity")).toMatchObject({ status: "done", attempts: 2 });
  });

  it("crash between CreateUserPool and recording it: the retry finds the pool by its tags", async () => {
    const t = await signUp(f);
    f.identity.failOn("poolCreated");
    await expect(createIdentity(f.deps, t)).rejects.toBeInstanceOf(InjectedFault);
    expect((await stored(t)).resources.userPoolId).toBeUndefined();
    const [unrecorded] = f.identity.poolsOf(t.tenantId);

    const retry = await createIdentity(f.deps, t);
    expect(retry.userPoolId).toBe(unrecorded?.id);
    expect(f.identity.poolsCreated).toBe(1);
    expect(f.identity.poolsOf(t.tenantId)).toHaveLength(1);
    expect((await stored(t)).resources.userPoolId).toBe(unrecorded?.id);
  });

  it("records a Cognito server error as retrying (TransientError) and clears it on the next success", async () => {
    const t = await signUp(f);
    f.identity.failOn("ensureTenantIdentity", { error: sdkError("InternalErrorException", { status: 500 }) });
    const err = await createIdentity(f.deps, t).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "TransientError" });
    const retrying = await progress(t, "createIdentity");
    expect(retrying.status).toBe("retrying");
    expect(retrying.error?.name).toBe("TransientError");
    expect(retrying.error?.message).toContain("InternalErrorException");

    await createIdentity(f.deps, t);
    const done = await progress(t, "createIdentity");
    expect(done).toMatchObject({ status: "done", attempts: 2 });
    expect(done.error).toBeUndefined();
  });

  it("records a throttling error, already retryable by its name, as retrying under that name", async () => {
    const t = await signUp(f);
    f.identity.failOn("ensureTenantIdentity", {
      error: sdkError("TooManyRequestsException", { status: 400, retryable: true }),
    });
    await expect(createIdentity(f.deps, t)).rejects.toMatchObject({ name: "TooManyRequestsException" });
    expect(await progress(t, "createIdentity")).toMatchObject({
      status: "retrying",
      error: { name: "TooManyRequestsException" },
    });
  });

  it("records an error retrying cannot fix as failed, under its own name", async () => {
    const t = await signUp(f);
    f.identity.failOn("ensureTenantIdentity", { error: sdkError("InvalidParameterException") });
    await expect(createIdentity(f.deps, t)).rejects.toMatchObject({ name: "InvalidParameterException" });
    expect(await progress(t, "createIdentity")).toMatchObject({
      status: "failed",
      error: { name: "InvalidParameterException" },
    });
  });

  it("is a redrive when the tenant is FAILED: the tenant goes back to PROVISIONING, its failure cleared", async () => {
    const t = await signUp(f);
    await failOnboarding(t, "createIdentity");
    await createIdentity(f.deps, t);
    const after = await stored(t);
    expect(after.status).toBe("PROVISIONING");
    expect(after.failure).toBeUndefined();
    expect(after.steps.createIdentity.status).toBe("done");
    expect(f.identity.poolsOf(t.tenantId)).toHaveLength(1);
  });

  it("a late invocation of a failed run (its execution not running) leaves the tenant FAILED with its failure", async () => {
    // The soak: setupNamespace failed the Parallel while createIdentity was in flight; its duplicate invocation
    // then found the tenant FAILED, took itself for a redrive and left the tenant PROVISIONING, nothing running.
    const t = await signUp(f);
    await failOnboarding(t, "setupNamespace");
    const ended = { ...f.deps, onboarding: { isRunning: async () => false } };
    await expect(createIdentity(ended, t)).rejects.toMatchObject({ name: "TransientError" });
    const after = await stored(t);
    expect(after.status).toBe("FAILED");
    expect(after.failure).toMatchObject({ step: "setupNamespace" });
    expect(f.identity.poolsOf(t.tenantId)).toHaveLength(0);

    // Redriven (the execution runs again): the same step moves the tenant back and does its work.
    const redriven = { ...f.deps, onboarding: { isRunning: async (slug: string) => slug === t.slug } };
    await createIdentity(redriven, t);
    expect((await stored(t)).status).toBe("PROVISIONING");
    expect(f.identity.poolsOf(t.tenantId)).toHaveLength(1);
  });

  it("both branches of a redriven Parallel run at once: one moves the tenant back, neither fails", async () => {
    const t = await signUp(f);
    await failOnboarding(t, "createIdentity");
    await Promise.all([createIdentity(f.deps, t), setupNamespace(f.deps, t)]);
    const after = await stored(t);
    expect(after.status).toBe("PROVISIONING");
    expect(after.steps.createIdentity.status).toBe("done");
    expect(after.steps.setupNamespace.status).toBe("done");
    expect(f.tenants.callsTo("transition").map(([, to]) => to)).toEqual([
      "FAILED",
      "PROVISIONING",
      "PROVISIONING",
    ]);
  });
});

describe("setupNamespace", () => {
  it("applies the tenant's objects for its plan, grants its admins access and records the namespace", async () => {
    const t = await signUp(f, { plan: "free" });
    const namespace = `tenant-${t.slug}`;
    expect(await setupNamespace(f.deps, t)).toEqual({ namespace });

    const expected = tenantObjects({ tenantId: t.tenantId, slug: t.slug, plan: plan("free") });
    expect(f.cluster.objects.size).toBe(expected.length);
    for (const o of expected)
      expect(f.cluster.object(o.kind, o.metadata.name, o.metadata.namespace)).toEqual(o);
    expect([...f.cluster.access]).toEqual([`${t.slug}/${namespace}`]);
    expect((await stored(t)).resources.namespace).toBe(namespace);
    expect(await progress(t, "setupNamespace")).toMatchObject({ status: "done", attempts: 1 });
  });

  it("takes quota and limits from the plan store (an operator's edit)", async () => {
    const edited = plan("standard");
    edited.quota.pods = "7";
    await f.plans.put(edited);
    const t = await signUp(f, { plan: "standard" });
    await setupNamespace(f.deps, t);
    const [quota] = f.cluster.objectsIn(`tenant-${t.slug}`).filter((o) => o.kind === "ResourceQuota");
    expect(quota).toMatchObject({ spec: { hard: { pods: "7" } } });
  });

  it("re-applying is a no-op: nothing changes in the cluster the second time", async () => {
    const t = await signUp(f);
    await setupNamespace(f.deps, t);
    const changes = f.cluster.changes;
    expect(await setupNamespace(f.deps, t)).toEqual({ namespace: `tenant-${t.slug}` });
    expect(f.cluster.count("apply")).toBe(2);
    expect(f.cluster.changes).toBe(changes);
    expect(f.connections()).toBe(2); // a fresh cluster connection per invocation
    expect(await progress(t, "setupNamespace")).toMatchObject({ status: "done", attempts: 2 });
  });

  it("crash after the apply, before recording: the retry re-applies (no change) and records the namespace", async () => {
    const t = await signUp(f);
    f.cluster.failOn("applied");
    await expect(setupNamespace(f.deps, t)).rejects.toBeInstanceOf(InjectedFault);
    expect(f.cluster.hasNamespace(`tenant-${t.slug}`)).toBe(true);
    expect((await stored(t)).resources.namespace).toBeUndefined();
    const changes = f.cluster.changes;

    await setupNamespace(f.deps, t);
    expect(f.cluster.changes).toBe(changes);
    expect((await stored(t)).resources.namespace).toBe(`tenant-${t.slug}`);
  });

  it("records an API server error (5xx) as retrying", async () => {
    const t = await signUp(f);
    f.cluster.failOn("apply", { error: sdkError("InternalError", { status: 503 }) });
    await expect(setupNamespace(f.deps, t)).rejects.toMatchObject({ name: "TransientError" });
    expect(await progress(t, "setupNamespace")).toMatchObject({
      status: "retrying",
      error: { name: "TransientError" },
    });
  });
});

describe("startPipeline (Run deployment pipeline)", () => {
  it("starts one run with the tenant's variables, remembers the task token and stays running", async () => {
    const t = await signUp(f, { plan: "enterprise" });
    const { pipelineExecutionId } = await startPipeline(f.deps, {
      tenantId: t.tenantId,
      taskToken: "token-1",
    });

    expect(f.pipeline.callsTo("start")).toEqual([
      [
        {
          clientRequestToken: `${t.tenantId}-first`,
          variables: { TENANT_ID: t.tenantId, TENANT_SLUG: t.slug, TENANT_PLAN: "enterprise" },
        },
      ],
    ]);
    expect([...f.pipeline.runs.keys()]).toEqual([pipelineExecutionId]);
    expect((await stored(t)).resources.pipelineExecutionId).toBe(pipelineExecutionId);
    expect(await f.tenants.getPipelineWaiter(t.tenantId)).toBe("token-1");
    expect(await progress(t, "runPipeline")).toMatchObject({ status: "running", attempts: 1 });
    expect(f.tasks.answers).toEqual([]);
  });

  it("a retry while the run is in progress re-attaches to it with the new task token", async () => {
    const t = await signUp(f, { plan: "enterprise" });
    const first = await startPipeline(f.deps, { tenantId: t.tenantId, taskToken: "token-1" });
    const again = await startPipeline(f.deps, { tenantId: t.tenantId, taskToken: "token-2" });
    expect(again).toEqual(first);
    expect(f.pipeline.count("start")).toBe(1);
    expect(await f.tenants.getPipelineWaiter(t.tenantId)).toBe("token-2");
    expect(await progress(t, "runPipeline")).toMatchObject({ status: "running", attempts: 2 });
  });

  it("crash after starting the run: the retry's start, with the same client request token, gets the same run", async () => {
    const t = await signUp(f, { plan: "enterprise" });
    f.pipeline.failOn("started");
    await expect(
      startPipeline(f.deps, { tenantId: t.tenantId, taskToken: "token-1" }),
    ).rejects.toBeInstanceOf(InjectedFault);
    expect((await stored(t)).resources.pipelineExecutionId).toBeUndefined();
    const [started] = [...f.pipeline.runs.keys()];

    const retry = await startPipeline(f.deps, { tenantId: t.tenantId, taskToken: "token-2" });
    expect(retry.pipelineExecutionId).toBe(started);
    expect(f.pipeline.runs.size).toBe(1);
    const tokens = f.pipeline
      .callsTo("start")
      .map(([input]) => (input as { clientRequestToken: string }).clientRequestToken);
    expect(tokens).toEqual([`${t.tenantId}-first`, `${t.tenantId}-first`]);
    expect((await stored(t)).resources.pipelineExecutionId).toBe(started);
  });

  it("answers the task itself when the run has already succeeded, and marks the step done", async () => {
    const t = await signUp(f, { plan: "enterprise" });
    f.pipeline.runsEndAs = "Succeeded";
    const { pipelineExecutionId } = await startPipeline(f.deps, {
      tenantId: t.tenantId,
      taskToken: "token-1",
    });
    expect(f.tasks.answers).toEqual([
      { taskToken: "token-1", outcome: "success", output: { pipelineExecutionId, status: "Succeeded" } },
    ]);
    expect(await progress(t, "runPipeline")).toMatchObject({ status: "done", attempts: 1 });
  });

  it("fails the task and the step (PipelineFailed, not retrying) when the run has already failed", async () => {
    const t = await signUp(f, { plan: "enterprise" });
    f.pipeline.runsEndAs = "Failed";
    const { pipelineExecutionId } = await startPipeline(f.deps, {
      tenantId: t.tenantId,
      taskToken: "token-1",
    });
    const cause = `Pipeline run ${pipelineExecutionId} ended Failed`;
    expect(f.tasks.answers).toEqual([
      { taskToken: "token-1", outcome: "failure", error: "PipelineFailed", cause },
    ]);
    expect(await progress(t, "runPipeline")).toMatchObject({
      status: "failed",
      error: { name: "PipelineFailed", message: cause },
    });
  });

  it("a redrive after a failed run starts a new run, its token derived from the failed one", async () => {
    const t = await signUp(f, { plan: "enterprise" });
    const failed = await startPipeline(f.deps, { tenantId: t.tenantId, taskToken: "token-1" });
    f.pipeline.finish(failed.pipelineExecutionId, "Failed");
    await failOnboarding(t, "runPipeline");

    const redriven = await startPipeline(f.deps, { tenantId: t.tenantId, taskToken: "token-2" });
    expect(redriven.pipelineExecutionId).not.toBe(failed.pipelineExecutionId);
    expect(f.pipeline.callsTo("start")[1]?.[0]).toMatchObject({
      clientRequestToken: `${t.tenantId}-after-${failed.pipelineExecutionId}`,
    });
    const after = await stored(t);
    expect(after.status).toBe("PROVISIONING");
    expect(after.failure).toBeUndefined();
    expect(after.resources.pipelineExecutionId).toBe(redriven.pipelineExecutionId);
    // A retry of the redriven step re-attaches to its run.
    expect(await startPipeline(f.deps, { tenantId: t.tenantId, taskToken: "token-3" })).toEqual(redriven);
    expect(f.pipeline.runs.size).toBe(2);
  });

  it("a retry after the run succeeded answers the new token at once, starting nothing", async () => {
    const t = await signUp(f, { plan: "enterprise" });
    const first = await startPipeline(f.deps, { tenantId: t.tenantId, taskToken: "token-1" });
    f.pipeline.finish(first.pipelineExecutionId, "Succeeded");
    await startPipeline(f.deps, { tenantId: t.tenantId, taskToken: "token-2" });
    expect(f.pipeline.count("start")).toBe(1);
    expect(f.tasks.answerOf("token-2")).toMatchObject({ outcome: "success" });
    expect(await progress(t, "runPipeline")).toMatchObject({ status: "done" });
  });
});

describe("pipeline callback", () => {
  function change(
    executionId: string,
    state: string,
    pipeline = f.pipeline.pipelineName,
  ): PipelineStateChange {
    return PipelineStateChange.parse({
      version: "0",
      id: "7f1a3c56-1d34-4b5e-9c3a-0c1f2e3d4a5b",
      "detail-type": "CodePipeline Pipeline Execution State Change",
      source: "aws.codepipeline",
      account: "000000000000",
      time: new Date().toISOString(),
      region: "us-east-1",
      resources: [],
      detail: { pipeline, "execution-id": executionId, state },
    });
  }

  async function waiting(taskToken = "token-1") {
    const t = await signUp(f, { plan: "enterprise" });
    const { pipelineExecutionId } = await startPipeline(f.deps, { tenantId: t.tenantId, taskToken });
    return { t, run: pipelineExecutionId };
  }

  it("answers the waiting task when the tenant's run succeeds, and marks the step done", async () => {
    const { t, run } = await waiting();
    f.pipeline.finish(run, "Succeeded");
    expect(await onPipelineStateChange(f.deps, change(run, "SUCCEEDED"))).toBe("answered");
    expect(f.tasks.answers).toEqual([
      { taskToken: "token-1", outcome: "success", output: { pipelineExecutionId: run, status: "Succeeded" } },
    ]);
    expect(await progress(t, "runPipeline")).toMatchObject({ status: "done" });
  });

  it("fails the waiting task with the run's summary when the run fails", async () => {
    const { t, run } = await waiting();
    f.pipeline.finish(run, "Failed", "Stage Deploy failed");
    expect(await onPipelineStateChange(f.deps, change(run, "FAILED"))).toBe("answered");
    const cause = `Pipeline run ${run} ended Failed: Stage Deploy failed`;
    expect(f.tasks.answers).toEqual([
      { taskToken: "token-1", outcome: "failure", error: "PipelineFailed", cause },
    ]);
    expect(await progress(t, "runPipeline")).toMatchObject({
      status: "failed",
      error: { name: "PipelineFailed" },
    });
  });

  it("sends a heartbeat while the run is in progress", async () => {
    const { run } = await waiting();
    expect(await onPipelineStateChange(f.deps, change(run, "STARTED"))).toBe("heartbeat");
    expect(f.tasks.heartbeats).toEqual(["token-1"]);
    expect(f.tasks.answers).toEqual([]);
  });

  it("answers once and forgets the token: a re-delivered end event finds no waiter", async () => {
    const { t, run } = await waiting();
    f.pipeline.finish(run, "Succeeded");
    await onPipelineStateChange(f.deps, change(run, "SUCCEEDED"));
    // The soak's secrets scan found answered task tokens left in the tenants table.
    expect(await f.tenants.getPipelineWaiter(t.tenantId)).toBeUndefined();
    expect(await onPipelineStateChange(f.deps, change(run, "SUCCEEDED"))).toBe("ignored");
    expect(f.tasks.count("succeed")).toBe(1);
    expect(f.tasks.answers).toHaveLength(1);
  });

  it("forgets the token of a failed run too", async () => {
    const { t, run } = await waiting();
    f.pipeline.finish(run, "Failed", "Stage Deploy failed");
    await onPipelineStateChange(f.deps, change(run, "FAILED"));
    expect(await f.tenants.getPipelineWaiter(t.tenantId)).toBeUndefined();
  });

  it("ignores other pipelines, and runs of the tenant older than the one its step waits on", async () => {
    const { t, run: old } = await waiting();
    f.pipeline.finish(old, "Failed");
    await failOnboarding(t, "runPipeline");
    await startPipeline(f.deps, { tenantId: t.tenantId, taskToken: "token-2" });
    f.tasks.answers.length = 0;

    expect(await onPipelineStateChange(f.deps, change(old, "FAILED"))).toBe("ignored");
    const current = (await stored(t)).resources.pipelineExecutionId!;
    f.pipeline.finish(current, "Succeeded");
    expect(await onPipelineStateChange(f.deps, change(current, "SUCCEEDED", "someone-elses-pipeline"))).toBe(
      "ignored",
    );
    expect(f.tasks.answers).toEqual([]);
    expect(f.tasks.heartbeats).toEqual([]);
  });

  it("answers a lifecycle workflow waiting on the run, and forgets its token", async () => {
    const t = await signUp(f, { plan: "enterprise" });
    const run = await f.pipeline.start({
      clientRequestToken: "acme-offboard-1",
      variables: { TENANT_ID: t.tenantId },
    });
    await f.tenants.putRunWaiter(run, { tenantId: t.tenantId, taskToken: "lifecycle-token" });
    expect(await onPipelineStateChange(f.deps, change(run, "STARTED"))).toBe("heartbeat");
    expect(f.tasks.heartbeats).toEqual(["lifecycle-token"]);
    f.pipeline.finish(run, "Succeeded");
    expect(await onPipelineStateChange(f.deps, change(run, "SUCCEEDED"))).toBe("answered");
    expect(f.tasks.answerOf("lifecycle-token")).toMatchObject({ outcome: "success" });
    expect(await f.tenants.getRunWaiter(run)).toBeUndefined();
    // The onboarding step of the tenant was never touched.
    expect(await progress(t, "runPipeline")).toMatchObject({ status: "pending", attempts: 0 });
  });
});

describe("activateTenant", () => {
  async function provisioned(planId = "standard") {
    const t = await signUp(f, { plan: planId });
    await reserveTenant(f.deps, t);
    await createIdentity(f.deps, t);
    await setupNamespace(f.deps, t);
    return t;
  }

  it("activates the tenant, marks the skipped pipeline step, and returns what onboarding made", async () => {
    const t = await provisioned("standard");
    const summary = await activateTenant(f.deps, t);
    const after = await stored(t);
    expect(after.status).toBe("ACTIVE");
    expect(summary).toEqual({
      tenantId: t.tenantId,
      slug: t.slug,
      plan: "standard",
      status: "ACTIVE",
      userPoolId: after.resources.userPoolId,
      userPoolClientId: after.resources.userPoolClientId,
      namespace: `tenant-${t.slug}`,
      pipelineExecutionId: null,
      activatedAt: after.activatedAt,
    });
    expect(after.activatedAt).toBeDefined();
    expect(after.steps.runPipeline.status).toBe("skipped");
    expect(after.steps.activateTenant).toMatchObject({ status: "done", attempts: 1 });
  });

  it("keeps the pipeline step of a dedicated plan as it is and returns its run", async () => {
    const t = await provisioned("enterprise");
    f.pipeline.runsEndAs = "Succeeded";
    const { pipelineExecutionId } = await startPipeline(f.deps, {
      tenantId: t.tenantId,
      taskToken: "token-1",
    });
    const summary = await activateTenant(f.deps, t);
    expect(summary.pipelineExecutionId).toBe(pipelineExecutionId);
    expect((await progress(t, "runPipeline")).status).toBe("done");
  });

  it("re-run after success changes nothing and returns the same summary", async () => {
    const t = await provisioned();
    const first = await activateTenant(f.deps, t);
    const second = await activateTenant(f.deps, t);
    expect(second).toEqual(first);
    expect(f.tenants.count("transition")).toBe(1);
    expect(await progress(t, "activateTenant")).toMatchObject({ status: "done", attempts: 2 });
  });

  it("activates a redriven tenant (FAILED → PROVISIONING → ACTIVE)", async () => {
    const t = await provisioned();
    await failOnboarding(t, "activateTenant");
    const summary = await activateTenant(f.deps, t);
    expect(summary.status).toBe("ACTIVE");
    const after = await stored(t);
    expect(after.status).toBe("ACTIVE");
    expect(after.failure).toBeUndefined();
  });

  it("fails, not retrying, when no user pool or namespace is recorded", async () => {
    const t = await signUp(f);
    await reserveTenant(f.deps, t);
    await expect(activateTenant(f.deps, t)).rejects.toMatchObject({ name: "ValidationError" });
    expect(await progress(t, "activateTenant")).toMatchObject({
      status: "failed",
      error: { name: "ValidationError" },
    });
  });
});

/** Onboarding failed (record-failure), then the failed tenant was offboarded (design §2 allows it). */
async function offboardedAfterFailure(): Promise<Tenant> {
  const t = await signUp(f, { plan: "enterprise" });
  const at = new Date().toISOString();
  await f.tenants.transition(t.tenantId, "FAILED", {
    failure: { step: "createIdentity", error: "X", cause: "x", at },
  });
  await f.tenants.transition(t.tenantId, "CANCELLED");
  await f.tenants.transition(t.tenantId, "OFFBOARDING");
  await f.tenants.transition(t.tenantId, "OFFBOARDED");
  return t;
}

describe("a redriven onboarding step of an offboarded tenant", () => {
  it("createIdentity makes no user pool", async () => {
    const t = await offboardedAfterFailure();
    await createIdentity(f.deps, t).catch(() => {});
    expect(f.identity.poolsOf(t.tenantId)).toEqual([]);
  });

  it("setupNamespace makes no namespace", async () => {
    const t = await offboardedAfterFailure();
    await setupNamespace(f.deps, t).catch(() => {});
    expect(f.cluster.hasNamespace(`tenant-${t.slug}`)).toBe(false);
  });

  it("startPipeline starts no deployment", async () => {
    const t = await offboardedAfterFailure();
    await startPipeline(f.deps, { tenantId: t.tenantId, taskToken: "token-1" }).catch(() => {});
    expect(f.pipeline.runs.size).toBe(0);
  });
});

describe("activateTenant's guard", () => {
  it("leaves a tenant with no user pool or namespace recorded un-activated", async () => {
    const t = await signUp(f);
    await activateTenant(f.deps, t).catch(() => {});
    expect((await f.tenants.require(t.tenantId)).status).toBe("PROVISIONING");
  });
});
