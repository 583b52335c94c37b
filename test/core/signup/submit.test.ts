import { describe, expect, it } from "vitest";
import { TenantIdField } from "../../../core/onboarding/step-table.js";
import { signupTenantId, submitSignup } from "../../../core/signup/submit.js";
import { SlugTakenError } from "../../../core/tenant/errors.js";
import { fakes } from "../../support/fakes/deps.js";

const request = {
  companyName: "Acme Soak",
  adminEmail: "ops@acme.test",
  plan: "standard",
  slug: "acme-soak",
};

function queue() {
  const sent: unknown[] = [];
  return { sent, send: async (m: unknown) => void sent.push(m) };
}

describe("signupTenantId", () => {
  it("is a tenant id (UUID), the same for the same key and request, another for another", () => {
    const id = signupTenantId("key-12345678", request);
    expect(TenantIdField.safeParse(id).success).toBe(true);
    expect(signupTenantId("key-12345678", { ...request })).toBe(id);
    expect(signupTenantId("key-87654321", request)).not.toBe(id);
    expect(signupTenantId("key-12345678", { ...request, slug: "acme-other" })).not.toBe(id);
  });
});

describe("submitSignup with a key's tenant id", () => {
  it("a re-run after a crash (same key) makes the same tenant again instead of a 409 for its own slug", async () => {
    const f = fakes();
    const signups = queue();
    const d = { tenants: f.tenants, plans: f.plans, signups: signups as never };
    const tenantId = signupTenantId("key-12345678", request);
    const first = await submitSignup(d, request, undefined, { tenantId });
    // The soak: SIGKILL after the slug was claimed, the idempotency record expired in progress, the key retried.
    const again = await submitSignup(d, request, undefined, { tenantId });
    expect(again.tenantId).toBe(first.tenantId);
    expect(signups.sent).toEqual([{ tenantId }, { tenantId }]);
    // Another signup for the slug is still refused.
    await expect(
      submitSignup(d, request, undefined, { tenantId: signupTenantId("key-other-1", request) }),
    ).rejects.toBeInstanceOf(SlugTakenError);
  });
});
