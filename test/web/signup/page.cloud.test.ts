/** The signup page's HTTP routes through the local API Gateway: GET /, GET /plans, GET /slugs/{slug}. */
import { describe, expect, it } from "vitest";
import { cloud } from "../../support/cloud.js";
import { postSignup, uniqueCompany } from "../../support/embark.js";

const get = (path: string) => fetch(`${cloud().web}${path}`);

describe("signup page routes", () => {
  it("GET / serves the page with a strict Content-Security-Policy", async () => {
    const res = await get("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toMatch(/^default-src 'none'; script-src 'sha256-/);
    const html = await res.text();
    expect(html).toContain('<form id="signup-form" novalidate>');
    expect(html).toContain(`data-app-url="${cloud().web}"`);
  });

  it("GET /plans lists the catalog without operational fields", async () => {
    const res = await get("/plans");
    expect(res.status).toBe(200);
    const { plans } = (await res.json()) as { plans: Array<Record<string, unknown>> };
    // Other suites add plans of their own to the shared catalog (e.g. a short-grace plan); the shipped ones lead.
    expect(
      plans.map((p) => String(p.id)).filter((id) => ["free", "standard", "enterprise"].includes(id)),
    ).toEqual(["free", "standard", "enterprise"]);
    for (const p of plans) {
      expect(Object.keys(p).sort()).toEqual(
        ["dedicatedResources", "description", "displayName", "features", "id", "monthlyPriceUsd"].sort(),
      );
    }
    expect(plans.find((p) => p.id === "enterprise")?.dedicatedResources).toBe(true);
  });

  it("GET /slugs/{slug} says whether a slug is free, with the server's own messages", async () => {
    const slugOf = async (s: string) =>
      (await (await get(`/slugs/${encodeURIComponent(s)}`)).json()) as Record<string, unknown>;
    const fresh = `free-${Date.now().toString(36)}`;
    expect(await slugOf(fresh)).toEqual({ slug: fresh, available: true });
    expect(await slugOf("admin")).toEqual({
      slug: "admin",
      available: false,
      reason: "reserved",
      message: 'Slug "admin" is reserved',
    });
    expect(await slugOf("Bad_Slug")).toMatchObject({ available: false, reason: "format" });
    expect(await slugOf("ab")).toMatchObject({ available: false, reason: "length" });

    const signup = await postSignup({
      companyName: uniqueCompany("Slug Owner"),
      adminEmail: "o@slug.test",
      plan: "free",
    });
    const taken = String(signup.body.slug);
    const refused = await postSignup({
      companyName: "Other",
      adminEmail: "x@slug.test",
      plan: "free",
      slug: taken,
    });
    expect(await slugOf(taken)).toEqual({
      slug: taken,
      available: false,
      reason: "taken",
      message: refused.body.error?.message,
    });
  });
});
