/**
 * The message the mailer consumes and how it becomes one email. Exactly once per tenant and kind (and
 * occurrence, for lifecycle emails): Powertools idempotency in the mailer keeps duplicates from getting here, and
 * this module does not send an email SES already confirmed sending (core/mail/sent.ts).
 */
import * as z from "zod";
import { TenantIdField } from "../onboarding/step-table.js";
import { ALL_EMAIL_KINDS, type EmailKind, SHIPPED_LIFECYCLE_EMAILS } from "../plans/catalog.js";
import type { PlanStore } from "../plans/store.js";
import type { MailSender } from "../ports.js";
import { loginUrlFor } from "../tenant/login-url.js";
import type { Tenant } from "../tenant/model.js";
import { namespaceForSlug } from "../tenant/slug.js";
import type { TenantStore } from "../tenant/store.js";
import { renderTemplate } from "./render.js";
import { emailKey, emailTags } from "./sent.js";

export const TenantEmailMessage = z.strictObject({
  tenantId: TenantIdField,
  template: z.enum(ALL_EMAIL_KINDS as [EmailKind, ...EmailKind[]]),
  /**
   * Extra placeholder values some kinds use, short. Only these: a message never overrides what the tenant record
   * says (companyName, loginUrl, …).
   */
  vars: z
    .strictObject({ previousPlanName: z.string().max(200), graceDays: z.string().max(20) })
    .partial()
    .optional(),
  /**
   * Which occurrence of a kind that may repeat (a second plan change, a second suspension): the lifecycle
   * execution's name. Exactly once per tenant, kind and occurrence; without it, once per tenant and kind.
   */
  occurrence: z.string().min(1).max(200).optional(),
});
export type TenantEmailMessage = z.infer<typeof TenantEmailMessage>;

export interface MailSettings {
  appUrl: string;
  supportEmail: string;
  /** Days an offboarded tenant's slug stays reserved (the receipt says until when). */
  slugReservationDays?: number;
}

export interface MailDeps {
  tenants: TenantStore;
  plans: PlanStore;
  sender: MailSender;
  settings: MailSettings;
}

/**
 * Sends the email unless SES already sent it: the tenant record, read anyway to compose, holds the "Email Sent"
 * confirmations (core/mail/sent.ts). An earlier attempt that died after SES accepted the email (before the
 * mailer's idempotency record completed) left one, so a redelivery sends nothing. The confirmation arrives
 * seconds after the send; a redelivery comes after the queue's visibility timeout (6× the mailer's timeout).
 */
export async function sendTenantEmail(
  d: MailDeps,
  message: TenantEmailMessage,
): Promise<{ messageId: string; to: string; alreadySent: boolean }> {
  const tenant = await d.tenants.require(message.tenantId);
  const key = emailKey(message);
  const sent = tenant.mailSent?.[key];
  const messageId = sent
    ? sent.messageId
    : await d.sender.send(
        tenant.adminEmail,
        await compose(d, tenant, message),
        emailTags(tenant.tenantId, key),
      );
  if (message.template === "welcome") {
    // The one attempt that sent it, or the one that found it sent (the sender may have died before this).
    await d.tenants.markStep(tenant.tenantId, "sendWelcome", "done", { countAttempt: true });
  }
  return { messageId, to: tenant.adminEmail, alreadySent: sent !== undefined };
}

async function compose(d: MailDeps, tenant: Tenant, message: TenantEmailMessage) {
  const plan = await d.plans.get(tenant.plan);
  const kind = message.template;
  const template =
    plan.emails[kind] ??
    SHIPPED_LIFECYCLE_EMAILS[kind as keyof typeof SHIPPED_LIFECYCLE_EMAILS] ??
    plan.emails.farewell;
  return renderTemplate(template, {
    companyName: tenant.companyName,
    adminEmail: tenant.adminEmail,
    slug: tenant.slug,
    tenantId: tenant.tenantId,
    namespace: tenant.resources.namespace ?? namespaceForSlug(tenant.slug),
    planName: plan.displayName,
    loginUrl: loginUrlFor(d.settings.appUrl, tenant.slug),
    supportEmail: d.settings.supportEmail,
    ...retentionValues(tenant),
    ...message.vars,
  });
}

/** What the cancellation and receipt emails say, from the record (never from the message). */
function retentionValues(t: Tenant): Record<string, string> {
  const r = t.receipt;
  const location = r?.export?.location ?? t.export?.location ?? "(no export was made)";
  return {
    purgeAfter: t.purgeAfter ?? "",
    exportLocation: location,
    exportSha256: r?.export?.sha256 ?? t.export?.sha256 ?? "",
    offboardedAt: r?.at ?? t.offboardedAt ?? "",
    deleted: r ? r.deleted.join("; ") : "",
    cause: r?.cause ?? "",
    slugReservedUntil: r?.slugReservedUntil ?? "",
  };
}
