/**
 * Billing: the Embark billing bus the webhook puts verified Stripe events on, and the rules that move billing
 * events into the billing queue (from that bus, from Stripe's partner bus when configured, and onboarding ends
 * from the default bus), with the same core/ patterns local/wiring/billing.ts registers.
 */
import { billingEventsPattern, onboardingEndedPattern } from "../core/onboarding/resources.js";
import type { EmbarkConfig } from "./config.js";
import type { Context } from "./context.js";
import { allowRulesToSend, type FunctionRule, ruleToQueue } from "./events.js";
import type { Queues } from "./queues.js";

export interface Billing {
  bus: aws.cloudwatch.EventBus;
  rules: FunctionRule[];
  /** Rule ARNs (or patterns) that may send to the billing queue and dead-letter to the events DLQ. */
  ruleSources: $util.Output<string[]>;
}

export function createBillingBus(ctx: Context): aws.cloudwatch.EventBus {
  return new aws.cloudwatch.EventBus("BillingBus", { name: ctx.physicalName("billing") });
}

export function createBillingRules(
  ctx: Context,
  config: EmbarkConfig,
  deps: { bus: aws.cloudwatch.EventBus; queues: Queues; onboardingStateMachineArn: $util.Input<string> },
): Billing {
  const queue = deps.queues.work.billing.queue;
  const common = { queue, queues: deps.queues };
  const rules = [
    ruleToQueue("BillingEvents", billingEventsPattern(), {
      ...common,
      bus: deps.bus.name,
      description: "billing events (webhook) → billing queue",
    }),
    ruleToQueue(
      "OnboardingEnded",
      $util.output(deps.onboardingStateMachineArn).apply(onboardingEndedPattern),
      {
        ...common,
        description: "onboarding ended → billing queue (parked billing events)",
      },
    ),
  ];
  // Stripe's EventBridge destination: its partner bus exists once the event source is associated.
  config.stripePartnerEventBus.apply((partnerBus) => {
    if (!partnerBus) return;
    ruleToQueue("StripePartnerEvents", billingEventsPattern(), {
      ...common,
      bus: partnerBus,
      description: "billing events (Stripe partner source) → billing queue",
    });
  });
  const ruleSources = $util
    .all([
      $util.all(rules.map((r) => r.rule.arn)),
      config.stripePartnerEventBus,
      ctx.partition,
      ctx.region,
      ctx.accountId,
    ])
    .apply(([arns, partnerBus, partition, region, account]) => [
      ...arns,
      // Rules on the partner bus are named by nobody here (created above, inside the apply): every rule on it.
      ...(partnerBus ? [`arn:${partition}:events:${region}:${account}:rule/${partnerBus}/*`] : []),
    ]);
  allowRulesToSend("BillingQueuePolicy", queue, ruleSources);
  return { bus: deps.bus, rules, ruleSources };
}
