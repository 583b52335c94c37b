/** The inputs of the lifecycle executions (plan change, suspend, reactivate, offboard). */

/** Every lifecycle execution's input: the tenant and the billing event (or ops command) that started it. */
export interface LifecycleInput {
  tenantId: string;
  eventId: string;
}
export interface PlanChangeInput extends LifecycleInput {
  plan: string;
}
export interface SuspendInput extends LifecycleInput {
  /** RFC 3339: the end of the plan's grace period (in the past: suspend at once). */
  suspendAt: string;
}
