/** parseSignup under hostile bodies: a precise 400/422 or a clean value, never a throw (fast-check). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { companyNameProblem } from "../../../core/signup/company-name.js";
import { parseSignup } from "../../../core/signup/request.js";
import { validateSlug } from "../../../core/tenant/slug.js";
import { CLASSIC_STRINGS, corruptedJson, fuzzParams, hostileString } from "../../support/hostile.js";

const good = { companyName: "Acme Corp", adminEmail: "ops@acme.example", plan: "standard", slug: "acme" };
const CODES = [
  "invalid_body",
  "unknown_field",
  "missing_field",
  "invalid_type",
  "invalid_value",
  "invalid_email",
  "invalid_company_name",
  "invalid_plan",
  "invalid_slug",
  "reserved_slug",
  "no_valid_slug",
];

/** What every answer of parseSignup must be: a clean signup, or one precise, bounded refusal. */
function expectWellFormed(result: ReturnType<typeof parseSignup>): void {
  if (result.ok) {
    const v = result.value;
    expect(companyNameProblem(v.companyName)).toBeUndefined();
    expect(v.companyName.length).toBeGreaterThanOrEqual(2);
    expect(v.companyName.length).toBeLessThanOrEqual(100);
    expect(validateSlug(v.slug)).toEqual({ ok: true });
    expect(v.adminEmail).toMatch(/^[^\s<>"]+@[a-z0-9.-]+\.[a-z0-9-]+$/);
    expect(v.plan).toMatch(/^[a-z0-9-]+$/);
    return;
  }
  expect([400, 422]).toContain(result.status);
  expect(CODES).toContain(result.error.code);
  expect(result.error.message.length).toBeGreaterThan(0);
  // Messages quote the input, but never more than a bounded piece of it.
  expect(result.error.message.length).toBeLessThanOrEqual(300);
}

describe("parseSignup under hostile input", () => {
  it("a body with hostile, missing, mistyped or extra fields gets a precise 400/422 or a clean value", () => {
    fc.assert(
      fc.property(corruptedJson(good), (text) => expectWellFormed(parseSignup(JSON.parse(text)))),
      fuzzParams(400),
    );
  });

  it("a hostile company name is refused or kept clean, and a refusal names companyName", () => {
    fc.assert(
      fc.property(hostileString, (companyName) => {
        const { slug: _, ...body } = good;
        const result = parseSignup({ ...body, companyName });
        expectWellFormed(result);
        if (!result.ok) expect(result.error.field).toBe("companyName");
      }),
      fuzzParams(400),
    );
  });

  it("a hostile email, plan or slug is refused with the field it concerns", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("adminEmail", "plan", "slug"),
        hostileString.filter((s) => s.trim() !== "" && !/^[a-z0-9-]{1,40}$/.test(s.trim())),
        (field, value) => {
          const result = parseSignup({ ...good, [field]: value });
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.error.field).toBe(field);
          expectWellFormed(result);
        },
      ),
      fuzzParams(400),
    );
  });

  it.each([
    ["Acme\r\nBcc: victim@example.com", "one line without control characters (it has U+000D)"],
    ["Acme\u0000Corp", "(it has U+0000)"],
    ["Acme\tCorp", "(it has U+0009)"],
    ["Acme\u2028Corp", "(it has U+2028)"],
    ["evil\u202Ecorp", "invisible, private-use or unassigned characters (it has U+202E)"],
    ["Ac\u200Bme", "(it has U+200B)"],
    ["\uD800Acme", "not valid Unicode"],
    ["\u0410cme Corp", 'mixes scripts in the word "\u0410cme" (Cyrillic and Latin)'],
    ["Pay\u0440al", "(Latin and Cyrillic)"],
    ["<script>alert(1)</script> Inc", 'must not contain "<" or ">"'],
    ["Acme, see http://evil.example/login", "must not contain a web address"],
    ["Acme www.evil.example", "must not contain a web address"],
    [`Ze${"\u0301".repeat(5)}bra`, "too many combining marks"],
  ])("refuses the company name %j: %s", (companyName, message) => {
    expect(parseSignup({ ...good, companyName })).toEqual({
      ok: false,
      status: 422,
      error: {
        code: "invalid_company_name",
        message: expect.stringContaining(message),
        field: "companyName",
      },
    });
  });

  it.each([
    ["Ünïcödé GmbH & Co. KG", "Ünïcödé GmbH & Co. KG"],
    ["  Acme\u00A0\u00A0 Corp ", "Acme Corp"],
    ["Москва Digital", "Москва Digital"],
    ["東京テック株式会社", "東京テック株式会社"],
    ["Cafe\u0301 Noir", "Café Noir"],
    ["👩‍👩‍👧 Family Co", "👩‍👩‍👧 Family Co"],
    ["O'Brien & Sons", "O'Brien & Sons"],
  ])("keeps the company name %j as %j", (companyName, stored) => {
    expect(parseSignup({ ...good, companyName })).toMatchObject({ ok: true, value: { companyName: stored } });
  });

  it("refuses a plan that is not a plan id before any lookup, naming it", () => {
    for (const plan of ["__proto__", "Constructor", "a\r\nb", "Standard"]) {
      expect(parseSignup({ ...good, plan }), plan).toMatchObject({
        ok: false,
        status: 422,
        error: { code: "invalid_plan", field: "plan" },
      });
    }
  });

  it("quotes at most a bounded piece of an unknown field's name", () => {
    const key = "k".repeat(5000);
    const result = parseSignup(JSON.parse(`{"${key}":1,"companyName":"Acme"}`));
    expect(result).toMatchObject({ ok: false, status: 400, error: { code: "unknown_field" } });
    if (!result.ok) expect(result.error.message.length).toBeLessThan(200);
  });

  it("the classics are all answered", () => {
    for (const s of CLASSIC_STRINGS)
      for (const f of Object.keys(good)) expectWellFormed(parseSignup({ ...good, [f]: s }));
  });
});
