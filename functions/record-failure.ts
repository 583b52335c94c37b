/** Step Functions execution status change (EventBridge) → the tenant is FAILED with step, error and cause. */
import { z } from "zod";
import { onboardingDeps, workflows } from "../core/onboarding/environment.js";
import { ExecutionStatusChange, recordExecutionFailure } from "../core/onboarding/record-failure.js";
import { lambda } from "../core/runtime/handler.js";

const deps = { tenants: onboardingDeps().tenants, workflows: workflows() };
const Event = z.object({ source: z.literal("aws.states"), detail: ExecutionStatusChange });

export const handler = lambda("record-failure", async (event: unknown, _context, { logger, metrics }) => {
  const { detail } = Event.parse(event);
  const result = await recordExecutionFailure(deps, detail);
  if (result) {
    logger.appendKeys({ tenantId: result.tenantId });
    logger.warn("onboarding failed", { execution: detail.name, step: result.step, error: detail.error });
    metrics.addMetric("OnboardingFailures", "Count", 1);
  }
  return { recorded: result?.recorded ?? false };
});
