/**
 * The tenant's claims in the tokens its users get (design §1, "Sign-in"): a pre-token-generation trigger on
 * every tenant pool reads the tenant record at each sign-in and refresh, so a plan change shows in the next
 * token without touching a user. Version 2 events (the pool's PreTokenGenerationConfig) put them in the ID
 * and access tokens; a version 1 event can only change the ID token.
 */
import { z } from "zod";
import type { Tenant } from "./model.js";
import type { TenantStore } from "./store.js";

/** Claim names (a contract: apps read them). */
export const TENANT_CLAIMS = {
  tenantId: "tenant_id",
  slug: "tenant_slug",
  plan: "tenant_plan",
} as const;

/** Statuses whose users get no tokens, whatever Cognito thinks of the user (suspended users are disabled too). */
const NO_TOKENS = ["SUSPENDED", "CANCELLED", "OFFBOARDING", "OFFBOARDED"];

export const PreTokenGenerationEvent = z.looseObject({
  version: z.string(),
  triggerSource: z.string(),
  userPoolId: z.string().min(1),
  userName: z.string(),
  response: z.looseObject({}).nullish(),
});
export type PreTokenGenerationEvent = z.infer<typeof PreTokenGenerationEvent>;

/** A tenant's sign-in is refused: Cognito answers the sign-in with this message. */
export class SignInRefusedError extends Error {
  override name = "SignInRefusedError";
}

export function tenantClaims(t: Pick<Tenant, "tenantId" | "slug" | "plan">): Record<string, string> {
  return { [TENANT_CLAIMS.tenantId]: t.tenantId, [TENANT_CLAIMS.slug]: t.slug, [TENANT_CLAIMS.plan]: t.plan };
}

/** The trigger's answer: the event with its `response` filled in (Cognito reads the whole event back). */
export async function addTenantClaims(
  d: { tenants: Pick<TenantStore, "getByUserPool"> },
  event: PreTokenGenerationEvent,
): Promise<PreTokenGenerationEvent> {
  const tenant = await d.tenants.getByUserPool(event.userPoolId);
  if (!tenant) throw new SignInRefusedError(`User pool ${event.userPoolId} belongs to no Embark tenant`);
  if (NO_TOKENS.includes(tenant.status)) {
    throw new SignInRefusedError(`Workspace ${tenant.slug} is ${tenant.status.toLowerCase()}`);
  }
  const claimsToAddOrOverride = tenantClaims(tenant);
  const response =
    event.version === "1"
      ? { claimsOverrideDetails: { claimsToAddOrOverride } }
      : {
          claimsAndScopeOverrideDetails: {
            idTokenGeneration: { claimsToAddOrOverride },
            accessTokenGeneration: { claimsToAddOrOverride },
          },
        };
  return { ...event, response };
}
