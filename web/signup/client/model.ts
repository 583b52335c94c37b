/**
 * The signup page's logic without the DOM: client-side checks (the server's own rules, bundled from core/),
 * Idempotency-Key reuse, and how a step of the status API reads to a person. Unit-tested directly; bundled
 * into the page by scripts/build-web.ts.
 */
import { regexes } from "zod/v4/core";
import { companyNameProblem, normalizeCompanyName } from "../../../core/signup/company-name.js";
import type { SignupRequest } from "../../../core/signup/request.js";
import type { PublicStep, PublicTenantView } from "../../../core/tenant/model.js";
import { slugCandidate, validateSlug } from "../../../core/tenant/slug.js";
import type { TenantStatus } from "../../../core/tenant/status.js";

/** The fields of POST /signups' body, which are the form's fields. */
export type Field = keyof SignupRequest;

/** The form's fields in the order they are shown (and their errors reported). */
export const FIELDS = ["companyName", "adminEmail", "plan", "slug"] as const satisfies readonly Field[];

/** What is typed in the form, as typed. */
export type SignupValues = Record<Field, string>;

export type FieldErrors = Partial<Record<Field, string>>;

/** Below this the company name is refused, and no slug is derived from it yet. */
export const COMPANY_NAME_MIN_LENGTH = 2;

/**
 * The checks POST /signups makes (core/signup/request.ts), worded for the form. The server stays the
 * authority: what it still refuses is shown with its own message.
 */
export function checkSignup(v: SignupValues): FieldErrors {
  const errors: FieldErrors = {};
  const company = v.companyName.trim();
  if (company.length === 0) errors.companyName = "Enter your company name.";
  else if (company.length < COMPANY_NAME_MIN_LENGTH)
    errors.companyName = `Company name must be at least ${COMPANY_NAME_MIN_LENGTH} characters.`;
  else if (company.length > 100) errors.companyName = "Company name must be at most 100 characters.";
  else {
    const problem = companyNameProblem(normalizeCompanyName(company));
    if (problem) errors.companyName = `${problem.replace(/^companyName/, "Company name")}.`;
  }

  const email = v.adminEmail.trim().toLowerCase();
  if (email.length === 0) errors.adminEmail = "Enter the email address of your workspace admin.";
  else if (email.length > 254) errors.adminEmail = "Email address must be at most 254 characters.";
  // zod's own email pattern: the one the server's z.email() applies.
  else if (!regexes.email.test(email))
    errors.adminEmail = `"${v.adminEmail.trim()}" is not a valid email address.`;

  if (!v.plan) errors.plan = "Choose a plan.";

  const slugError = v.slug
    ? checkSlug(v.slug)
    : company.length >= COMPANY_NAME_MIN_LENGTH
      ? checkDerivedSlug(company)
      : undefined;
  if (slugError) errors.slug = slugError;
  return errors;
}

/** validateSlug's message for a typed slug, or undefined when it is acceptable. */
export function checkSlug(slug: string): string | undefined {
  const r = validateSlug(slug);
  return r.ok ? undefined : r.message;
}

/** When no slug is typed the server derives one from the company name; say early if that cannot work. */
export function checkDerivedSlug(companyName: string): string | undefined {
  const candidate = slugCandidate(companyName.trim());
  const r = validateSlug(candidate);
  if (r.ok) return undefined;
  return candidate
    ? `We can't make a workspace ID from this company name (${r.message}). Please choose one.`
    : "We can't make a workspace ID from this company name. Please choose one.";
}

/** The JSON body POST /signups gets: an empty slug is left out (the server derives one). */
export function signupBody(v: SignupValues): Record<string, string> {
  const body: Record<string, string> = {
    companyName: v.companyName.trim(),
    adminEmail: v.adminEmail.trim(),
    plan: v.plan,
  };
  if (v.slug) body.slug = v.slug;
  return body;
}

/**
 * One Idempotency-Key per form fill: a double click, a retry after a lost response or a resubmit of the same
 * values sends the same key (so the server answers with the first tenant); edited values get a new key,
 * since the server refuses a key reused with a different body.
 */
