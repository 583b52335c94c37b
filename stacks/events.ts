/**
 * EventBridge rules that invoke a function, with the same patterns local/wiring/embark.ts registers (both
 * import them from core/onboarding/resources.ts). Each target retries for up to a day and then dead-letters
 * to the events DLQ instead of dropping the event; the function's own async failures go there too.
 * Add a rule: one entry in RULE_TARGETS (or QUEUE_RULES) and one ruleTo…() call where its pattern is known.
 */
import type { FunctionName } from "../core/onboarding/resources.js";
import { pascal } from "./context.js";
import type { Functions } from "./functions.js";
import type { Queues } from "./queues.js";

/** Rule → the function it invokes. Functions listed here are async targets (see functions.ts). */
export const RULE_TARGETS = {
  "pipeline-state-change": "pipeline-callback",
  "onboarding-failed": "record-failure",
  "lifecycle-failed": "record-failure",
} as const satisfies Record<string, FunctionName>;
export type RuleName = keyof typeof RULE_TARGETS;

export const ASYNC_TARGETS: readonly FunctionName[] = [...new Set(Object.values(RULE_TARGETS))];

export interface FunctionRule {
  rule: aws.cloudwatch.EventRule;
  target: aws.cloudwatch.EventTarget;
  pattern: $util.Output<object>;
}

export function ruleToFunction(
  name: RuleName,
  pattern: $util.Input<object>,
  deps: { functions: Functions; queues: Queues; bus?: $util.Input<string> },
): FunctionRule {
  const id = pascal(name);
  const fn = deps.functions[RULE_TARGETS[name]];
  const patternOut = $util.output(pattern) as $util.Output<object>;
  const bus = deps.bus ?? "default";
  const rule = new aws.cloudwatch.EventRule(`${id}Rule`, {
    description: `${name} → ${RULE_TARGETS[name]}`,
    eventBusName: bus,
    eventPattern: patternOut.apply((p) => JSON.stringify(p)),
  });
  const target = new aws.cloudwatch.EventTarget(`${id}Target`, {
    rule: rule.name,
    eventBusName: bus,
    arn: fn.arn,
    retryPolicy: { maximumEventAgeInSeconds: 24 * 60 * 60, maximumRetryAttempts: 185 },
    deadLetterConfig: { arn: deps.queues.eventsDlq.arn },
  });
  new aws.lambda.Permission(`${id}Invoke`, {
    action: "lambda:InvokeFunction",
    function: fn.name,
    principal: "events.amazonaws.com",
    sourceArn: rule.arn,
  });
  return { rule, target, pattern: patternOut };
}

/** A rule that sends matching events to an SQS queue (allowRulesToSend must let the rule in). */
export function ruleToQueue(
  id: string,
  pattern: $util.Input<object>,
  deps: { queue: sst.aws.Queue; queues: Queues; bus?: $util.Input<string>; description: string },
): FunctionRule {
  const bus = deps.bus ?? "default";
  const patternOut = $util.output(pattern) as $util.Output<object>;
  const rule = new aws.cloudwatch.EventRule(`${id}Rule`, {
    description: deps.description,
    eventBusName: bus,
    eventPattern: patternOut.apply((p) => JSON.stringify(p)),
  });
  const target = new aws.cloudwatch.EventTarget(`${id}Target`, {
    rule: rule.name,
    eventBusName: bus,
    arn: deps.queue.arn,
    retryPolicy: { maximumEventAgeInSeconds: 24 * 60 * 60, maximumRetryAttempts: 185 },
    deadLetterConfig: { arn: deps.queues.eventsDlq.arn },
  });
  return { rule, target, pattern: patternOut };
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
