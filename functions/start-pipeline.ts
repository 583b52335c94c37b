/** Onboarding step: start the tenant's deployment pipeline; the state machine waits on the task token. */
import { z } from "zod";
import { onboardingDeps } from "../core/onboarding/environment.js";
import { startPipeline } from "../core/onboarding/steps.js";
import { lambda } from "../core/runtime/handler.js";

const deps = onboardingDeps();
const Input = z.object({ tenantId: z.string().min(1), taskToken: z.string().min(1) });

export const handler = lambda("start-pipeline", async (event: unknown, _context, { logger }) => {
  const input = Input.parse(event);
  logger.appendKeys({ tenantId: input.tenantId });
  const { pipelineExecutionId } = await startPipeline(deps, input);
  // The task token stays out of logs and of the returned value.
  logger.info("pipeline run started", { pipelineExecutionId });
  return { pipelineExecutionId };
});
