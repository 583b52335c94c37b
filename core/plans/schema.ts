import * as z from "zod";
import { placeholdersOf } from "../mail/render.js";
import { InvalidPlanError } from "./errors.js";
import { isQuantity, parseQuantity } from "./quantity.js";

/** Plan schema (design §3, contract). Import from ./catalog.js. */
/** Any slug-like id: operators may add plans. */
export const PLAN_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
export const PlanId = z.string().regex(PLAN_ID_PATTERN, {
  error: "Plan id must be 1-40 characters of a-z, 0-9 and '-', starting and ending with a letter or digit",
});
export type PlanId = z.infer<typeof PlanId>;

const Quantity = z.string().refine(isQuantity, {
  error: (iss) => `${JSON.stringify(iss.input)} is not a Kubernetes quantity (e.g. "500m", "2Gi", "4")`,
});
const Count = z
  .string()
  .regex(/^\d+$/, { error: (iss) => `${JSON.stringify(iss.input)} is not a whole number` });

/** ResourceQuota `spec.hard`, in wire format. */
export const ResourceQuota = z.strictObject({
  "requests.cpu": Quantity,
  "requests.memory": Quantity,
  "limits.cpu": Quantity,
  "limits.memory": Quantity,
  pods: Count,
  services: Count,
  persistentvolumeclaims: Count,
  "requests.storage": Quantity,
});
export type ResourceQuota = z.infer<typeof ResourceQuota>;

const CpuMemory = z.strictObject({ cpu: Quantity, memory: Quantity });

/** LimitRange item of type Container. */
export const ContainerLimits = z.strictObject({
  default: CpuMemory,
  defaultRequest: CpuMemory,
  max: CpuMemory,
});
export type ContainerLimits = z.infer<typeof ContainerLimits>;

export const EmailTemplate = z.strictObject({
  subject: z
    .string()
    .min(1)
    .max(200)
    .refine((s) => !/[\r\n]/.test(s), { error: "An email subject must be one line" }),
  text: z.string().min(1),
  html: z.string().min(1),
});
export type EmailTemplate = z.infer<typeof EmailTemplate>;

export const EMAIL_KINDS = ["welcome", "planChanged", "suspended", "reactivated", "farewell"] as const;
/**
 * Kinds added later: a plan stored before they existed has none, and the shipped wording applies
 * (core/plans/defaults.ts `SHIPPED_LIFECYCLE_EMAILS`).
 */
export const OPTIONAL_EMAIL_KINDS = ["cancelled", "restored", "receipt"] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number] | (typeof OPTIONAL_EMAIL_KINDS)[number];
export const ALL_EMAIL_KINDS: readonly EmailKind[] = [...EMAIL_KINDS, ...OPTIONAL_EMAIL_KINDS];

/** The grace period between a cancellation and the purge when a plan does not say (design §2). */
export const DEFAULT_OFFBOARD_GRACE_SECONDS = 30 * 24 * 3600;

const COMMON_PLACEHOLDERS = [
  "companyName",
  "adminEmail",
  "slug",
  "tenantId",
  "namespace",
  "planName",
  "loginUrl",
  "supportEmail",
] as const;

/**
 * The invitation Cognito itself sends the tenant's admin (AdminCreateUser): Embark renders the `{{…}}` placeholders
 * when it creates the pool, and Cognito fills in `{####}` (the temporary password, required) and `{username}`
 * (optional) when it sends it, so the password exists only in that email. Its HTML part is Cognito's body.
 */
export const COGNITO_PASSWORD_CODE = "{####}";
/** Cognito's limit for an invitation subject. */
export const INVITATION_SUBJECT_MAX = 140;

/** The variables the mailer supplies per email kind; templates may use only these. */
export const EMAIL_PLACEHOLDERS: Readonly<Record<EmailKind, readonly string[]>> = {
  welcome: COMMON_PLACEHOLDERS,
  planChanged: [...COMMON_PLACEHOLDERS, "previousPlanName"],
  suspended: [...COMMON_PLACEHOLDERS, "graceDays"],
  reactivated: COMMON_PLACEHOLDERS,
  farewell: COMMON_PLACEHOLDERS,
  cancelled: [...COMMON_PLACEHOLDERS, "purgeAfter", "exportLocation"],
  restored: COMMON_PLACEHOLDERS,
  receipt: [
    ...COMMON_PLACEHOLDERS,
    "offboardedAt",
    "deleted",
    "cause",
    "exportLocation",
    "exportSha256",
    "slugReservedUntil",
  ],
};
/** The invitation's variables (Embark fills them at pool creation; Cognito fills `{####}`, `{username}`). */
export const INVITATION_PLACEHOLDERS: readonly string[] = COMMON_PLACEHOLDERS;

