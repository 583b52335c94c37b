import { describe, expect, it } from "vitest";
import { MAX_SIGNUP_BODY_BYTES, parseSignup } from "../../../core/signup/request.js";

const good = { companyName: "Acme Corp", adminEmail: "Ops@Acme.Example", plan: "standard" };

describe("parseSignup", () => {
  it("accepts a valid body, normalising and deriving the slug", () => {
    expect(parseSignup({ ...good, companyName: "  Acme Corp  " })).toEqual({
      ok: true,
      value: {
        companyName: "Acme Corp",
        adminEmail: "ops@acme.example",
        plan: "standard",
        slug: "acme-corp",
      },
    });
  });

  it("keeps a given slug, and treats an empty one as not given", () => {
    expect(parseSignup({ ...good, slug: "acme-eu" })).toMatchObject({ ok: true, value: { slug: "acme-eu" } });
    expect(parseSignup({ ...good, slug: "" })).toMatchObject({ ok: true, value: { slug: "acme-corp" } });
    expect(parseSignup({ ...good, slug: null })).toMatchObject({ ok: true, value: { slug: "acme-corp" } });
  });

  it("a given slug rescues a company name without one", () => {
    expect(parseSignup({ ...good, companyName: "!!!", slug: "bang" })).toMatchObject({
      ok: true,
      value: { companyName: "!!!", slug: "bang" },
    });
  });

  it("400 for a body that is not an object", () => {
    for (const body of [null, [], "x", 1, undefined]) {
      expect(parseSignup(body)).toEqual({
        ok: false,
        status: 400,
        error: { code: "invalid_body", message: "The request body must be a JSON object" },
      });
    }
  });

  it("400 for a missing field, naming it", () => {
    const { adminEmail: _, ...rest } = good;
    expect(parseSignup(rest)).toEqual({
      ok: false,
      status: 400,
      error: { code: "missing_field", message: "adminEmail is required", field: "adminEmail" },
    });
    expect(parseSignup({})).toMatchObject({ status: 400, error: { message: "companyName is required" } });
  });

  it("400 for a wrong type", () => {
    expect(parseSignup({ ...good, plan: 3 })).toEqual({
      ok: false,
      status: 400,
      error: { code: "invalid_type", message: "plan must be a string", field: "plan" },
    });
  });

  it("400 for unknown fields, before anything else", () => {
    expect(parseSignup({ adminEmail: "bad", isAdmin: true })).toEqual({
      ok: false,
      status: 400,
      error: { code: "unknown_field", message: 'Unknown field "isAdmin"', field: "isAdmin" },
    });
  });

  it("422 for an invalid email", () => {
    for (const adminEmail of ["nope", "a@b", "a b@c.com", "x@y.com\r\nBcc: z@w.com"]) {
      expect(parseSignup({ ...good, adminEmail }), adminEmail).toEqual({
        ok: false,
        status: 422,
        error: {
          code: "invalid_email",
          message: "adminEmail is not a valid email address",
          field: "adminEmail",
        },
      });
    }
  });

  it("422 for an email over 254 characters", () => {
    const adminEmail = `${"a".repeat(64)}@${"b".repeat(190)}.com`;
    expect(parseSignup({ ...good, adminEmail })).toMatchObject({
      status: 422,
      error: { message: "adminEmail must be at most 254 characters" },
    });
  });

  it("422 for company name length after trimming", () => {
    expect(parseSignup({ ...good, companyName: "  A  " })).toMatchObject({
      status: 422,
      error: { field: "companyName", message: "companyName must be at least 2 characters" },
    });
    expect(parseSignup({ ...good, companyName: "x".repeat(101) })).toMatchObject({ status: 422 });
  });

  it("422 for plan length", () => {
    expect(parseSignup({ ...good, plan: " " })).toMatchObject({ status: 422, error: { field: "plan" } });
    expect(parseSignup({ ...good, plan: "p".repeat(41) })).toMatchObject({ status: 422 });
  });

  it("422 when the company name yields no valid slug", () => {
    expect(parseSignup({ ...good, companyName: "!!!" })).toEqual({
      ok: false,
      status: 422,
      error: {
        code: "no_valid_slug",
        message: 'companyName "!!!" does not yield a valid slug; pass one explicitly',
        field: "companyName",
      },
    });
    expect(parseSignup({ ...good, companyName: "Admin" })).toMatchObject({
      status: 422,
      error: { code: "no_valid_slug", message: expect.stringContaining('Slug "admin" is reserved') },
    });
  });

  it("422 for a reserved or malformed given slug", () => {
    expect(parseSignup({ ...good, slug: "kube-x" })).toEqual({
      ok: false,
      status: 422,
      error: { code: "reserved_slug", message: 'Slug "kube-x" is reserved', field: "slug" },
    });
    expect(parseSignup({ ...good, slug: "Acme" })).toMatchObject({
      status: 422,
      error: { code: "invalid_slug", field: "slug" },
    });
  });

  it("shape errors win over value errors", () => {
    expect(parseSignup({ companyName: "!!!", adminEmail: "bad" })).toMatchObject({
      status: 400,
      error: { message: "plan is required" },
    });
  });

  it("exports the body size limit", () => {
    expect(MAX_SIGNUP_BODY_BYTES).toBe(16384);
  });
});
