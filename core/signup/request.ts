import * as z from "zod";
import { quoteInput } from "../errors.js";
import { PLAN_ID_PATTERN } from "../plans/schema.js";
import { slugCandidate, validateSlug } from "../tenant/slug.js";
import { companyNameProblem, normalizeCompanyName } from "./company-name.js";

/** Bodies above this are refused before parsing (413 at the edge). */
export const MAX_SIGNUP_BODY_BYTES = 16 * 1024;

const FIELDS = ["companyName", "adminEmail", "plan", "slug"] as const;
type Field = (typeof FIELDS)[number];

const str = (field: Field) =>
  z.string({
    error: (iss) => (iss.input === undefined ? `${field} is required` : `${field} must be a string`),
  });

/** The signup form body. Output carries the resolved slug (given, or derived from companyName). */
export const SignupRequest = z
  .strictObject({
    companyName: str("companyName")
      .transform(normalizeCompanyName)
      .pipe(
        z
          .string()
          .min(2, { error: "companyName must be at least 2 characters" })
          .max(100, { error: "companyName must be at most 100 characters" })
          .superRefine((name, ctx) => {
            const problem = companyNameProblem(name);
            if (problem)
              ctx.addIssue({ code: "custom", message: problem, params: { code: "invalid_company_name" } });
          }),
      ),
    adminEmail: str("adminEmail")
      .trim()
      .toLowerCase()
      .max(254, { error: "adminEmail must be at most 254 characters" })
      .pipe(z.email({ error: "adminEmail is not a valid email address" })),
    plan: str("plan")
      .trim()
      .min(1, { error: "plan must not be empty" })
      .max(40, { error: "plan must be at most 40 characters" })
      .refine((plan) => PLAN_ID_PATTERN.test(plan), {
        error: (iss) =>
          `plan ${quoteInput(String(iss.input))} is not a plan id (lowercase letters, digits and "-")`,
        params: { code: "invalid_plan" },
      }),
    // An HTML form sends "" for an empty optional input: treat it (and null) as not given.
    slug: z.preprocess((v) => (v === "" || v === null ? undefined : v), str("slug").optional()),
  })
  .transform((req, ctx) => {
    if (req.slug !== undefined) {
      const r = validateSlug(req.slug);
      if (!r.ok) {
        ctx.addIssue({
          code: "custom",
          path: ["slug"],
          message: r.message,
          params: { code: r.reason === "reserved" ? "reserved_slug" : "invalid_slug" },
        });
        return z.NEVER;
      }
      return { ...req, slug: req.slug };
    }
    const candidate = slugCandidate(req.companyName);
    const r = validateSlug(candidate);
    if (!r.ok) {
      const why = candidate ? ` (${r.message})` : "";
      ctx.addIssue({
        code: "custom",
        path: ["companyName"],
        message: `companyName ${quoteInput(req.companyName)} does not yield a valid slug${why}; pass one explicitly`,
        params: { code: "no_valid_slug" },
      });
      return z.NEVER;
    }
    return { ...req, slug: candidate };
  });
export type SignupRequest = z.output<typeof SignupRequest>;

export type SignupError = { code: string; message: string; field?: string };
export type SignupParseResult =
  | { ok: true; value: SignupRequest }
  | { ok: false; status: 400 | 422; error: SignupError };

/**
 * Validates a parsed JSON body. Shape problems (not an object, unknown or missing fields, wrong
 * types) are 400; well-formed but unacceptable values are 422. Reports the most basic problem first.
 */
export function parseSignup(json: unknown): SignupParseResult {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return fail(400, { code: "invalid_body", message: "The request body must be a JSON object" });
  }
  const result = SignupRequest.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  const body = json as Record<string, unknown>;
  const ranked = result.error.issues
    .map((issue) => classify(issue, body))
    .sort((a, b) => a.rank - b.rank || fieldOrder(a.error.field) - fieldOrder(b.error.field));
  const first = ranked[0];
  if (!first) return fail(400, { code: "invalid_body", message: "The request body is invalid" });
  return fail(first.status, first.error);
}

function classify(
  issue: z.core.$ZodIssue,
  body: Record<string, unknown>,
): { rank: number; status: 400 | 422; error: SignupError } {
  const field = typeof issue.path[0] === "string" ? issue.path[0] : undefined;
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    const error = {
      code: "unknown_field",
      message: `Unknown field ${quoteInput(key)}`,
      field: key.slice(0, 100),
    };
    return { rank: 0, status: 400, error };
  }
  if (issue.code === "invalid_type") {
    const missing = field !== undefined && body[field] === undefined;
    const code = missing ? "missing_field" : "invalid_type";
    return { rank: missing ? 1 : 2, status: 400, error: { code, message: issue.message, field } };
  }
  const custom = issue.code === "custom" ? (issue.params?.code as string | undefined) : undefined;
  const code = custom ?? (issue.code === "invalid_format" ? "invalid_email" : "invalid_value");
  return { rank: 3, status: 422, error: { code, message: issue.message, field } };
}

function fieldOrder(field: string | undefined): number {
  const i = FIELDS.indexOf(field as Field);
  return i < 0 ? FIELDS.length : i;
}

function fail(status: 400 | 422, error: SignupError): SignupParseResult {
  return {
    ok: false,
    status,
    error: error.field === undefined ? { code: error.code, message: error.message } : error,
  };
}
