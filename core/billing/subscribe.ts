/**
 * A checkout or a new subscription: onboard a tenant for a customer Embark has not seen, or link the customer
 * and subscription to the tenant it is for (metadata `tenantId`; or `client_reference_id`, which a payment link
 * lets the customer set, so only when the checkout's email is that tenant's admin email; or the tenant that
 * already has the customer).
 *
 * A new tenant goes through the signup path (submitSignup: slug claim, tenant record, signups queue), under a
 * tenant id claimed for the customer first (CUSTOMER#<id>, conditional), so two events for one new customer
 * (Stripe sends a checkout and a subscription event together) onboard one tenant, and a retry after a crash
 * resumes with the same id. Events that arrived for the customer before its tenant existed were parked on the
 * claim; the new tenant takes them over and applies them when its onboarding ends.
 */
import { createHash, randomUUID } from "node:crypto";
import type { Plan } from "../plans/catalog.js";
import { SignupRequest } from "../signup/request.js";
import { submitSignup } from "../signup/submit.js";
import { SlugTakenError } from "../tenant/errors.js";
import { SLUG_MAX_LENGTH, validateSlug } from "../tenant/slug.js";
import { StepError } from "../workflow/retry.js";
import { applyToTenant } from "./apply.js";
import { planFor } from "./decide.js";
import type { BillingDeps } from "./deps.js";
import { BillingEvent, type BillingOutcome, compareEvents } from "./event.js";
import { recordOutcome } from "./log.js";

type Subscribe = BillingEvent & { customerId: string };
type Signup = { ok: true; request: SignupRequest; plan: Plan } | { ok: false; reason: string };

export async function subscribe(d: BillingDeps, e: Subscribe): Promise<BillingOutcome> {
  for (let round = 0; round < 3; round++) {
    const link = await d.records.customer(e.customerId);

    if (!link?.tenantId && e.tenantRef) {
      const existing = await d.tenants.get(e.tenantRef);
      const email = e.signup?.adminEmail?.toLowerCase();
      if (existing && e.tenantRefFrom !== "metadata" && email !== existing.adminEmail.toLowerCase()) {
        return {
          outcome: "ignored",
          reason: `client_reference_id names tenant ${existing.slug}, but the checkout's email is not its admin's`,
        };
      }
      if (existing) {
        const { claimed, link: now } = await d.records.claimCustomer(e.customerId, existing.tenantId);
        if (!claimed) continue; // another tenant has this customer: link to that one
        await d.records.linkBilling(existing, e.customerId, e.subscriptionId);
        // Events that waited for this customer to have a tenant.
        for (const parked of sortedParked(now.parked)) {
          const outcome = await applyToTenant(d, existing.tenantId, parked);
          await recordOutcome(d, parked, outcome);
        }
        return linkedAndPlan(d, existing.tenantId, e, `customer linked to tenant ${existing.slug}`);
      }
    }

    if (link?.tenantId) {
      const tenant = await d.tenants.get(link.tenantId);
      if (!tenant) {
        // Claimed, but the tenant was not written: an interrupted creation (or one in progress) resumes.
        const signup = await signupOf(d, e);
        if (!signup.ok) {
          throw new StepError(
            "TransientError",
            `Tenant ${link.tenantId} of ${e.customerId} is being created`,
          );
        }
        return create(d, e, link.tenantId, link.parked, signup);
      }
      await d.records.linkBilling(tenant, e.customerId, e.subscriptionId);
      return linkedAndPlan(d, tenant.tenantId, e, `customer already has tenant ${tenant.slug}`);
    }

    const signup = await signupOf(d, e);
    if (!signup.ok) return { outcome: "ignored", reason: signup.reason };
    const { claimed, link: claim } = await d.records.claimCustomer(e.customerId, randomUUID());
    if (!claimed || !claim.tenantId) continue;
    return create(d, e, claim.tenantId, claim.parked, signup);
  }
  throw new StepError("TransientError", `Customer ${e.customerId} kept changing while ${e.id} was applied`);
}

