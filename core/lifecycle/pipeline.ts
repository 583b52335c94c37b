/**
 * The tenant pipeline run of a lifecycle workflow (deploy dedicated resources on a plan change, tear them down
 * on a plan change away from them or on offboarding). Same shape as onboarding's: the state waits with a task
 * token that pipeline-callback answers when the run ends. The run is keyed by the execution name, so a retry
 * or duplicate reuses it, and a redrive after a failed run starts a new one.
 */
import type { OnboardingDeps } from "../onboarding/deps.js";

export type PipelineAction = "deploy" | "teardown" | "stop";

export async function runLifecyclePipeline(
  d: Pick<OnboardingDeps, "tenants" | "pipeline" | "tasks">,
  input: { tenantId: string; action: PipelineAction; runKey: string; taskToken: string },
): Promise<{ pipelineExecutionId: string }> {
  const { tenantId, action, runKey, taskToken } = input;
  const tenant = await d.tenants.require(tenantId);
  const previous = (await d.tenants.getLifecycleRun(runKey))?.pipelineExecutionId;
  const previousStatus = previous ? (await d.pipeline.status(previous)).status : undefined;
  const reuse = previous && (previousStatus === "InProgress" || previousStatus === "Succeeded");
  const pipelineExecutionId = reuse
    ? previous
    : await d.pipeline.start({
        // The same token returns the same run: a retried start is not a second deploy.
        clientRequestToken: previous ? `${runKey}-after-${previous}`.slice(0, 128) : runKey,
        variables: {
          TENANT_ID: tenantId,
          TENANT_SLUG: tenant.slug,
          TENANT_PLAN: tenant.plan,
          TENANT_ACTION: action,
        },
      });
  await d.tenants.putLifecycleRun(runKey, { pipelineExecutionId, tenantId, action });
  await d.tenants.putRunWaiter(pipelineExecutionId, { tenantId, taskToken });
  // A run that ended before the waiter was recorded is answered here (pipeline-callback found no waiter).
  await answerRunIfFinished(d, pipelineExecutionId, taskToken);
  return { pipelineExecutionId };
}

/** Answers the waiting task from the run's state if the run has ended; returns whether it had. */
export async function answerRunIfFinished(
  d: Pick<OnboardingDeps, "pipeline" | "tasks" | "tenants">,
  pipelineExecutionId: string,
  taskToken: string,
): Promise<boolean> {
  const { status, summary } = await d.pipeline.status(pipelineExecutionId);
  if (status === "Succeeded") {
    await d.tasks.succeed(taskToken, { pipelineExecutionId, status });
  } else if (
    status === "Failed" ||
    status === "Stopped" ||
    status === "Cancelled" ||
    status === "Superseded"
  ) {
    const cause = `Pipeline run ${pipelineExecutionId} ended ${status}${summary ? `: ${summary}` : ""}`;
    await d.tasks.fail(taskToken, "PipelineFailed", cause);
  } else {
    return false;
  }
  // Answered: the token is of no more use, and is not left lying around.
  await d.tenants.deleteRunWaiter(pipelineExecutionId);
  return true;
}
