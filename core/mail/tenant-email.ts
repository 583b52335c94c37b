/**
 * The message the mailer consumes and how it becomes one email. Exactly once per tenant and kind (and
 * occurrence, for lifecycle emails) is the mailer's job (Powertools idempotency); this module renders and sends.
 */
import * as z from "zod";
import { TenantIdField } from "../onboarding/step-table.js";
import { EMAIL_KINDS } from "../plans/catalog.js";
import type { PlanStore } from "../plans/store.js";
import type { MailSender } from "../ports.js";
import { loginUrlFor } from "../tenant/login-url.js";
import { namespaceForSlug } from "../tenant/slug.js";
import type { TenantStore } from "../tenant/store.js";
import { renderTemplate } from "./render.js";

export const TenantEmailMessage = z.strictObject({
  tenantId: TenantIdField,
  template: z.enum(EMAIL_KINDS),
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
}

export interface MailDeps {
  tenants: TenantStore;
  plans: PlanStore;
  sender: MailSender;
  settings: MailSettings;
}

export async function sendTenantEmail(
  d: MailDeps,
  message: TenantEmailMessage,
): Promise<{ messageId: string; to: string }> {
  const tenant = await d.tenants.require(message.tenantId);
  const plan = await d.plans.get(tenant.plan);
  const email = renderTemplate(plan.emails[message.template], {
    companyName: tenant.companyName,
    adminEmail: tenant.adminEmail,
    slug: tenant.slug,
    tenantId: tenant.tenantId,
    namespace: tenant.resources.namespace ?? namespaceForSlug(tenant.slug),
    planName: plan.displayName,
    loginUrl: loginUrlFor(d.settings.appUrl, tenant.slug),
    supportEmail: d.settings.supportEmail,
    ...message.vars,
  });
  const messageId = await d.sender.send(tenant.adminEmail, email);
  if (message.template === "welcome") {
    // The one attempt that sent it (Powertools idempotency keeps duplicates from getting here).
    await d.tenants.markStep(tenant.tenantId, "sendWelcome", "done", { countAttempt: true });
  }
  return { messageId, to: tenant.adminEmail };
}
