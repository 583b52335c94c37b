/** SQS signups → StartExecution `<slug>-onboard-1` per tenant (partial batch failures). */
import type { SQSEvent } from "aws-lambda";
import { z } from "zod";
import { onboardingDeps, onboardingStateMachineArn, workflows } from "../core/onboarding/environment.js";
import { startOnboarding } from "../core/onboarding/start.js";
import { lambda } from "../core/runtime/handler.js";
import { sqsJsonBatch } from "../core/runtime/sqs-batch.js";

const deps = {
  tenants: onboardingDeps().tenants,
  workflows: workflows(),
  stateMachineArn: onboardingStateMachineArn(),
};
let log: ((msg: string, extra: Record<string, unknown>) => void) | undefined;

const processBatch = sqsJsonBatch(z.object({ tenantId: z.string().min(1) }), async ({ tenantId }) => {
  const started = await startOnboarding(deps, tenantId);
  log?.(started ? "onboarding started" : "no such tenant; message dropped", {
    tenantId,
    execution: started?.name,
  });
});

export const handler = lambda("onboarding-starter", async (event: SQSEvent, context, { logger }) => {
  log = (msg, extra) => logger.info(msg, extra);
  return processBatch(event, context);
});
