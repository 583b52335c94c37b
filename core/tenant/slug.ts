/**
 * Tenant slugs are DNS-1123 labels: they name the namespace `tenant-<slug>`, the Cognito group
 * and execution names (design §2, contract).
 */
import { quoteInput } from "../errors.js";

export const SLUG_MIN_LENGTH = 3;
export const SLUG_MAX_LENGTH = 40;

export const RESERVED_SLUGS: readonly string[] = [
  "default",
  "admin",
  "administrator",
  "system",
  "root",
  "api",
  "www",
  "app",
  "console",
  "embark",
  "tenant",
  "tenants",
  "kube",
  "support",
  "billing",
  "status",
  "login",
  "auth",
];

export const RESERVED_SLUG_PREFIXES: readonly string[] = ["kube-", "system-", "openshift-", "aws-", "eks-"];

export type SlugValidation =
  | { ok: true }
  | { ok: false; reason: "format" | "length" | "reserved"; message: string };

export class InvalidSlugError extends Error {
  constructor(
    readonly reason: "format" | "length" | "reserved",
    message: string,
  ) {
    super(message);
    this.name = "InvalidSlugError";
  }
}

export function validateSlug(slug: string): SlugValidation {
  if (typeof slug !== "string") return { ok: false, reason: "format", message: "Slug must be a string" };
  const quoted = quoteInput(slug);
  if (slug.length < SLUG_MIN_LENGTH || slug.length > SLUG_MAX_LENGTH) {
    return {
      ok: false,
      reason: "length",
      message: `Slug ${quoted} must be ${SLUG_MIN_LENGTH}-${SLUG_MAX_LENGTH} characters long (it has ${slug.length})`,
    };
  }
  const bad = [...slug].findIndex((c) => !/^[a-z0-9-]$/.test(c));
  if (bad >= 0) {
    const ch = [...slug][bad];
    const hint = ch && /^[A-Z]$/.test(ch) ? "; use lowercase letters" : "";
    return {
      ok: false,
      reason: "format",
      message: `Slug ${quoted} contains ${JSON.stringify(ch)} at position ${bad + 1}; only a-z, 0-9 and "-" are allowed${hint}`,
    };
  }
  if (slug.startsWith("-") || slug.endsWith("-")) {
    return {
      ok: false,
      reason: "format",
      message: `Slug ${quoted} must start and end with a letter or digit`,
    };
  }
  if (RESERVED_SLUGS.includes(slug) || RESERVED_SLUG_PREFIXES.some((p) => slug.startsWith(p))) {
    return { ok: false, reason: "reserved", message: `Slug ${quoted} is reserved` };
  }
  return { ok: true };
}

/** Letters NFKD leaves alone but people expect transliterated. */
const TRANSLITERATE: Readonly<Record<string, string>> = {
  ß: "ss",
  æ: "ae",
  œ: "oe",
  ø: "o",
  ł: "l",
  đ: "d",
  ð: "d",
  þ: "th",
  ı: "i",
};

/**
 * Derives a slug from a company name ("Ünïcödé GmbH & Co. KG" → "unicode-gmbh-co-kg").
 * Throws InvalidSlugError when nothing valid comes out ("!!!", "AB", "Admin").
 */
export function slugFromCompanyName(name: string): string {
  const candidate = slugCandidate(name);
  const result = validateSlug(candidate);
  if (!result.ok) throw new InvalidSlugError(result.reason, result.message);
  return candidate;
}

/** The derivation without validation (may be empty, short or reserved). */
export function slugCandidate(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "") // combining marks: the stripped diacritics
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (c) => TRANSLITERATE[c] ?? c)
    .replace(/['’ʼ`]/g, "") // "Joe's" → "joes", not "joe-s"
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return truncateAtBoundary(base, SLUG_MAX_LENGTH);
}

function truncateAtBoundary(slug: string, max: number): string {
  if (slug.length <= max) return slug;
  // The last dash at or before index `max` ends the last whole word that fits.
  const boundary = slug.lastIndexOf("-", max);
  const atWord = boundary > 0 ? slug.slice(0, boundary) : "";
  return atWord.length >= SLUG_MIN_LENGTH ? atWord : slug.slice(0, max).replace(/-+$/, "");
}

/** The tenant's Kubernetes namespace. */
export function namespaceForSlug(slug: string): string {
  const result = validateSlug(slug);
  if (!result.ok) throw new InvalidSlugError(result.reason, result.message);
  return `tenant-${slug}`;
}

/**
 * How long an offboarded tenant's slug stays reserved (design §2): links and emails meant for it must not reach
 * a newcomer. At least 90 days, Step Functions' execution-name window (executions are named by slug).
 */
export const DEFAULT_SLUG_RESERVATION_DAYS = 365;
export const MIN_SLUG_RESERVATION_DAYS = 90;
