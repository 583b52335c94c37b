/**
 * The onboarding steps (design §1). Each is idempotent: it looks up what an earlier run made (recorded ids,
 * tags, conditional writes) and reuses it, so a retry, duplicate or redrive never makes a second resource.
 */
import { tenantObjects } from "../cluster/tenant-objects.js";
import { invitationFor } from "../plans/invitation.js";
import { publishTenantEvents } from "../tenant/publish-events.js";
import { namespaceForSlug } from "../tenant/slug.js";
import { executionName } from "../workflow/names.js";
import { StepError } from "../workflow/retry.js";
import type { OnboardingDeps } from "./deps.js";
import { runStep } from "./run-step.js";
import type {
  OnboardingFunctionStep,
  PipelineStepInput,
  PublishEventsInput,
  TenantRef,
} from "./step-table.js";
import type { OnboardingSummary } from "./workflow.js";

/** The dependencies a step uses (its function builds only these). */
type Uses<K extends keyof OnboardingDeps> = Pick<OnboardingDeps, K | "onboarding">;

export async function reserveTenant(d: Uses<"tenants" | "plans">, { tenantId }: TenantRef) {
  return runStep(
    d,
    tenantId,
    "reserveTenant",
    async (tenant) => {
      const plan = await d.plans.get(tenant.plan);
      return { tenantId, slug: tenant.slug, plan: plan.id, dedicatedResources: plan.dedicatedResources };
    },
    { readOnly: true },
  );
}

export async function createIdentity(
  d: Uses<"tenants" | "plans" | "identity" | "settings" | "signIn">,
  { tenantId }: TenantRef,
) {
  let linked: string | undefined;
  const identity = await runStep(
    d,
    tenantId,
    "createIdentity",
    async (tenant) => {
      const plan = await d.plans.get(tenant.plan);
      return d.identity.ensureTenantIdentity(
        {
          tenantId,
          slug: tenant.slug,
          companyName: tenant.companyName,
          adminEmail: tenant.adminEmail,
          known: {
            userPoolId: tenant.resources.userPoolId,
            userPoolClientId: tenant.resources.userPoolClientId,
          },
          invitation: invitationFor(tenant, plan, d.settings),
          settings: d.signIn,
        },
        // Record the pool (and how tokens find the tenant) before anything else can fail: CreateUserPool is
        // not idempotent.
        async (userPoolId) => {
          await d.tenants.setResources(tenantId, { userPoolId });
          await d.tenants.linkUserPool(userPoolId, tenantId);
          linked = userPoolId;
        },
      );
    },
    // The client and admin are recorded with "done", in one write.
    { resourcesOf: (identity) => identity },
  );
  // A pool recorded by a run before pools were linked (or a crash in between) is linked now.
  if (linked !== identity.userPoolId) await d.tenants.linkUserPool(identity.userPoolId, tenantId);
  return { userPoolId: identity.userPoolId, userPoolClientId: identity.userPoolClientId };
}

export async function setupNamespace(d: Uses<"tenants" | "plans" | "cluster">, { tenantId }: TenantRef) {
  return runStep(
    d,
    tenantId,
    "setupNamespace",
    async (tenant) => {
      const plan = await d.plans.get(tenant.plan);
      const namespace = namespaceForSlug(tenant.slug);
      const cluster = await d.cluster();
      await cluster.apply(tenantObjects({ tenantId, slug: tenant.slug, plan }));
      await cluster.grantNamespaceAccess({ slug: tenant.slug, namespace });
      return { namespace };
    },
    { resourcesOf: ({ namespace }) => ({ namespace }) },
  );
}

/**
 * Starts (or re-attaches to) the tenant's pipeline run and remembers the task token it answers. The step stays
 * "running" until the run ends: pipeline-callback answers the task then. If the run has already ended by the
 * time the token is recorded (a fast run, a retry, a redrive after success), this step answers it itself.
 */
export async function startPipeline(d: Uses<"tenants" | "pipeline" | "tasks">, input: PipelineStepInput) {
  const { tenantId, taskToken } = input;
  return runStep(
    d,
    tenantId,
    "runPipeline",
    async (tenant) => {
      await d.tenants.putPipelineWaiter(tenantId, taskToken);
      const previous = tenant.resources.pipelineExecutionId;
      const previousStatus = previous ? (await d.pipeline.status(previous)).status : undefined;
      // A run in progress or already succeeded is reused; a failed one is run again (a redrive after a fix).
      // The request token is derived from the run it replaces, so a retried start is not a second deploy.
      const reuse = previous && (previousStatus === "InProgress" || previousStatus === "Succeeded");
      const executionId = reuse
        ? previous
        : await d.pipeline.start({
            clientRequestToken: previous
              ? `${tenantId}-after-${previous}`.slice(0, 128)
              : `${tenantId}-first`,
            variables: { TENANT_ID: tenantId, TENANT_SLUG: tenant.slug, TENANT_PLAN: tenant.plan },
          });
      await d.tenants.setResources(tenantId, { pipelineExecutionId: executionId });
      await answerIfFinished(d, tenantId, executionId, taskToken);
      return { pipelineExecutionId: executionId };
    },
    { doneWhenReturned: false },
  );
}

