/**
 * What the sign-in page needs to sign a tenant's user in: the ids of its user pool and app client (public on
 * AWS too: they are in every app that signs users in), and a clear reason when the workspace cannot be signed
 * in to. GET /tenants/{slug}/sign-in answers it.
 */
import {
  TenantClosedError,
  TenantNotFoundError,
  TenantNotReadyError,
  TenantSuspendedError,
} from "./errors.js";
import type { TenantStatus } from "./status.js";
import type { TenantStore } from "./store.js";

export interface SignInConfig {
  tenantId: string;
  slug: string;
  companyName: string;
  userPoolId: string;
  clientId: string;
}

/** Why a workspace in a status that cannot sign in does not, as the page shows it. */
function notOpen(status: TenantStatus, slug: string): Error | undefined {
  switch (status) {
    case "PROVISIONING":
      return new TenantNotReadyError(`Workspace ${slug} is still being set up. Try again in a minute.`);
    case "FAILED":
      return new TenantNotReadyError(`Workspace ${slug} could not be set up yet; our team is on it.`);
    case "SUSPENDED":
      return new TenantSuspendedError(
        `Workspace ${slug} is suspended because of a billing issue. Its admin can update the payment details to restore access.`,
      );
    case "CANCELLED":
      return new TenantSuspendedError(
        `Workspace ${slug} is cancelled. Its data is kept for now: its admin can subscribe again to restore it.`,
      );
    case "OFFBOARDING":
    case "OFFBOARDED":
      return new TenantClosedError(`Workspace ${slug} has been closed.`);
    default:
      return undefined;
  }
}

/** The errors' HTTP answers (GET /tenants/{slug}/sign-in). */
export const SIGN_IN_ERRORS = [
  { error: TenantNotFoundError, status: 404, code: "tenant_not_found" },
  { error: TenantNotReadyError, status: 409, code: "tenant_not_ready" },
  { error: TenantSuspendedError, status: 403, code: "tenant_suspended" },
  { error: TenantClosedError, status: 410, code: "tenant_offboarded" },
] as const;

export async function signInConfig(
  d: { tenants: Pick<TenantStore, "getBySlug"> },
  slug: string,
): Promise<SignInConfig> {
  const tenant = slug ? await d.tenants.getBySlug(slug) : undefined;
  if (!tenant) {
    const err = new TenantNotFoundError(slug);
    err.message = `There is no workspace "${slug.slice(0, 63)}". Check the address in your welcome email.`;
    throw err;
  }
  const closed = notOpen(tenant.status, tenant.slug);
  if (closed) throw closed;
  const { userPoolId, userPoolClientId } = tenant.resources;
  if (!userPoolId || !userPoolClientId) {
    throw new TenantNotReadyError(`Workspace ${tenant.slug} has no sign-in yet. Try again in a minute.`);
  }
  return {
    tenantId: tenant.tenantId,
    slug: tenant.slug,
    companyName: tenant.companyName,
    userPoolId,
    clientId: userPoolClientId,
  };
}
