import { randomUUID } from "node:crypto";
import * as z from "zod";
import {
  ONBOARDING_STEP_TABLE,
  ONBOARDING_STEPS,
  type OnboardingStep as StepKey,
} from "../onboarding/step-table.js";
import { describeIssues, PlanId } from "../plans/schema.js";
import { WORKFLOWS } from "../workflow/names.js";
import { TenantEvent } from "./events.js";
import { validateSlug } from "./slug.js";
import { TenantStatus } from "./status.js";

export { ONBOARDING_STEPS };
export const OnboardingStep = z.enum(ONBOARDING_STEPS as [OnboardingStep, ...OnboardingStep[]]);
export type OnboardingStep = StepKey;

/** Human labels (the step table's): also the Step Functions state names, so renaming one renames a state. */
export const STEP_LABELS = Object.fromEntries(
  ONBOARDING_STEPS.map((s) => [s, ONBOARDING_STEP_TABLE[s].label]),
) as { readonly [K in OnboardingStep]: (typeof ONBOARDING_STEP_TABLE)[K]["label"] };

/** A step's label; an unknown step (a lifecycle workflow's state, an older record) is shown as stored. */
export function stepLabel(step: string): string {
  return Object.hasOwn(STEP_LABELS, step) ? STEP_LABELS[step as OnboardingStep] : step;
}

/** The step a state name (label) belongs to, if any. */
export function stepForStateName(stateName: string): OnboardingStep | undefined {
  return ONBOARDING_STEPS.find((s) => STEP_LABELS[s] === stateName);
}

export const StepStatus = z.enum(["pending", "running", "retrying", "done", "failed", "skipped"]);
export type StepStatus = z.infer<typeof StepStatus>;

const IsoTime = z.iso.datetime({ offset: true });
const ErrorInfo = z.object({ name: z.string().min(1), message: z.string() });

export const StepProgress = z.object({
  status: StepStatus,
  at: IsoTime,
  attempts: z.int().min(0),
  error: ErrorInfo.optional(),
});
export type StepProgress = z.infer<typeof StepProgress>;

/** How a step a record predates (a step added after it was written) reads: pending, never attempted. */
const NEVER = {
  status: "pending",
  at: "1970-01-01T00:00:00.000Z",
  attempts: 0,
} as const satisfies StepProgress;

/** Every onboarding step's progress; a step added after the record was written reads as pending. */
const Steps = z
  .partialRecord(OnboardingStep, StepProgress)
  .transform(
    (steps) =>
      Object.fromEntries(ONBOARDING_STEPS.map((s) => [s, steps[s] ?? { ...NEVER }])) as Record<
        OnboardingStep,
        StepProgress
      >,
  );

/** A billing event applied to one aspect of the tenant, and the workflow it started (if any). */
export const BillingMark = z.object({
  eventId: z.string().min(1),
  created: z.number(),
  /** The plan id (plan aspect) or "failed" / "paid" (standing aspect). */
  value: z.string().optional(),
  workflow: z.enum(WORKFLOWS).optional(),
  /** The execution input, so a re-delivered event starts the very same execution again (a no-op). */
  input: z.record(z.string(), z.unknown()).optional(),
});
export type BillingMark = z.infer<typeof BillingMark>;

/** One thing the reconciler found on the tenant and what it did (core/reconcile). */
export const ReconcileEntry = z.object({
  at: IsoTime,
  /** The invariant check (core/reconcile/invariants.ts) that failed. */
  check: z.string().min(1),
  /** What was done: the repair's name, or "flag" when nothing could be. */
  action: z.string().min(1),
  outcome: z.enum(["repaired", "flagged", "failed"]),
  /** What was wrong, for a person. */
  problem: z.string(),
  error: z.string().optional(),
});
export type ReconcileEntry = z.infer<typeof ReconcileEntry>;

export const TenantReconcile = z.object({
  /** Set while the tenant is DEGRADED: what was lost (check), why, and the status to return to. */
  degraded: z
    .object({
      check: z.string().min(1),
      reason: z.string().min(1),
      at: IsoTime,
      previousStatus: TenantStatus,
    })
    .optional(),
  /** The latest entries, oldest first (a bounded list: MAX_RECONCILE_ENTRIES). */
  entries: z.array(ReconcileEntry),
});
export type TenantReconcile = z.infer<typeof TenantReconcile>;
export const MAX_RECONCILE_ENTRIES = 20;