/** Answers the waiting task from the run's state if the run has ended; returns whether it had. */
export async function answerIfFinished(
  d: Pick<OnboardingDeps, "pipeline" | "tasks" | "tenants">,
  tenantId: string,
  executionId: string,
  taskToken: string,
): Promise<boolean> {
  const { status, summary } = await d.pipeline.status(executionId);
  if (status === "Succeeded") {
    await d.tasks.succeed(taskToken, { pipelineExecutionId: executionId, status });
    await d.tenants.markStep(tenantId, "runPipeline", "done");
    // Answered: the token is of no more use and is not left in the table (the soak's secrets scan found it).
    await d.tenants.deletePipelineWaiter(tenantId);
    return true;
  }
  if (status === "Failed" || status === "Stopped" || status === "Cancelled" || status === "Superseded") {
    const cause = `Pipeline run ${executionId} ended ${status}${summary ? `: ${summary}` : ""}`;
    await d.tenants.markStep(tenantId, "runPipeline", "failed", {
      error: { name: "PipelineFailed", message: cause },
    });
    await d.tasks.fail(taskToken, "PipelineFailed", cause);
    await d.tenants.deletePipelineWaiter(tenantId);
    return true;
  }
  return false;
}

export async function activateTenant(
  d: Uses<"tenants">,
  { tenantId }: TenantRef,
): Promise<OnboardingSummary> {
  // The step's "done" goes with the transition's write when there is one (doneWhenReturned: false).
  let doneWithTransition = false;
  const summary = await runStep(
    d,
    tenantId,
    "activateTenant",
    async (before) => {
      // Only a tenant that has everything may become ACTIVE (design §2).
      const { userPoolId, userPoolClientId, namespace } = before.resources;
      if (!userPoolId || !userPoolClientId || !namespace) {
        throw new StepError(
          "ValidationError",
          `Tenant ${before.slug} has no user pool or namespace recorded yet`,
        );
      }
      // Plans without dedicated resources never enter the pipeline state.
      const skipPipeline = before.steps.runPipeline.status === "pending";
      let t = before;
      if (before.status !== "ACTIVE") {
        const activatedAt = new Date().toISOString();
        doneWithTransition = await d.tenants.transition(tenantId, "ACTIVE", {
          set: { activatedAt },
          // Onboarding is always `<slug>-onboard-1` (design §4).
          cause: { execution: executionName(before.slug, "onboard", 1) },
          current: before,
          steps: { activateTenant: "done", ...(skipPipeline ? { runPipeline: "skipped" as const } : {}) },
        });
        // What the write made, without reading it back (a concurrent activation wrote the same).
        if (doneWithTransition) t = { ...before, status: "ACTIVE", activatedAt };
        else t = await d.tenants.require(tenantId);
      }
      if (!doneWithTransition && t.steps.runPipeline.status === "pending") {
        await d.tenants.markStep(tenantId, "runPipeline", "skipped");
        t = await d.tenants.require(tenantId);
      }
      return {
        tenantId,
        slug: t.slug,
        plan: t.plan,
        status: t.status,
        userPoolId,
        userPoolClientId,
        namespace,
        pipelineExecutionId: t.resources.pipelineExecutionId ?? null,
        activatedAt: t.activatedAt ?? t.updatedAt,
      };
    },
    { doneWhenReturned: false },
  );
  if (!doneWithTransition) await d.tenants.markStep(tenantId, "activateTenant", "done");
  return summary;
}

/**
 * Puts the tenant's unpublished lifecycle events on the tenant events bus (core/tenant/publish-events.ts). The
 * lifecycle workflows run it after their transitions too, without recording it as this onboarding step.
 */
export async function publishEvents(d: Uses<"tenants" | "events">, input: PublishEventsInput) {
  if (!input.onboardingStep) return publishTenantEvents(d, input.tenantId);
  const { tenantId } = input;
  // The step's "done" goes with the removal of its last event (one write); with nothing to publish, on its own.
  return runStep(
    d,
    tenantId,
    "publishEvents",
    async (tenant) => {
      const { published, doneMarked } = await publishTenantEvents(d, tenantId, tenant, "publishEvents");
      if (!doneMarked) await d.tenants.markStep(tenantId, "publishEvents", "done");
      return { tenantId, published };
    },
    { doneWhenReturned: false },
  );
}

/** Each step's body, by the step table's key (handlers.ts makes them Lambda handlers). */
export const ONBOARDING_STEP_BODIES = {
  reserveTenant,
  createIdentity,
  setupNamespace,
  runPipeline: startPipeline,
  activateTenant,
  publishEvents,
} satisfies Record<OnboardingFunctionStep, (d: OnboardingDeps, input: never) => Promise<unknown>>;
