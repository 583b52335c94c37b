/**
 * Step Functions execution status change (EventBridge) → an onboarding's tenant is FAILED with step, error and
 * cause; a lifecycle workflow's failure is recorded on its tenant (`workflowFailure`).
 */
import { EventBridgeSchema } from "@aws-lambda-powertools/parser/schemas/eventbridge";
import * as z from "zod";
import { records, tenants } from "../core/app/deps/dynamodb.js";
import { workflows } from "../core/app/deps/step-functions.js";
import { dependencies } from "../core/app/environment.js";
import { ExecutionStatusChange, recordExecutionFailure } from "../core/onboarding/record-failure.js";
import { lambda } from "../core/runtime/handler.js";
import { parseInput } from "../core/runtime/input.js";

const deps = dependencies({ tenants, workflows, records });
const Event = EventBridgeSchema.extend({ source: z.literal("aws.states"), detail: ExecutionStatusChange });

export const handler = lambda("record-failure", async (event: unknown, _context, { logger, metrics }) => {
  // A malformed event fails with what is wrong in it (on AWS it ends in the events DLQ with that message).
  const { detail } = parseInput(Event, event, "The execution status change event");
  const result = await recordExecutionFailure(deps, detail);
  if (result) {
    logger.appendKeys({ tenantId: result.tenantId });
    const workflow = result.workflow ?? "onboard";
    logger.warn(`${workflow} failed`, { execution: detail.name, step: result.step, error: detail.error });
    metrics.addMetric(workflow === "onboard" ? "OnboardingFailures" : "LifecycleFailures", "Count", 1);
  }
  return { recorded: result?.recorded ?? false };
});
