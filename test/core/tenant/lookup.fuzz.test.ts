/** tenantRefProblem: what GET /tenants/{id} refuses (400) before any lookup, under hostile path segments. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tenantRefProblem } from "../../../core/tenant/lookup.js";
import { validateSlug } from "../../../core/tenant/slug.js";
import { fuzzParams, hostileString } from "../../support/hostile.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe("tenantRefProblem", () => {
  it("lets through exactly UUIDs and well-formed slugs; says why anything else names no tenant", () => {
    fc.assert(
      fc.property(fc.oneof(hostileString, fc.uuid(), fc.stringMatching(/^[a-z0-9-]{1,45}$/)), (ref) => {
        const problem = tenantRefProblem(ref);
        const slug = validateSlug(ref);
        const acceptable = UUID.test(ref) || slug.ok || slug.reason === "reserved";
        expect(problem === undefined).toBe(acceptable);
        if (problem) {
          expect(problem).toMatch(/is neither a tenant id \(a UUID\) nor a slug/);
          expect(problem.length).toBeLessThanOrEqual(200);
        }
      }),
      fuzzParams(500),
    );
  });

  it.each(["__proto__", "../../etc/passwd", "acme\r\nx", "x".repeat(3000), "", "Acme"])(
    "refuses %j",
    (ref) => {
      expect(tenantRefProblem(ref)).toBeDefined();
    },
  );

  it.each(["acme-corp", "admin", "8C0E4ED3-8F4B-4A63-9A39-1F1E33B1F7C1"])("accepts %j", (ref) => {
    expect(tenantRefProblem(ref)).toBeUndefined();
  });
});
