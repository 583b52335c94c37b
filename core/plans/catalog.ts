/**
 * The plan catalog: schema, shipped defaults and the ops-CLI field setter. Plans live in the
 * database seeded from DEFAULT_PLANS, so operators change a plan without a redeploy (design §3).
 */
export { DEFAULT_PLANS, SHIPPED_LIFECYCLE_EMAILS } from "./defaults.js";
export { planFieldSetter } from "./field-setter.js";
export { isQuantity, parseQuantity } from "./quantity.js";
export {
  ALL_EMAIL_KINDS,
  ContainerLimits,
  DEFAULT_OFFBOARD_GRACE_SECONDS,
  describeIssues,
  EMAIL_KINDS,
  EMAIL_PLACEHOLDERS,
  type EmailKind,
  EmailTemplate,
  findPlanByPriceId,
  Plan,
  PlanId,
  parsePlan,
  ResourceQuota,
} from "./schema.js";
