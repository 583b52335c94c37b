/**
 * Hostile input for property-based tests (fast-check): what attackers, broken clients and bad upstreams send to
 * Embark's boundaries. Each arbitrary mixes generated values with the classics (header injection, markup,
 * prototype keys, confusables, invisible and control characters, huge and empty values), so a run of a few
 * hundred cases meets every family. `npm run fuzz` sets EMBARK_FUZZ_RUNS for the soak.
 */
import fc from "fast-check";

/**
 * Cases per property: `quick` in `npm test`; in the soak (`npm run fuzz` sets EMBARK_FUZZ_RUNS=2000) that many
 * times `soakShare` (slow doors, such as whole state machine executions, take a share), never fewer than `quick`.
 */
export function fuzzRuns(quick: number, soakShare = 1): number {
  const soak = Number(process.env.EMBARK_FUZZ_RUNS);
  return Number.isInteger(soak) && soak > 0 ? Math.max(quick, Math.ceil(soak * soakShare)) : quick;
}

/** fast-check parameters for a property: the run count, and a seed from EMBARK_FUZZ_SEED to replay a failure. */
export function fuzzParams(quick: number, soakShare = 1): fc.Parameters<unknown> {
  const seed = Number(process.env.EMBARK_FUZZ_SEED);
  return { numRuns: fuzzRuns(quick, soakShare), ...(Number.isInteger(seed) ? { seed } : {}) };
}

export const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty"];

/** Strings that have broken parsers, templates, headers and stores before. */
export const CLASSIC_STRINGS: readonly string[] = [
  "",
  " ",
  "\t\n\r",
  "\u0000",
  "a\u0000b",
  "Acme\r\nBcc: victim@example.com",
  "ops@acme.example\r\nBcc: victim@example.com",
  "Acme\nSubject: you won",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "{{adminEmail}}",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection attempt, on purpose
  "${process.env}",
  "'; DROP TABLE tenants; --",
  "../../etc/passwd",
  "%00",
  "%2e%2e%2f",
  "\u202Eevil\u202C",
  "a\u200Bb",
  "\uFEFFbom",
  "\uD800",
  "\uDFFFx",
  "\u0410cme", // Cyrillic А + Latin
  "Α\u0392C", // Greek capitals that look Latin
  "ｅｍｂａｒｋ", // fullwidth
  "ﬁnance", // ligature
  "e\u0301\u0301\u0301\u0301\u0301",
  "👩‍👩‍👧 Family Co",
  "\u2028\u2029",
  "x".repeat(101),
  "y".repeat(5000),
  "http://evil.example/login",
  "www.evil.example",
  ...PROTOTYPE_KEYS,
  "null",
  "undefined",
  "NaN",
  "-1",
  "1e309",
];

const controlChar = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
const invisibleChar = fc.constantFrom(
  "\u200B",
  "\u200E",
  "\u200F",
  "\u202A",
  "\u202D",
  "\u202E",
  "\u2066",
  "\u2069",
  "\u00AD",
  "\uFEFF",
  "\u2060",
  "\uE000",
);
/** Latin lookalikes from Cyrillic and Greek. */
const confusable = fc.constantFrom("а", "е", "о", "р", "с", "х", "і", "ј", "Α", "Β", "Ε", "Ο", "Ρ", "ο", "ν");

/** A string with one hostile thing spliced into ordinary text. */
const spliced = fc
  .tuple(
    fc.string({ maxLength: 12 }),
    fc.oneof(controlChar, invisibleChar, confusable, fc.constantFrom(...CLASSIC_STRINGS)),
    fc.string({ maxLength: 12 }),
  )
  .map(([a, x, b]) => `${a}${x}${b}`);

/** Any hostile string: classics, splices, full Unicode (lone surrogates too), huge and empty. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...CLASSIC_STRINGS) },
  { weight: 4, arbitrary: spliced },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 300, max: 20_000 }).map((n) => "Z".repeat(n)) },
);

/** A JSON value of the wrong type for a string field, or a hostile string. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1e308, 3.14) },
  { weight: 1, arbitrary: fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }) },
  {
    weight: 1,
    arbitrary: fc.dictionary(fc.constantFrom(...PROTOTYPE_KEYS, "a"), fc.string({ maxLength: 5 })),
  },
);

/**
 * A JSON object built from `valid` with at least one field made hostile (a hostile value, a missing field, or an
 * extra key such as `__proto__`), as raw JSON text so `__proto__` stays an own key.
 */
export function corruptedJson(valid: Record<string, unknown>): fc.Arbitrary<string> {
  const keys = Object.keys(valid);
  const change = fc.oneof(
    fc.record({ op: fc.constant("set" as const), key: fc.constantFrom(...keys), value: hostileValue }),
    fc.record({ op: fc.constant("drop" as const), key: fc.constantFrom(...keys) }),
    fc.record({
      op: fc.constant("add" as const),
      key: fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, "isAdmin", "status", "tenantId"), fc.string()),
      value: hostileValue,
    }),
  );
  return fc.array(change, { minLength: 1, maxLength: 3 }).map((changes) => {
    const entries: [string, unknown][] = Object.entries(valid);
    for (const c of changes) {
      const i = entries.findIndex(([k]) => k === c.key);
      if (c.op === "drop") {
        if (i >= 0) entries.splice(i, 1);
      } else if (i >= 0) entries[i] = [c.key, c.value];
      else entries.push([c.key, c.value]);
    }
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`;
  });
}

/** Text that is not a JSON object: truncated, garbage, other JSON types, deep nesting. */
export const notAJsonObject: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("", "{", '{"a":', "[]", "null", "true", "1", '"x"', "{'a':1}", "{a:1}", "\uFEFF{}"),
  fc.string({ maxLength: 50 }).filter((s) => {
    try {
      const v = JSON.parse(s);
      return typeof v !== "object" || v === null || Array.isArray(v);
    } catch {
      return true;
    }
  }),
  fc.integer({ min: 1000, max: 5000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`),
);
