/** The EventBridge patterns that bring billing work to the billing queue (rules in core/app/manifest.ts). */
import { EXECUTION_STATUS_CHANGE } from "../workflow/failure-events.js";
import { BILLING_EVENT_SOURCE, BILLING_EVENT_TYPES, STRIPE_PARTNER_SOURCE_PREFIX } from "./stripe-event.js";

/**
 * Billing events: those the webhook puts on the Embark bus and those Stripe's EventBridge integration puts on
 * its partner event bus (a rule with this same pattern on that bus). Only the types Embark acts on; everything
 * else stays on the bus for whoever else wants it.
 */
export function billingEventsPattern() {
  return {
    source: [BILLING_EVENT_SOURCE, { prefix: `${STRIPE_PARTNER_SOURCE_PREFIX}/` }],
    "detail-type": [...BILLING_EVENT_TYPES],
  };
}

/**
 * An onboarding execution ended: events that arrived while the tenant was still being onboarded were parked on
 * it, and are applied now.
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
