/**
 * Turns a valid signup into a PROVISIONING tenant and hands it to the onboarding starter. The slug claim is
 * synchronous so a taken slug is a 409 now, not a failed workflow later; if the hand-off fails the tenant is
 * discarded, so no half-made tenant is left behind.
 */
import { createHash } from "node:crypto";
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

/**
 * The tenant id of a signup sent with an Idempotency-Key: derived from the key and the request, so a re-run after
 * the first attempt crashed (its idempotency record expired in progress) makes the same tenant again, which
 * `TenantStore.create` takes as done, instead of finding its own slug taken (409 slug_taken, found by the soak
 * after a SIGKILL). A UUID (version 5 layout) of a SHA-256, like uuidv5's.
 */
export function signupTenantId(idempotencyKey: string, request: SignupRequest & { slug: string }): string {
  const h = createHash("sha256")
    .update(
      JSON.stringify([idempotencyKey, request.slug, request.adminEmail, request.companyName, request.plan]),
    )
    .digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
