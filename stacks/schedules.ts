/**
 * The manifest's schedules (core/app/manifest.ts SCHEDULES, the same ones local/scheduler/ runs): one EventBridge
 * Scheduler schedule each, flexible time window off, invoking its function with the manifest's input through a
 * role that may invoke exactly that function. Failed deliveries go to the events DLQ after Scheduler's retries.
 */
import { SCHEDULES, type ScheduleSpec } from "../core/app/manifest.js";
import { RUNTIME_SCHEDULES, type RuntimeScheduleKey } from "../core/app/resources.js";
import { type Context, pascal } from "./context.js";
import type { Functions } from "./functions.js";

export interface ScheduleDeps {
  functions: Functions;
  eventsDlqArn: $util.Input<string>;
}

/** What Scheduler may do with a schedule's role: invoke exactly its function, dead-letter what it cannot deliver. */
function invokePolicy(functionArn: $util.Output<string>, dlqArn: $util.Input<string>) {
  return {
    name: "invoke",
    policy: $jsonStringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["lambda:InvokeFunction"],
          Resource: [functionArn, $interpolate`${functionArn}:*`],
        },
        { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [dlqArn] },
      ],
    }),
  };
}

/** Scheduler's retries for a target it cannot invoke (an async Lambda invoke is then retried by Lambda). */
export const SCHEDULE_RETRY = { maximumEventAgeInSeconds: 60 * 60, maximumRetryAttempts: 10 };

export function createSchedules(ctx: Context, deps: ScheduleDeps) {
  return Object.entries(SCHEDULES as Record<string, ScheduleSpec>).map(([key, spec]) => {
    const fn = deps.functions[spec.target.function];
    const role = new aws.iam.Role(`${pascal(key)}ScheduleRole`, {
      assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "scheduler.amazonaws.com" }),
      inlinePolicies: [invokePolicy(fn.arn, deps.eventsDlqArn)],
    });
    return new aws.scheduler.Schedule(`${pascal(key)}Schedule`, {
      name: ctx.physicalName(key),
      description: spec.description,
      scheduleExpression: spec.expression,
      flexibleTimeWindow: { mode: "OFF" },
      state: "ENABLED",
      target: {
        arn: fn.arn,
        roleArn: role.arn,
        input: JSON.stringify(spec.target.input),
        retryPolicy: SCHEDULE_RETRY,
        deadLetterConfig: { arn: deps.eventsDlqArn },
      },
    });
  });
}

/** The role Scheduler assumes for a runtime schedule kind, by name (functions get it before it exists). */
export const runtimeScheduleRoleName = (ctx: Context, key: RuntimeScheduleKey) =>
  ctx.physicalName(`${key}-schedule`);
export const runtimeScheduleRoleArn = (ctx: Context, key: RuntimeScheduleKey) =>
  $interpolate`arn:${ctx.partition}:iam::${ctx.accountId}:role/${runtimeScheduleRoleName(ctx, key)}`;

/**
 * One role per runtime schedule kind (RUNTIME_SCHEDULES: a cancelled tenant's purge, made at run time by
 * set-purge-schedule): Scheduler may invoke exactly the target function with it, and send what it could not
 * deliver to the events DLQ. The schedules themselves are data, not part of the deployment (design §2).
 */
export function createRuntimeScheduleRoles(ctx: Context, deps: ScheduleDeps) {
  return (Object.keys(RUNTIME_SCHEDULES) as RuntimeScheduleKey[]).map((key) => {
    const fn = deps.functions[RUNTIME_SCHEDULES[key].function];
    return new aws.iam.Role(`${pascal(key)}RuntimeScheduleRole`, {
      name: runtimeScheduleRoleName(ctx, key),
      assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "scheduler.amazonaws.com" }),
      inlinePolicies: [invokePolicy(fn.arn, deps.eventsDlqArn)],
    });
  });
}