export const Plan = z
  .object({
    id: PlanId,
    displayName: z.string().trim().min(1).max(60),
    description: z.string().max(500),
    monthlyPriceUsd: z.number().nonnegative().finite(),
    dedicatedResources: z.boolean(),
    quota: ResourceQuota,
    limits: ContainerLimits,
    features: z.array(z.string().min(1)),
    billingPriceIds: z.array(z.string().regex(/^[A-Za-z0-9_-]+$/, { error: "Not a billing price id" })),
    suspendGraceDays: z.int().min(0).max(365),
    /**
     * Seconds between a cancellation and the purge (design §2, retention): the tenant is CANCELLED and
     * restorable meanwhile. Plans stored before it existed read the default, 30 days.
     */
    offboardGraceSeconds: z
      .int()
      .min(0)
      .max(10 * 365 * 24 * 3600)
      .default(DEFAULT_OFFBOARD_GRACE_SECONDS),
    emails: z.strictObject({
      welcome: EmailTemplate,
      planChanged: EmailTemplate,
      suspended: EmailTemplate,
      reactivated: EmailTemplate,
      farewell: EmailTemplate,
      cancelled: EmailTemplate.optional(),
      restored: EmailTemplate.optional(),
      receipt: EmailTemplate.optional(),
      /** Optional: plans stored before it existed use the shipped invitation (core/plans/invitation.ts). */
      invitation: EmailTemplate.optional(),
    }),
  })
  .superRefine((plan, ctx) => {
    // The API server rejects a LimitRange with defaultRequest > default or default > max.
    for (const res of ["cpu", "memory"] as const) {
      const { default: def, defaultRequest: req, max } = plan.limits;
      if (parseQuantity(req[res]) > parseQuantity(def[res])) {
        ctx.addIssue({
          code: "custom",
          path: ["limits", "defaultRequest", res],
          message: `limits.defaultRequest.${res} (${req[res]}) exceeds limits.default.${res} (${def[res]})`,
        });
      }
      if (parseQuantity(def[res]) > parseQuantity(max[res])) {
        ctx.addIssue({
          code: "custom",
          path: ["limits", "default", res],
          message: `limits.default.${res} (${def[res]}) exceeds limits.max.${res} (${max[res]})`,
        });
      }
    }
    const invitation = plan.emails.invitation;
    if (invitation) {
      const path = ["emails", "invitation"];
      if (!invitation.html.includes(COGNITO_PASSWORD_CODE)) {
        ctx.addIssue({
          code: "custom",
          path,
          message: `emails.invitation.html must contain ${COGNITO_PASSWORD_CODE}: Cognito puts the temporary password there`,
        });
      }
      if (invitation.subject.length > INVITATION_SUBJECT_MAX) {
        ctx.addIssue({
          code: "custom",
          path,
          message: `emails.invitation.subject is longer than Cognito's ${INVITATION_SUBJECT_MAX} characters`,
        });
      }
      try {
        for (const name of placeholdersOf(invitation).filter((n) => !INVITATION_PLACEHOLDERS.includes(n))) {
          ctx.addIssue({
            code: "custom",
            path,
            message: `emails.invitation uses unknown placeholder {{${name}}}; allowed: ${INVITATION_PLACEHOLDERS.join(", ")}`,
          });
        }
      } catch (err) {
        ctx.addIssue({ code: "custom", path, message: (err as Error).message });
      }
    }
    for (const kind of ALL_EMAIL_KINDS) {
      const template = plan.emails[kind];
      if (!template) continue;
      let used: string[];
      try {
        used = placeholdersOf(template);
      } catch (err) {
        ctx.addIssue({ code: "custom", path: ["emails", kind], message: (err as Error).message });
        continue;
      }
      for (const name of used.filter((n) => !EMAIL_PLACEHOLDERS[kind].includes(n))) {
        ctx.addIssue({
          code: "custom",
          path: ["emails", kind],
          message: `emails.${kind} uses unknown placeholder {{${name}}}; allowed: ${EMAIL_PLACEHOLDERS[kind].join(", ")}`,
        });
      }
    }
  });
export type Plan = z.infer<typeof Plan>;

/** Validates an unknown value (a database item, a JSON file) as a Plan; throws InvalidPlanError. */
export function parsePlan(x: unknown): Plan {
  const result = Plan.safeParse(x);
  if (!result.success) throw new InvalidPlanError(describeIssues(result.error.issues));
  return result.data;
}

export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((i) => {
      const path = i.path.join(".");
      return path && !i.message.startsWith(path) ? `${path}: ${i.message}` : i.message;
    })
    .join("; ");
}

/** The plan a billing price id maps to, if any. */
export function findPlanByPriceId(plans: readonly Plan[], priceId: string): Plan | undefined {
  return plans.find((p) => p.billingPriceIds.includes(priceId));
}
