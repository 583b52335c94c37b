import { describe, expect, it } from "vitest";
import {
  InvalidSlugError,
  namespaceForSlug,
  RESERVED_SLUGS,
  slugCandidate,
  slugFromCompanyName,
  validateSlug,
} from "../../../core/tenant/slug.js";

/** What validateSlug answers for a slug it refuses. */
const refused = (reason: string, message: string) => ({ ok: false, reason, message });

describe("validateSlug", () => {
  it("accepts DNS-1123 labels of 3-40 chars", () => {
    for (const s of ["acme", "a1b", "acme-corp", "123", "a--b", "x".repeat(40)]) {
      expect(validateSlug(s), s).toEqual({ ok: true });
    }
  });

  it("refuses bad lengths with the count", () => {
    expect(validateSlug("ab")).toEqual(
      refused("length", 'Slug "ab" must be 3-40 characters long (it has 2)'),
    );
    expect(validateSlug("")).toMatchObject({ ok: false, reason: "length" });
    expect(validateSlug("x".repeat(41))).toMatchObject({ ok: false, reason: "length" });
  });

  it("refuses bad characters and says which", () => {
    expect(validateSlug("Acme")).toEqual(
      refused(
        "format",
        'Slug "Acme" contains "A" at position 1; only a-z, 0-9 and "-" are allowed; use lowercase letters',
      ),
    );
    expect(validateSlug("acme_corp")).toMatchObject({
      reason: "format",
      message: expect.stringContaining('"_"'),
    });
    expect(validateSlug("acme.io")).toMatchObject({ reason: "format" });
    expect(validateSlug("café")).toMatchObject({ reason: "format" });
    expect(validateSlug("acme corp")).toMatchObject({ reason: "format" });
  });

  it("requires alphanumeric ends", () => {
    expect(validateSlug("-acme")).toEqual(
      refused("format", 'Slug "-acme" must start and end with a letter or digit'),
    );
    expect(validateSlug("acme-")).toMatchObject({ ok: false, reason: "format" });
  });

  it("refuses reserved words and prefixes", () => {
    expect(validateSlug("kube-x")).toEqual(refused("reserved", 'Slug "kube-x" is reserved'));
    for (const s of RESERVED_SLUGS.filter((w) => w.length >= 3)) {
      expect(validateSlug(s).ok, s).toBe(false);
    }
    for (const s of ["kube-system", "system-a", "openshift-x", "aws-prod", "eks-one"]) {
      expect(validateSlug(s), s).toMatchObject({ ok: false, reason: "reserved" });
    }
    // Only the prefix with its dash is reserved, and only exact words.
    expect(validateSlug("kubernetes-fans").ok).toBe(true);
    expect(validateSlug("awsome").ok).toBe(true);
    expect(validateSlug("admins").ok).toBe(true);
    expect(validateSlug("my-admin").ok).toBe(true);
  });
});

describe("slugFromCompanyName", () => {
  it.each([
    ["Acme Corp", "acme-corp"],
    ["Ünïcödé GmbH & Co. KG", "unicode-gmbh-co-kg"],
    ["  --Hello,   World!--  ", "hello-world"],
    ["Straße Bau AG", "strasse-bau-ag"],
    ["Joe's Pizza", "joes-pizza"],
    ["ﬁne Widgets", "fine-widgets"],
    ["Ørsted Æble", "orsted-aeble"],
    ["123 Labs", "123-labs"],
  ])("%s → %s", (name, slug) => {
    expect(slugFromCompanyName(name)).toBe(slug);
  });

  it("throws when nothing valid comes out", () => {
    expect(() => slugFromCompanyName("!!!")).toThrow(InvalidSlugError);
    expect(() => slugFromCompanyName("株式会社")).toThrow(InvalidSlugError);
    expect(() => slugFromCompanyName("AB")).toThrow(/3-40 characters/);
    try {
      slugFromCompanyName("Admin");
      expect.unreachable();
    } catch (err) {
      expect((err as InvalidSlugError).reason).toBe("reserved");
    }
    expect(() => slugFromCompanyName("Kube Systems")).toThrow('Slug "kube-systems" is reserved');
  });

  it("truncates to 40 at a word boundary without a trailing dash", () => {
    const name = "The Quick Brown Fox Jumps Over The Lazy Dog Incorporated";
    const slug = slugFromCompanyName(name);
    expect(slug).toBe("the-quick-brown-fox-jumps-over-the-lazy");
    expect(slug.length).toBeLessThanOrEqual(40);
    expect(validateSlug(slug).ok).toBe(true);
  });

  it("keeps a whole word that ends exactly at 40", () => {
    const name = `${"a".repeat(35)} bcde fgh`; // 35 + 1 + 4 = 40, then "-fgh"
    expect(slugFromCompanyName(name)).toBe(`${"a".repeat(35)}-bcde`);
  });

  it("hard-cuts a single long word, and never ends in a dash", () => {
    expect(slugFromCompanyName("x".repeat(60))).toBe("x".repeat(40));
    expect(slugFromCompanyName(`ab ${"y".repeat(60)}`)).toBe(`ab-${"y".repeat(37)}`);
    const cut = slugCandidate(`${"a".repeat(39)} b`);
    expect(cut).toBe("a".repeat(39));
  });

  it("slugCandidate shows the raw derivation", () => {
    expect(slugCandidate("!!!")).toBe("");
    expect(slugCandidate("Admin")).toBe("admin");
  });
});

describe("namespaceForSlug", () => {
  it("prefixes tenant- and stays a valid namespace name", () => {
    expect(namespaceForSlug("acme")).toBe("tenant-acme");
    expect(namespaceForSlug("x".repeat(40)).length).toBeLessThanOrEqual(63);
  });
  it("refuses invalid slugs", () => {
    expect(() => namespaceForSlug("Bad Slug")).toThrow(InvalidSlugError);
  });
});
