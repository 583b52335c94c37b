import { describe, expect, it } from "vitest";
import { newTenant, type Tenant } from "../../../core/tenant/model.js";
import { SIGN_IN_ERRORS, signInConfig } from "../../../core/tenant/sign-in.js";

const base = newTenant({
  slug: "acme-corp",
  companyName: "Acme",
  adminEmail: "a@acme.test",
  plan: "standard",
});
const ready: Tenant = {
  ...base,
  status: "ACTIVE",
  resources: { userPoolId: "us-east-1_abc", userPoolClientId: "client-1", adminUsername: "u-1" },
};
const d = (t: Tenant | undefined) => ({ tenants: { getBySlug: async () => t } });
const answer = (err: unknown) => SIGN_IN_ERRORS.find((a) => err instanceof a.error);

describe("GET /tenants/{slug}/sign-in", () => {
  it("gives an active workspace's pool and client ids, and nothing else of the record", async () => {
    expect(await signInConfig(d(ready), "acme-corp")).toEqual({
      tenantId: ready.tenantId,
      slug: "acme-corp",
      companyName: "Acme",
      userPoolId: "us-east-1_abc",
      clientId: "client-1",
    });
  });

  it.each([
    [undefined, 404, "tenant_not_found", /There is no workspace "acme-corp"/],
    [{ ...ready, status: "PROVISIONING" }, 409, "tenant_not_ready", /still being set up/],
    [{ ...ready, status: "FAILED" }, 409, "tenant_not_ready", /could not be set up/],
    [{ ...ready, status: "SUSPENDED" }, 403, "tenant_suspended", /Workspace acme-corp is suspended/],
    [{ ...ready, status: "OFFBOARDED" }, 410, "tenant_offboarded", /has been closed/],
    [{ ...ready, resources: {} }, 409, "tenant_not_ready", /no sign-in yet/],
  ] as const)("explains a workspace that cannot sign in (%#)", async (t, status, code, message) => {
    const err = await signInConfig(d(t as Tenant | undefined), "acme-corp").catch((e: unknown) => e);
    expect(answer(err)).toMatchObject({ status, code });
    expect((err as Error).message).toMatch(message);
  });
});
