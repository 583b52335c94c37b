/**
 * SQS emails → SES, exactly once per tenant and template (and occurrence, for lifecycle emails): Powertools
 * idempotency, and no second send of an email SES confirmed sending (core/mail/sent.ts); partial batch failures.
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
    async (message, record) => {
      const sent = await sendOnce.run(message);
      const about = { tenantId: message.tenantId, template: message.template, messageId: sent.messageId };
      if (sent.alreadySent) {
        // An earlier attempt sent it and died before its idempotency record completed.
        logger.info("email already sent (SES confirmed it); not sent again", {
          ...about,
          receiveCount: record.attributes.ApproximateReceiveCount,
        });
        metrics.addMetric("EmailAlreadyConfirmed", "Count", 1);
        return;
      }
      logger.info("email sent", about);
      metrics.addMetric("EmailsSent", "Count", 1);
    },
    {
      deadLetters: () => deps.deadLetters,
      onRejected: (record, reason) =>
        logger.warn("message refused to the DLQ", { messageId: record.messageId, reason }),
    },
  )(event, context);
});
