/**
 * Billing and lifecycle functions, the billing queue's consumer and the EventBridge patterns that route to
 * them. core/onboarding/resources.ts merges these into FUNCTIONS, so stacks/ (AWS) and local/wiring/ (the local
 * cloud) deploy the same set from one source.
 */
import { EXECUTION_STATUS_CHANGE, executionFailedPattern } from "../workflow/failure-events.js";
import { BILLING_EVENT_SOURCE, BILLING_EVENT_TYPES, STRIPE_PARTNER_SOURCE_PREFIX } from "./stripe-event.js";

export const LIFECYCLE_FUNCTIONS = {
  "billing-intake": {
    file: "billing-intake",
    timeoutSeconds: 10,
    description: "POST /billing/webhook → billing bus",
  },
  "billing-router": {
    file: "billing-router",
    timeoutSeconds: 30,
    description: "billing queue → onboarding / lifecycle workflows",
  },
  "set-tenant-status": {
    file: "set-tenant-status",
    timeoutSeconds: 30,
    description: "step: suspend / reactivate / start or finish offboarding",
  },
  "record-plan": { file: "record-plan", timeoutSeconds: 30, description: "step: Record new plan" },
  "apply-namespace-policy": {
    file: "apply-namespace-policy",
    timeoutSeconds: 60,
    description: "step: apply the plan's quota and limits (zero pods while suspended)",
  },
  "apply-sign-in": {
    file: "apply-sign-in",
    timeoutSeconds: 120,
    description: "step: enable or disable the tenant's users",
  },
  "run-lifecycle-pipeline": {
    file: "run-lifecycle-pipeline",
    timeoutSeconds: 30,
    description: "step: deploy or tear down dedicated resources",
  },
  "delete-namespace": {
    file: "delete-namespace",
    timeoutSeconds: 120,
    description: "step: Delete namespace (waits for it)",
  },
  "delete-identity": { file: "delete-identity", timeoutSeconds: 60, description: "step: Delete user pool" },
} as const;

/** The billing queue's consumer (SQS, partial batch failures). */
export const BILLING_QUEUE_CONSUMER = "billing-router" as const;
/**
 * Records per router invocation and how long to gather them: a second's window puts a burst of one customer's
 * events (Stripe sends several per checkout) into one batch, which the router applies in `created` order.
 */
export const BILLING_BATCH = { batchSize: 10, maximumBatchingWindowSeconds: 1 } as const;

/**
 * Billing events → the billing queue: those the webhook puts on the Embark bus and those Stripe's EventBridge
 * integration puts on its partner event bus (a rule with this same pattern on that bus). Only the types Embark
 * acts on; everything else stays on the bus for whoever else wants it.
 */
export function billingEventsPattern() {
  return {
    source: [BILLING_EVENT_SOURCE, { prefix: `${STRIPE_PARTNER_SOURCE_PREFIX}/` }],
    "detail-type": [...BILLING_EVENT_TYPES],
  };
}

/**
 * An onboarding execution ended → the billing queue: events that arrived while the tenant was still being
 * onboarded were parked on it, and are applied now.
 */
export function onboardingEndedPattern(onboardingStateMachineArn: string) {
  return {
    source: ["aws.states"],
    "detail-type": [EXECUTION_STATUS_CHANGE],
    detail: {
      status: ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"],
      stateMachineArn: [onboardingStateMachineArn],
    },
  };
}

/** Failed/timed-out/aborted lifecycle executions → record-failure. */
export const lifecycleFailedPattern = (stateMachineArns: string[]) =>
  executionFailedPattern(stateMachineArns);
