/** SQS signups → StartExecution `<slug>-onboard-1` per tenant (partial batch failures). */
import type { SQSEvent } from "aws-lambda";
import { tenants } from "../core/app/deps/dynamodb.js";
import { deadLettersOf } from "../core/app/deps/sqs.js";
import { onboardingStateMachineArn, workflows } from "../core/app/deps/step-functions.js";
import { dependencies } from "../core/app/environment.js";
import { startOnboarding } from "../core/onboarding/start.js";
import { TenantRef } from "../core/onboarding/step-table.js";
import { lambda } from "../core/runtime/handler.js";
import { sqsJsonBatch } from "../core/runtime/sqs-batch.js";

const deps = dependencies({
  tenants,
  workflows,
  onboardingStateMachineArn,
  deadLetters: deadLettersOf("signups", "onboarding-starter"),
});

export const handler = lambda("onboarding-starter", async (event: SQSEvent, context, { logger }) =>
  sqsJsonBatch(
    TenantRef,
    async ({ tenantId }) => {
      const started = await startOnboarding(deps, tenantId);
      logger.info(started ? "onboarding started" : "no such tenant; message dropped", {
        tenantId,
        execution: started?.name,
      });
    },
    {
      deadLetters: () => deps.deadLetters,
      onRejected: (record, reason) =>
        logger.warn("message refused to the DLQ", { messageId: record.messageId, reason }),
    },
  )(event, context),
);
