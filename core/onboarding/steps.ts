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
type Uses<K extends keyof OnboardingDeps> = Pick<OnboardingDeps, K>;

export async function reserveTenant(d: Uses<"tenants" | "plans">, { tenantId }: TenantRef) {
  return runStep(d.tenants, tenantId, "reserveTenant", async () => {
    const tenant = await d.tenants.require(tenantId);
    const plan = await d.plans.get(tenant.plan);
    return { tenantId, slug: tenant.slug, plan: plan.id, dedicatedResources: plan.dedicatedResources };
  });
}

export async function createIdentity(
  d: Uses<"tenants" | "plans" | "identity" | "settings" | "signIn">,
  { tenantId }: TenantRef,
) {
  return runStep(d.tenants, tenantId, "createIdentity", async () => {
    const tenant = await d.tenants.require(tenantId);
    const plan = await d.plans.get(tenant.plan);
    const identity = await d.identity.ensureTenantIdentity(
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
      },
    );
    await d.tenants.setResources(tenantId, identity);
    // A pool recorded by a run before pools were linked (or a crash in between) is linked now.
    await d.tenants.linkUserPool(identity.userPoolId, tenantId);
    return { userPoolId: identity.userPoolId, userPoolClientId: identity.userPoolClientId };
  });
}

export async function setupNamespace(d: Uses<"tenants" | "plans" | "cluster">, { tenantId }: TenantRef) {
  return runStep(d.tenants, tenantId, "setupNamespace", async () => {
    const tenant = await d.tenants.require(tenantId);
    const plan = await d.plans.get(tenant.plan);
    const namespace = namespaceForSlug(tenant.slug);
    const cluster = await d.cluster();
    await cluster.apply(tenantObjects({ tenantId, slug: tenant.slug, plan }));
    await cluster.grantNamespaceAccess({ slug: tenant.slug, namespace });
    await d.tenants.setResources(tenantId, { namespace });
    return { namespace };
  });
}

/**
 * Starts (or re-attaches to) the tenant's pipeline run and remembers the task token it answers. The step stays
 * "running" until the run ends: pipeline-callback answers the task then. If the run has already ended by the
 * time the token is recorded (a fast run, a retry, a redrive after success), this step answers it itself.
 */
export async function startPipeline(d: Uses<"tenants" | "pipeline" | "tasks">, input: PipelineStepInput) {
  const { tenantId, taskToken } = input;
  return runStep(
    d.tenants,
    tenantId,
    "runPipeline",
    async () => {
      await d.tenants.putPipelineWaiter(tenantId, taskToken);
      const tenant = await d.tenants.require(tenantId);
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
  return runStep(d.tenants, tenantId, "activateTenant", async () => {
    const before = await d.tenants.require(tenantId);
    // Only a tenant that has everything may become ACTIVE (design §2).
    const { userPoolId, userPoolClientId, namespace } = before.resources;
    if (!userPoolId || !userPoolClientId || !namespace) {
      throw new StepError(
        "ValidationError",
        `Tenant ${before.slug} has no user pool or namespace recorded yet`,
      );
    }
    if (before.status !== "ACTIVE") {
      await d.tenants.transition(tenantId, "ACTIVE", {
        set: { activatedAt: new Date().toISOString() },
        // Onboarding is always `<slug>-onboard-1` (design §4).
        cause: { execution: executionName(before.slug, "onboard", 1) },
      });
    }
    let t = await d.tenants.require(tenantId);
    if (t.steps.runPipeline.status === "pending") {
      // Plans without dedicated resources never enter the pipeline state.
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
  });
}

/**
 * Puts the tenant's unpublished lifecycle events on the tenant events bus (core/tenant/publish-events.ts). The
 * lifecycle workflows run it after their transitions too, without recording it as this onboarding step.
 */
export async function publishEvents(d: Uses<"tenants" | "events">, input: PublishEventsInput) {
  const publish = () => publishTenantEvents(d, input.tenantId);
  return input.onboardingStep ? runStep(d.tenants, input.tenantId, "publishEvents", publish) : publish();
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
