/**
 * SQS emails → SES, exactly once per tenant and template (and occurrence, for lifecycle emails) with Powertools
 * idempotency; partial batch failures.
 */
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { SQSEvent } from "aws-lambda";
import { requireEnv } from "../core/adapters/dynamo.js";
import { sendTenantEmail, TenantEmailMessage } from "../core/mail/tenant-email.js";
import { mailSender, mailSettings, onboardingDeps } from "../core/onboarding/environment.js";
import { lambda } from "../core/runtime/handler.js";
import { sqsJsonBatch } from "../core/runtime/sqs-batch.js";

const { tenants, plans } = onboardingDeps();
const deps = { tenants, plans, sender: mailSender(), settings: mailSettings() };
const idempotency = new IdempotencyConfig({
  // One email per tenant and kind (welcome), or per tenant, kind and occurrence (lifecycle emails, which may
  // repeat); a year covers any redelivery or redrive. Keys without an occurrence are as they always were.
  eventKeyJmesPath: "occurrence && [tenantId, template, occurrence] || [tenantId, template]",
  expiresAfterSeconds: 365 * 24 * 60 * 60,
});
const sendOnce = makeIdempotent((message: TenantEmailMessage) => sendTenantEmail(deps, message), {
  persistenceStore: new DynamoDBPersistenceLayer({ tableName: requireEnv("IDEMPOTENCY_TABLE") }),
  keyPrefix: "mailer",
  config: idempotency,
});

export const handler = lambda("mailer", async (event: SQSEvent, context, { logger, metrics }) => {
  idempotency.registerLambdaContext(context);
  return sqsJsonBatch(TenantEmailMessage, async (message) => {
    const sent = await sendOnce(message);
    logger.info("email sent", {
      tenantId: message.tenantId,
      template: message.template,
      messageId: sent.messageId,
    });
    metrics.addMetric("EmailsSent", "Count", 1);
  })(event, context);
});