/** Linking done; a plan in the event is then applied like any plan event (same plan: nothing to do). */
async function linkedAndPlan(
  d: BillingDeps,
  tenantId: string,
  e: Subscribe,
  reason: string,
): Promise<BillingOutcome> {
  // A cancelled tenant's new subscription restores it, plan or no plan (decide.ts).
  const cancelled = (await d.tenants.get(tenantId))?.status === "CANCELLED";
  if (!e.priceId && !e.planId && !cancelled) return { outcome: "linked", reason, tenantId };
  const applied = await applyToTenant(d, tenantId, e);
  return applied.outcome === "recorded" ? { ...applied, outcome: "linked", reason } : applied;
}

async function create(
  d: BillingDeps,
  e: Subscribe,
  tenantId: string,
  parked: Record<string, unknown>[],
  signup: Extract<Signup, { ok: true }>,
): Promise<BillingOutcome> {
  const billing = {
    customerId: e.customerId,
    ...(e.subscriptionId ? { subscriptionId: e.subscriptionId } : {}),
    lastEventCreated: e.created,
    lastEventId: e.id,
    plan: { eventId: e.id, created: e.created, value: signup.plan.id },
    parked: Object.fromEntries(sortedParked(parked).map((p) => [p.id, p as Record<string, unknown>])),
  };
  for (const slug of slugCandidates(signup.request.slug, e.customerId)) {
    try {
      const accepted = await submitSignup(d, { ...signup.request, slug }, billing, { tenantId });
      return {
        outcome: "created",
        reason: `onboarding ${accepted.slug} on plan ${accepted.plan} for ${e.customerId}`,
        tenantId,
      };
    } catch (err) {
      if (!(err instanceof SlugTakenError)) throw err;
    }
  }
  await d.records.releaseCustomer(e.customerId, tenantId);
  return { outcome: "ignored", reason: `no free slug for "${signup.request.companyName}"` };
}

/** The signup a checkout describes, validated as the signup form is. */
async function signupOf(d: BillingDeps, e: Subscribe): Promise<Signup> {
  const plan = planFor(e, await d.plans.list());
  const s = e.signup ?? {};
  const missing = [
    ...(s.companyName ? [] : ["metadata.companyName"]),
    ...(s.adminEmail ? [] : ["a customer email"]),
    ...(plan ? [] : ["a price or metadata.plan from the plan catalog"]),
  ];
  if (!plan || missing.length > 0) {
    return { ok: false, reason: `cannot onboard ${e.customerId}: the event lacks ${missing.join(", ")}` };
  }
  const body = { companyName: s.companyName, adminEmail: s.adminEmail, plan: plan.id };
  // A given slug that is not valid falls back to one derived from the company name.
  const parsed = s.slug
    ? (SignupRequest.safeParse({ ...body, slug: s.slug }).data ?? SignupRequest.safeParse(body).data)
    : SignupRequest.safeParse(body).data;
  if (!parsed) {
    const issues = SignupRequest.safeParse(body).error?.issues.map((i) => i.message) ?? [];
    return { ok: false, reason: `cannot onboard ${e.customerId}: ${issues.join("; ")}` };
  }
  return { ok: true, request: parsed, plan };
}

/** The slug asked for, then one made unique by the customer id (deterministic, so a retry picks the same). */
export function slugCandidates(slug: string, customerId: string): string[] {
  const suffix = createHash("sha256").update(customerId).digest("hex").slice(0, 6);
  const base = slug.slice(0, SLUG_MAX_LENGTH - suffix.length - 1).replace(/-+$/, "");
  return [slug, `${base}-${suffix}`].filter((s) => validateSlug(s).ok);
}

export function sortedParked(parked: Record<string, unknown>[]): BillingEvent[] {
  return parked
    .flatMap((p) => {
      const r = BillingEvent.safeParse(p);
      return r.success ? [r.data] : [];
    })
    .sort(compareEvents);
}