/** Where a tenant's export is: bucket, key prefix, the manifest (with every object's SHA-256) and its own. */
export const TenantExport = z.object({
  bucket: z.string().min(1),
  prefix: z.string().min(1),
  manifestKey: z.string().min(1),
  /** `s3://<bucket>/<manifestKey>` */
  location: z.string().min(1),
  /** SHA-256 (hex) of the manifest, which lists each object's. */
  sha256: z.string().min(1),
  objects: z.int().min(0),
  at: IsoTime,
});
export type TenantExport = z.infer<typeof TenantExport>;

/** What the purge deleted, when, because of what, and where the export it kept is (design §2). */
export const DeletionReceipt = z.object({
  at: IsoTime,
  deleted: z.array(z.string()),
  /** The billing event or ops command that cancelled, and the purge execution. */
  cause: z.string(),
  eventId: z.string().optional(),
  execution: z.string().optional(),
  export: z.object({ location: z.string(), sha256: z.string() }).optional(),
  /** Until then no new tenant may take the slug (links and emails meant for this one). */
  slugReservedUntil: IsoTime.optional(),
});
export type DeletionReceipt = z.infer<typeof DeletionReceipt>;

export const TenantId = z.uuid();
export type TenantId = z.infer<typeof TenantId>;

export function newTenantId(): TenantId {
  return randomUUID();
}

const Slug = z.string().superRefine((slug, ctx) => {
  const r = validateSlug(slug);
  if (!r.ok) ctx.addIssue({ code: "custom", message: r.message });
});

/** The tenant record (design §2, contract). Unknown attributes (table keys) are stripped. */
export const Tenant = z.object({
  tenantId: TenantId,
  slug: Slug,
  companyName: z.string().min(1).max(100),
  adminEmail: z.email(),
  plan: PlanId,
  status: TenantStatus,
  steps: Steps,
  resources: z.object({
    userPoolId: z.string().optional(),
    userPoolClientId: z.string().optional(),
    adminUsername: z.string().optional(),
    namespace: z.string().optional(),
    pipelineExecutionId: z.string().optional(),
  }),
  billing: z
    .object({
      customerId: z.string().optional(),
      subscriptionId: z.string().optional(),
      /** `created` of the newest billing event applied (any aspect). */
      lastEventCreated: z.number().optional(),
      lastEventId: z.string().optional(),
      /** The newest event applied per aspect (core/billing/event.ts): an older one is recorded and ignored. */
      plan: BillingMark.optional(),
      standing: BillingMark.optional(),
      cancel: BillingMark.optional(),
      /** Events that arrived while the tenant was being onboarded, applied when onboarding ends (by id). */
      parked: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
    })
    .optional(),
  /** Lifecycle executions started per workflow: the `<n>` of `<slug>-<workflow>-<n>`. */
  runs: z.record(z.string(), z.int().min(0)).optional(),
  /** The latest lifecycle execution that failed (the status is left as the failed step left it). */
  workflowFailure: z
    .object({
      workflow: z.string().min(1),
      execution: z.string().min(1),
      step: z.string().min(1),
      error: z.string().min(1),
      cause: z.string(),
      at: IsoTime,
    })
    .optional(),
  /** Why onboarding failed: the failing step (usually an OnboardingStep), error name and a human cause. */
  failure: z
    .object({ step: z.string().min(1), error: z.string().min(1), cause: z.string(), at: IsoTime })
    .optional(),
  /** What the reconciler found wrong and did about it (design §2): why the tenant is DEGRADED, latest repairs. */
  reconcile: TenantReconcile.optional(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  activatedAt: IsoTime.optional(),
  suspendedAt: IsoTime.optional(),
  offboardingStartedAt: IsoTime.optional(),
  offboardedAt: IsoTime.optional(),
  /** CANCELLED (design §2, retention): when, and when the purge runs unless the tenant is restored first. */
  cancelledAt: IsoTime.optional(),
  purgeAfter: IsoTime.optional(),
  /** The event (or ops command) whose cancellation is current; the purge acts only for it. */
  cancellation: z
    .object({ eventId: z.string().min(1), execution: z.string().optional(), graceSeconds: z.int().min(0) })
    .optional(),
  restoredAt: IsoTime.optional(),
  /** The export written at cancellation (core/lifecycle/export.ts): kept after the purge. */
  export: TenantExport.optional(),
  /** The deletion receipt, written by the purge with OFFBOARDED: the tenant's tombstone. */
  receipt: DeletionReceipt.optional(),
  /**
   * Tenant emails SES sent, by email key (core/mail/sent.ts): its message id and when, from SES's "Email Sent"
   * event. The mailer never sends an email recorded here again. `{}` from signup, absent on older records.
   */
  mailSent: z.record(z.string(), z.object({ messageId: z.string().min(1), at: IsoTime })).optional(),
  /** Incremented on every write; writes are conditional on the version read. */
  version: z.int().min(1),
  /** The version of the newest lifecycle event (core/tenant/events.ts); absent before the first. */
  eventVersion: z.int().min(0).optional(),
  /** Lifecycle events written with their transition and not yet published, oldest first. */
  outbox: z.array(TenantEvent).optional(),
});
export type Tenant = z.infer<typeof Tenant>;

export type NewTenantInput = {
  slug: string;
  companyName: string;
  adminEmail: string;
  plan: string;
  tenantId?: string;
  billing?: Tenant["billing"];
  now?: Date;
};

export class InvalidTenantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidTenantError";
  }
}