export class IdempotencyKeys {
  private payload: string | undefined;
  private key: string | undefined;

  constructor(private readonly newKey: () => string) {}

  keyFor(payload: string): string {
    if (this.key === undefined || this.payload !== payload) {
      this.key = this.newKey();
      this.payload = payload;
    }
    return this.key;
  }
}

// ------------------------------------------------------------------------------------------- progress view

// The status API's shape is the server's (type-only: nothing of core/tenant/model.ts enters the bundle).
export type StepState = PublicStep["status"];
export type { PublicStep };
/** GET /tenants/{id}'s body (the name the unit tests use). */
export type PublicTenant = PublicTenantView;

export interface StepView {
  state: StepState;
  /** Short state text: "Waiting", "Running · 3 s", "Retrying · attempt 2", "Done", "Failed". */
  text: string;
  /** A second line: the failure reason or the last error before a retry. */
  detail?: string;
  /** When it finished, counted from the signup ("+2.4 s"). */
  when?: string;
}

export function stepView(
  step: PublicStep,
  tenant: Pick<PublicTenantView, "createdAt" | "failure">,
  now: number,
): StepView {
  const since = (iso: string) => Math.max(0, Date.parse(iso) - Date.parse(tenant.createdAt));
  switch (step.status) {
    case "pending":
      return { state: "pending", text: "Waiting" };
    case "running": {
      const attempt = step.attempts > 1 ? ` · attempt ${step.attempts}` : "";
      return {
        state: "running",
        text: `Running${attempt} · ${formatDuration(Math.max(0, now - Date.parse(step.at)))}`,
      };
    }
    case "retrying":
      return {
        state: "retrying",
        text: `Retrying · attempt ${Math.max(2, step.attempts + 1)}`,
        ...(step.error ? { detail: `Last attempt: ${step.error.message || step.error.name}` } : {}),
      };
    case "done":
      return { state: "done", text: "Done", when: `+${formatDuration(since(step.at))}` };
    case "skipped":
      return { state: "skipped", text: "Not needed on this plan" };
    case "failed": {
      const own = tenant.failure && tenant.failure.step === step.name ? tenant.failure.cause : undefined;
      const reason = own || step.error?.message || step.error?.name || "The step failed.";
      return { state: "failed", text: "Failed", detail: reason, when: `+${formatDuration(since(step.at))}` };
    }
  }
}

/** "850 ms", "4.2 s", "1 min 05 s", "2 h 03 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.floor(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

/** How long onboarding took (ready) or has been taking (still going, or failed). */
export function elapsedMs(tenant: PublicTenantView, now: number): number {
  const start = Date.parse(tenant.createdAt);
  if (tenant.status === "ACTIVE") {
    const activated = tenant.steps.find((s) => s.name === "activateTenant" && s.status === "done");
    return Math.max(0, Date.parse(activated?.at ?? tenant.updatedAt) - start);
  }
  if (tenant.status === "FAILED")
    return Math.max(0, Date.parse(tenant.failure?.at ?? tenant.updatedAt) - start);
  return Math.max(0, now - start);
}

/** How often to poll GET /tenants/{id}: quickly while it moves, slowly while a failure waits for an operator. */
export function pollDelayMs(status: TenantStatus, sinceStartMs: number): number | undefined {
  if (status === "PROVISIONING") return sinceStartMs < 60_000 ? 1000 : 3000;
  if (status === "FAILED") return 4000; // an operator's redrive brings it back to PROVISIONING
  return undefined;
}

export const STATUS_TEXT: Readonly<Record<TenantStatus, string>> = {
  PROVISIONING: "Setting up",
  ACTIVE: "Ready",
  FAILED: "Needs attention",
  SUSPENDED: "Suspended",
  DEGRADED: "Needs attention",
  CANCELLED: "Cancelled",
  OFFBOARDING: "Closing",
  OFFBOARDED: "Closed",
};
