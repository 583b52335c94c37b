/**
 * The manifest's EventBridge rules (core/app/manifest.ts, the same patterns the local cloud registers), one per
 * bus a rule names. Each target retries for up to a day and then dead-letters to the events DLQ instead of
 * dropping the event; a function target's own async failures go there too (functions.ts). Queues get a policy
 * that lets exactly these rules send to them.
 */
import { RULES, type RuleBus, type RuleSpec } from "../core/app/manifest.js";
import type { QueueKey, StateMachineKey } from "../core/app/resources.js";
import type { EmbarkConfig } from "./config.js";
import { type Context, pascal } from "./context.js";
import type { Functions } from "./functions.js";
import type { Queues } from "./queues.js";

export interface RuleDeps {
  functions: Functions;
  queues: Queues;
  billingBus: aws.cloudwatch.EventBus;
  stateMachineArns: Record<StateMachineKey, $util.Output<string>>;
  /** The SES configuration set tenant emails are sent with (its "Email Sent" events). */
  mailConfigurationSet: $util.Input<string>;
}

const RETRY = { maximumEventAgeInSeconds: 24 * 60 * 60, maximumRetryAttempts: 185 };

export function createRules(ctx: Context, config: EmbarkConfig, deps: RuleDeps): void {
  const patternRefs = $util
    .all([config.pipelineName, deps.mailConfigurationSet, $util.all(deps.stateMachineArns)])
    .apply(([pipelineName, mailConfigurationSet, arns]) => ({
      pipelineName,
      mailConfigurationSet,
      stateMachineArn: (k: StateMachineKey) => arns[k],
    }));
  const ruleArns: $util.Output<string>[] = [];
  const sendersTo = new Map<QueueKey, $util.Input<string>[]>();

  const createRule = (id: string, rule: RuleSpec, bus: $util.Input<string>) => {
    const eventRule = new aws.cloudwatch.EventRule(`${id}Rule`, {
      description: rule.description,
      eventBusName: bus,
      eventPattern: patternRefs.apply((r) => JSON.stringify(rule.pattern(r))),
    });
    const target = rule.target;
    if ("function" in target) {
      const fn = deps.functions[target.function];
      new aws.lambda.Permission(`${id}Invoke`, {
        action: "lambda:InvokeFunction",
        function: fn.name,
        principal: "events.amazonaws.com",
        sourceArn: eventRule.arn,
      });
    } else {
      sendersTo.set(target.queue, [...(sendersTo.get(target.queue) ?? []), eventRule.arn]);
    }
    new aws.cloudwatch.EventTarget(`${id}Target`, {
      rule: eventRule.name,
      eventBusName: bus,
      arn:
        "function" in target ? deps.functions[target.function].arn : deps.queues.work[target.queue].queue.arn,
      retryPolicy: RETRY,
      deadLetterConfig: { arn: deps.queues.eventsDlq.arn },
    });
    ruleArns.push(eventRule.arn);
  };

  let partnerQueues: QueueKey[] = [];
  for (const [key, rule] of Object.entries(RULES as Record<string, RuleSpec>)) {
    const buses: readonly RuleBus[] = rule.buses ?? ["default"];
    buses.forEach((bus, i) => {
      const id = i === 0 ? pascal(key) : `${pascal(bus)}${pascal(key)}`;
      if (bus === "default") createRule(id, rule, "default");
      else if (bus === "billing") createRule(id, rule, deps.billingBus.name);
      else {
        // Stripe's EventBridge destination: its partner bus exists once the event source is associated.
        config.stripePartnerEventBus.apply((partnerBus) => {
          if (partnerBus) createRule(id, rule, partnerBus);
        });
        if ("queue" in rule.target) partnerQueues = [...partnerQueues, rule.target.queue];
      }
    });
  }

  // Rules on the partner bus are made inside an apply: allow every rule on that bus by ARN pattern.
  const partnerRules = $util
    .all([config.stripePartnerEventBus, ctx.partition, ctx.region, ctx.accountId])
    .apply(([bus, partition, region, account]) =>
      bus ? [`arn:${partition}:events:${region}:${account}:rule/${bus}/*`] : [],
    );
  for (const [queue, senders] of sendersTo) {
    allowRulesToSend(
      `${pascal(queue)}QueuePolicy`,
      deps.queues.work[queue].queue,
      $util
        .all([$util.all(senders), partnerRules])
        .apply(([a, b]) => [...a, ...(partnerQueues.includes(queue) ? b : [])]),
    );
  }
  allowRulesToSend(
    "EventsDlqPolicy",
    deps.queues.eventsDlq,
    $util.all([$util.all(ruleArns), partnerRules]).apply(([a, b]) => [...a, ...b]),
  );
}

/**
 * The queue policy that lets exactly these EventBridge rules send to a queue. `sourceArns` may be ARN
 * patterns (every rule on a bus Embark does not own, such as Stripe's partner bus).
 */
export function allowRulesToSend(
  id: string,
  queue: sst.aws.Queue,
  sourceArns: $util.Input<$util.Input<string>[]>,
): void {
  new aws.sqs.QueuePolicy(id, {
    queueUrl: queue.url,
    policy: $util.all([queue.arn, $util.output(sourceArns)]).apply(([queueArn, ruleArns]) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: queueArn,
            Condition: { ArnLike: { "aws:SourceArn": ruleArns } },
          },
        ],
      }),
    ),
  });
}
