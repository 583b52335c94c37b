/**
 * Turns a valid signup into a PROVISIONING tenant and hands it to the onboarding starter. The slug claim is
 * synchronous so a taken slug is a 409 now, not a failed workflow later; if the hand-off fails the tenant is
 * discarded, so no half-made tenant is left behind.
 */
import type { PlanStore } from "../plans/store.js";
import type { MessageQueue } from "../ports.js";
import { newTenant, type Tenant } from "../tenant/model.js";
import type { TenantStore } from "../tenant/store.js";
import type { SignupRequest } from "./request.js";

export interface SignupAccepted {
  tenantId: string;
  slug: string;
  plan: string;
  status: Tenant["status"];
}

export async function submitSignup(
  d: { tenants: TenantStore; plans: PlanStore; signups: MessageQueue },
  request: SignupRequest & { slug: string },
  billing?: Tenant["billing"],
  /** A tenant id chosen beforehand (a billing checkout claims its customer for it first). */
  opts: { tenantId?: string } = {},
): Promise<SignupAccepted> {
  const plan = await d.plans.get(request.plan);
  const tenant = newTenant({
    slug: request.slug,
    companyName: request.companyName,
    adminEmail: request.adminEmail,
    plan: plan.id,
    ...(billing ? { billing } : {}),
    ...(opts.tenantId ? { tenantId: opts.tenantId } : {}),
  });
  await d.tenants.create(tenant);
  try {
    await d.signups.send({ tenantId: tenant.tenantId });
  } catch (err) {
    await d.tenants.discard(tenant);
    throw err;
  }
  return { tenantId: tenant.tenantId, slug: tenant.slug, plan: tenant.plan, status: tenant.status };
}