/** A PROVISIONING tenant with every step pending, validated (throws InvalidTenantError). */
export function newTenant(input: NewTenantInput): Tenant {
  const at = (input.now ?? new Date()).toISOString();
  const steps = Object.fromEntries(
    ONBOARDING_STEPS.map((s) => [s, { status: "pending", at, attempts: 0 } satisfies StepProgress]),
  );
  const result = Tenant.safeParse({
    tenantId: input.tenantId ?? newTenantId(),
    slug: input.slug,
    companyName: input.companyName,
    adminEmail: input.adminEmail,
    plan: input.plan,
    status: "PROVISIONING",
    steps,
    resources: {},
    mailSent: {},
    ...(input.billing ? { billing: input.billing } : {}),
    createdAt: at,
    updatedAt: at,
    version: 1,
  });
  if (!result.success) throw new InvalidTenantError(`Invalid tenant: ${describeIssues(result.error.issues)}`);
  return result.data;
}

export type PublicStep = { name: OnboardingStep; label: string } & StepProgress;

export type PublicTenantView = {
  tenantId: string;
  slug: string;
  companyName: string;
  plan: string;
  status: TenantStatus;
  steps: PublicStep[];
  failure?: { step: string; stepLabel: string; error: string; cause: string; at: string };
  resources: {
    userPoolId?: string;
    userPoolClientId?: string;
    namespace?: string;
    pipelineExecutionId?: string;
  };
  createdAt: string;
  updatedAt: string;
};

/**
 * What GET /tenants/{id} may show. Built field by field (never spread) so nothing new on the
 * record leaks: no admin email or username, no billing ids, no version.
 */
export function publicTenantView(t: Tenant): PublicTenantView {
  const steps = ONBOARDING_STEPS.map((name): PublicStep => {
    const p = t.steps[name];
    return {
      name,
      label: STEP_LABELS[name],
      status: p.status,
      at: p.at,
      attempts: p.attempts,
      ...(p.error ? { error: { name: p.error.name, message: p.error.message } } : {}),
    };
  });
  const r = t.resources;
  const resources = Object.fromEntries(
    (["userPoolId", "userPoolClientId", "namespace", "pipelineExecutionId"] as const)
      .filter((k) => r[k] !== undefined)
      .map((k) => [k, r[k]]),
  );
  const f = t.failure;
  return {
    tenantId: t.tenantId,
    slug: t.slug,
    companyName: t.companyName,
    plan: t.plan,
    status: t.status,
    steps,
    ...(f
      ? {
          failure: {
            step: f.step,
            stepLabel: stepLabel(f.step),
            error: f.error,
            cause: f.cause,
            at: f.at,
          },
        }
      : {}),
    resources,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}
