/**
 * Step Functions execution status change (EventBridge) → an onboarding's tenant is FAILED with step, error and
 * cause; a lifecycle workflow's failure is recorded on its tenant (`workflowFailure`).
 */
import { EventBridgeSchema } from "@aws-lambda-powertools/parser/schemas/eventbridge";
import { z } from "zod";
import { appDeps } from "../core/app/environment.js";
import { ExecutionStatusChange, recordExecutionFailure } from "../core/onboarding/record-failure.js";
import { lambda } from "../core/runtime/handler.js";

const deps = appDeps();
const Event = EventBridgeSchema.extend({ source: z.literal("aws.states"), detail: ExecutionStatusChange });

export const handler = lambda("record-failure", async (event: unknown, _context, { logger, metrics }) => {
  const { detail } = Event.parse(event);
  const result = await recordExecutionFailure(deps, detail);
  if (result) {
    logger.appendKeys({ tenantId: result.tenantId });
    const workflow = result.workflow ?? "onboard";
    logger.warn(`${workflow} failed`, { execution: detail.name, step: result.step, error: detail.error });
    metrics.addMetric(workflow === "onboard" ? "OnboardingFailures" : "LifecycleFailures", "Count", 1);
  }
  return { recorded: result?.recorded ?? false };
});
