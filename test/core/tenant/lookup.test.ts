/** findTenant: ids case-insensitively, slugs otherwise, over a store stand-in that records its reads. */
import { describe, expect, it } from "vitest";
import { findTenant } from "../../../core/tenant/lookup.js";
import { newTenant, stepLabel, type Tenant } from "../../../core/tenant/model.js";

const acme = newTenant({
  slug: "acme-corp",
  companyName: "Acme Corp",
  adminEmail: "ops@acme.example",
  plan: "standard",
});
// A valid slug that looks like a UUID: found by slug when no tenant has it as id.
const uuidSlug = newTenant({
  slug: "0f0e0d0c-0b0a-4908-8706-050403020100",
  companyName: "Uuid Slug Ltd",
  adminEmail: "ops@uuid.example",
  plan: "free",
});

function store(tenants: Tenant[]) {
  const reads: string[] = [];
  return {
    reads,
    async get(tenantId: string) {
      reads.push(`get ${tenantId}`);
      return tenants.find((t) => t.tenantId === tenantId);
    },
    async getBySlug(slug: string) {
      reads.push(`slug ${slug}`);
      return tenants.find((t) => t.slug === slug);
    },
  };
}

describe("findTenant", () => {
  it("finds a tenant by id, and by an upper-case id lower-cased before GetItem", async () => {
    const s = store([acme]);
    expect(await findTenant(s, acme.tenantId)).toEqual(acme);
    expect(await findTenant(s, acme.tenantId.toUpperCase())).toEqual(acme);
    expect(s.reads).toEqual([`get ${acme.tenantId}`, `get ${acme.tenantId}`]);
  });

  it("finds a tenant by slug without reading it as an id", async () => {
    const s = store([acme]);
    expect(await findTenant(s, "acme-corp")).toEqual(acme);
    expect(s.reads).toEqual(["slug acme-corp"]);
  });

  it("falls back to the slug when no tenant has a UUID as id", async () => {
    const s = store([acme, uuidSlug]);
    expect(await findTenant(s, uuidSlug.slug)).toEqual(uuidSlug);
    expect(s.reads).toEqual([`get ${uuidSlug.slug}`, `slug ${uuidSlug.slug}`]);
  });

  it("answers undefined for an unknown id or slug", async () => {
    const s = store([acme]);
    expect(await findTenant(s, "00000000-0000-4000-8000-000000000000")).toBeUndefined();
    expect(await findTenant(s, "no-such-tenant")).toBeUndefined();
    expect(await findTenant(s, "")).toBeUndefined();
  });
});

describe("stepLabel", () => {
  it("labels onboarding steps and shows other steps as stored", () => {
    expect(stepLabel("runPipeline")).toBe("Run deployment pipeline");
    expect(stepLabel("disableUsers")).toBe("disableUsers");
    expect(stepLabel("toString")).toBe("toString");
  });
});
