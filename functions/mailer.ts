/**
 * SQS emails → SES, exactly once per tenant and template (and occurrence, for lifecycle emails) with Powertools
 * idempotency; partial batch failures.
 */
import type { SQSEvent } from "aws-lambda";
import { plans, tenants } from "../core/app/deps/dynamodb.js";
import { sender, settings } from "../core/app/deps/ses.js";
import { deadLettersOf } from "../core/app/deps/sqs.js";
import { dependencies } from "../core/app/environment.js";
import { sendTenantEmail, TenantEmailMessage } from "../core/mail/tenant-email.js";
import { lambda } from "../core/runtime/handler.js";
import { onceEach } from "../core/runtime/idempotency.js";
import { sqsJsonBatch } from "../core/runtime/sqs-batch.js";

const deps = dependencies({
  tenants,
  plans,
  sender,
  settings,
  deadLetters: deadLettersOf("emails", "mailer"),
});
// One email per tenant and kind (welcome), or per tenant, kind and occurrence (lifecycle emails, which may
// repeat); a year covers any redelivery or redrive. Keys without an occurrence are as they always were.
const sendOnce = onceEach("mailer", (message: TenantEmailMessage) => sendTenantEmail(deps, message), {
  key: "occurrence && [tenantId, template, occurrence] || [tenantId, template]",
  expiresAfterSeconds: 365 * 24 * 60 * 60,
});

export const handler = lambda("mailer", async (event: SQSEvent, context, { logger, metrics }) => {
  sendOnce.registerLambdaContext(context);
  return sqsJsonBatch(
    TenantEmailMessage,
    async (message) => {
      const sent = await sendOnce.run(message);
      logger.info("email sent", {
        tenantId: message.tenantId,
        template: message.template,
        messageId: sent.messageId,
      });
      metrics.addMetric("EmailsSent", "Count", 1);
    },
    {
      deadLetters: () => deps.deadLetters,
      onRejected: (record, reason) =>
        logger.warn("message refused to the DLQ", { messageId: record.messageId, reason }),
    },
  )(event, context);
});
