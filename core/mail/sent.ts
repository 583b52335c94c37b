/**
 * Which tenant email a send was, and the tenant record's note that SES sent it (design §1, "exactly one
 * email"). SES SendEmail takes no idempotency token: a mailer that dies after SES accepted an email and before
 * its idempotency record completed would send it again on redelivery. So every tenant email goes out with tags
 * naming it, through the configuration set whose EventBridge destination puts SES's "Email Sent" event on the
 * default bus; record-email-sent writes that event onto the tenant record (`mailSent.<key>`), and the mailer
 * reads the record before sending (it reads it anyway to compose) and does not send an email SES already sent.
 */
import { createHash } from "node:crypto";
import { EventBridgeSchema } from "@aws-lambda-powertools/parser/schemas/eventbridge";
import * as z from "zod";
import { TenantNotFoundError } from "../tenant/errors.js";
import { TenantId } from "../tenant/model.js";
import type { TenantStore } from "../tenant/store.js";

/** Email tag names (SES: letters, digits, `_` and `-`). */
export const EMAIL_TAGS = { tenant: "embark-tenant", email: "embark-email" } as const;

/** SES allows these characters in a tag value (and at most 256 of them). */
const TagValue = z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, { error: "must be an SES tag value" });

/**
 * A tenant email's key on its record: its kind, and for kinds that repeat a hash of the occurrence (an execution
 * name may hold characters a tag value may not).
 */
export function emailKey(message: { template: string; occurrence?: string | undefined }): string {
  if (!message.occurrence) return message.template;
  return `${message.template}-${createHash("sha256").update(message.occurrence).digest("hex").slice(0, 20)}`;
}

/** The tags a tenant email is sent with. */
export function emailTags(tenantId: string, key: string): Record<string, string> {
  return { [EMAIL_TAGS.tenant]: tenantId, [EMAIL_TAGS.email]: key };
}

/**
 * SES's "Email Sent" event (event publishing through a configuration set's EventBridge destination, default bus):
 * the parts used. Email tags arrive as `{name: [value]}` beside SES's own (`ses:configuration-set`, …).
 */
export const EmailSentEvent = EventBridgeSchema.extend({
  source: z.literal("aws.ses"),
  "detail-type": z.literal("Email Sent"),
  detail: z.looseObject({
    eventType: z.literal("Send"),
    mail: z.looseObject({
      messageId: z.string().min(1).max(200),
      timestamp: z.iso.datetime({ offset: true }),
      tags: z.looseObject({
        [EMAIL_TAGS.tenant]: z.tuple([TenantId]),
        [EMAIL_TAGS.email]: z.tuple([TagValue]),
      }),
    }),
  }),
});
export type EmailSentEvent = z.infer<typeof EmailSentEvent>;

/** Tenant emails of this stage's configuration set (Cognito's mail through it carries no Embark tags). */
export function emailSentPattern(configurationSet: string) {
  return {
    source: ["aws.ses"],
    "detail-type": ["Email Sent"],
    detail: {
      mail: {
        tags: { "ses:configuration-set": [configurationSet], [EMAIL_TAGS.email]: [{ exists: true }] },
      },
    },
  };
}

export type EmailSent = { messageId: string; at: string };

/**
 * Records on the tenant that SES sent this email (one UpdateItem; a repeated event changes nothing, and the
 * first send recorded stays). "unknown-tenant" when the tenant is not in this stage's table.
 */
export async function recordEmailSent(
  d: { tenants: Pick<TenantStore, "recordEmailSent"> },
  event: EmailSentEvent,
): Promise<{ tenantId: string; key: string; outcome: "recorded" | "unknown-tenant" }> {
  const { messageId, timestamp, tags } = event.detail.mail;
  const [tenantId] = tags[EMAIL_TAGS.tenant];
  const [key] = tags[EMAIL_TAGS.email];
  try {
    await d.tenants.recordEmailSent(tenantId, key, { messageId, at: timestamp });
    return { tenantId, key, outcome: "recorded" };
  } catch (err) {
    if (err instanceof TenantNotFoundError) return { tenantId, key, outcome: "unknown-tenant" };
    throw err;
  }
}
