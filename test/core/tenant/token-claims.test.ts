import { describe, expect, it } from "vitest";
import { newTenant, type Tenant } from "../../../core/tenant/model.js";
import { addTenantClaims, SignInRefusedError } from "../../../core/tenant/token-claims.js";

const tenant = newTenant({
  slug: "acme-corp",
  companyName: "Acme",
  adminEmail: "a@acme.test",
  plan: "standard",
});
const store = (t: Tenant | undefined) => ({ tenants: { getByUserPool: async () => t } });
const event = (version: string) => ({
  version,
  triggerSource: "TokenGeneration_Authentication",
  userPoolId: "us-east-1_abc",
  userName: "u-1",
  request: { userAttributes: { email: "a@acme.test" } },
  response: { claimsAndScopeOverrideDetails: null },
});
const claims = { tenant_id: tenant.tenantId, tenant_slug: "acme-corp", tenant_plan: "standard" };

describe("tenant claims in tokens", () => {
  it("v2: in the ID and the access token; the rest of the event is returned as it came", async () => {
    const out = await addTenantClaims(store({ ...tenant, status: "ACTIVE" }), event("2"));
    expect(out.response).toEqual({
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: { claimsToAddOrOverride: claims },
        accessTokenGeneration: { claimsToAddOrOverride: claims },
      },
    });
    expect(out).toMatchObject({
      userPoolId: "us-east-1_abc",
      request: { userAttributes: { email: "a@acme.test" } },
    });
  });

  it("v1: in the ID token (the only one a v1 trigger can change)", async () => {
    const out = await addTenantClaims(store({ ...tenant, status: "ACTIVE" }), event("1"));
    expect(out.response).toEqual({ claimsOverrideDetails: { claimsToAddOrOverride: claims } });
  });

  it("reads the plan at each token, so a plan change shows at the next refresh", async () => {
    const out = await addTenantClaims(store({ ...tenant, status: "ACTIVE", plan: "enterprise" }), event("2"));
    expect(JSON.stringify(out.response)).toContain('"tenant_plan":"enterprise"');
  });

  it("refuses tokens for a suspended or closed workspace and for a pool no tenant owns", async () => {
    for (const status of ["SUSPENDED", "OFFBOARDING", "OFFBOARDED"] as const) {
      await expect(addTenantClaims(store({ ...tenant, status }), event("2"))).rejects.toThrow(
        SignInRefusedError,
      );
    }
    await expect(addTenantClaims(store({ ...tenant, status: "SUSPENDED" }), event("2"))).rejects.toThrow(
      "Workspace acme-corp is suspended",
    );
    await expect(addTenantClaims(store(undefined), event("2"))).rejects.toThrow(
      /belongs to no Embark tenant/,
    );
    // Still onboarding: the admin may sign in as soon as the invitation arrives.
    await expect(addTenantClaims(store(tenant), event("2"))).resolves.toBeDefined();
  });
});
