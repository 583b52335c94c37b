/** POST /billing/webhook: verify the Stripe signature, then put the event on the Embark bus (200), or 400. */
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { billingBusName } from "../core/app/deps/eventbridge.js";
import { dependencies } from "../core/app/environment.js";
import { busEntry, DEFAULT_TOLERANCE_SECONDS, verifyWebhook } from "../core/billing/webhook.js";
import { bodyText, json, problem } from "../core/http/response.js";
import { lambda } from "../core/runtime/handler.js";

const events = new EventBridgeClient({});
const busName = dependencies({ billingBusName }).billingBusName;
const tolerance = Number(process.env.EMBARK_STRIPE_WEBHOOK_TOLERANCE_SECONDS) || DEFAULT_TOLERANCE_SECONDS;

export const handler = lambda(
  "billing-intake",
  async (event: APIGatewayProxyEventV2, _context, { logger, metrics }) => {
    // Read per request: on AWS the stack fills it from an SST secret; without it nothing can be verified.
    const secret = process.env.EMBARK_STRIPE_WEBHOOK_SECRET;
    if (!secret)
      return problem(503, "not_configured", "The billing webhook has no signing secret configured");
    const body = bodyText(event);
    const check = verifyWebhook(body, event.headers?.["stripe-signature"], secret, tolerance);
    if (!check.ok) {
      logger.warn("billing webhook refused", { code: check.code });
      metrics.addMetric("BillingWebhooksRefused", "Count", 1);
      return problem(check.status, check.code, check.message);
    }
    const { id, type } = check.event;
    logger.appendKeys({ billingEventId: id, billingEventType: type });
    const out = await events.send(new PutEventsCommand({ Entries: [busEntry(check.event, body, busName)] }));
    if (out.FailedEntryCount) {
      // Stripe retries a non-2xx delivery for days: failing here loses nothing.
      const entry = out.Entries?.[0];
      throw new Error(`PutEvents refused the event: ${entry?.ErrorCode} ${entry?.ErrorMessage}`);
    }
    if (check.handled) logger.info("billing event accepted");
    else logger.warn("billing event type not handled; acknowledged");
    metrics.addMetric("BillingWebhooksAccepted", "Count", 1);
    return json(200, { received: true, id, type, handled: check.handled });
  },
);
