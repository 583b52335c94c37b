/** SES "Email Sent" event (EventBridge, default bus) → the tenant record notes the email as sent. */
import { tenants } from "../core/app/deps/dynamodb.js";
import { dependencies } from "../core/app/environment.js";
import { EmailSentEvent, recordEmailSent } from "../core/mail/sent.js";
import { lambda } from "../core/runtime/handler.js";
import { parseInput } from "../core/runtime/input.js";

const deps = dependencies({ tenants });

export const handler = lambda("record-email-sent", async (event: unknown, _context, { logger }) => {
  // A malformed event fails with what is wrong in it (on AWS it ends in the events DLQ with that message).
  const sent = parseInput(EmailSentEvent, event, "The Email Sent event");
  const { tenantId, key, outcome } = await recordEmailSent(deps, sent);
  logger.appendKeys({ tenantId });
  const about = { email: key, messageId: sent.detail.mail.messageId };
  if (outcome === "unknown-tenant") logger.warn("Email Sent for a tenant not in this stage", about);
  else logger.info("email sent, recorded", about);
  return { outcome };
});
