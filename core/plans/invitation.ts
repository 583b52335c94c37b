/**
 * The invitation Cognito emails a tenant's admin, written by the plan (emails.invitation, or the shipped one
 * for plans stored before it existed) and rendered when the pool is made. Cognito fills in the temporary
 * password `{####}` itself (COGNITO_PASSWORD_CODE), so no password passes through Embark.
 */
import { renderTemplate } from "../mail/render.js";
import { loginUrlFor } from "../tenant/login-url.js";
import { namespaceForSlug } from "../tenant/slug.js";
import { SHIPPED_INVITATION } from "./defaults.js";
import type { Plan } from "./schema.js";

export interface Invitation {
  subject: string;
  /** Cognito's EmailMessage: HTML with `{####}`. */
  html: string;
}

/** Braces out of values: a company name must never smuggle in a `{####}` for Cognito to fill. */
const noCodes = (value: string) => value.replace(/[{}]/g, "");

export function invitationFor(
  tenant: { tenantId: string; slug: string; companyName: string; adminEmail: string },
  plan: Plan,
  settings: { appUrl: string; supportEmail: string },
): Invitation {
  const vars = {
    companyName: tenant.companyName,
    adminEmail: tenant.adminEmail,
    slug: tenant.slug,
    tenantId: tenant.tenantId,
    namespace: namespaceForSlug(tenant.slug),
    planName: plan.displayName,
    loginUrl: loginUrlFor(settings.appUrl, tenant.slug),
    supportEmail: settings.supportEmail,
  };
  const email = renderTemplate(
    plan.emails.invitation ?? SHIPPED_INVITATION,
    Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, noCodes(v)])),
  );
  return { subject: email.subject, html: email.html };
}
