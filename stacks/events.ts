/**
 * EventBridge rules that invoke a function, with the same patterns local/wiring/embark.ts registers (both
 * import them from core/onboarding/resources.ts). Each target retries for up to a day and then dead-letters
 * to the events DLQ instead of dropping the event; the function's own async failures go there too.
 * Add a rule: one entry in RULE_TARGETS and one ruleToFunction() call where its pattern is known.
 */
import type { FunctionName } from "../core/onboarding/resources.js";
import { pascal } from "./context.js";
import type { Functions } from "./functions.js";
import type { Queues } from "./queues.js";

/** Rule → the function it invokes. Functions listed here are async targets (see functions.ts). */
export const RULE_TARGETS = {
  "pipeline-state-change": "pipeline-callback",
  "onboarding-failed": "record-failure",
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

/** Lets exactly these rules dead-letter into the events DLQ. */
export function allowRuleDeadLetters(queues: Queues, rules: FunctionRule[]): void {
  new aws.sqs.QueuePolicy("EventsDlqPolicy", {
    queueUrl: queues.eventsDlq.url,
    policy: $util
      .all([queues.eventsDlq.arn, ...rules.map((r) => r.rule.arn)])
      .apply(([queueArn, ...ruleArns]) =>
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "events.amazonaws.com" },
              Action: "sqs:SendMessage",
              Resource: queueArn,
              Condition: { ArnEquals: { "aws:SourceArn": ruleArns } },
            },
          ],
        }),
      ),
  });
}
