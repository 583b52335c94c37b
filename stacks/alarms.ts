/**
 * Operator alarms on one SNS topic (email-subscribed when AlarmEmail is set): any message in a DLQ, any
 * failed/timed-out/aborted or throttled execution, any Lambda error or throttle. Each fires on the first
 * occurrence: onboarding is low-volume, and every one of these needs a person.
 */
import type { EmbarkConfig } from "./config.js";
import { pascal } from "./context.js";
import type { Functions } from "./functions.js";
import type { Queues } from "./queues.js";
import type { Workflow } from "./workflows.js";

export const STATE_MACHINE_ALARM_METRICS = [
  "ExecutionsFailed",
  "ExecutionsTimedOut",
  "ExecutionsAborted",
  "ExecutionThrottled",
] as const;
export const FUNCTION_ALARM_METRICS = ["Errors", "Throttles"] as const;
/** Emitted by the reconcile function (Powertools EMF, namespace Embark, dimension service). */
export const DEGRADED_TENANTS_METRIC = "DegradedTenants";

export function createAlarms(
  config: EmbarkConfig,
  deps: { queues: Queues; functions: Functions; workflows: Partial<Record<string, Workflow>> },
) {
  const topic = new aws.sns.Topic("OperatorAlarms", {});
  config.alarmEmail.apply((email) => {
    if (email)
      new aws.sns.TopicSubscription("OperatorAlarmsEmail", {
        topic: topic.arn,
        protocol: "email",
        endpoint: email,
      });
  });

  const alarm = (
    id: string,
    args: {
      namespace: string;
      metricName: string;
      statistic: string;
      dimensions: Record<string, $util.Input<string>>;
      description: string;
    },
  ) =>
    new aws.cloudwatch.MetricAlarm(id, {
      ...args,
      alarmDescription: args.description,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      period: 60,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
      alarmActions: [topic.arn],
      okActions: [topic.arn],
    });

  const dlqs = [
    ...Object.entries(deps.queues.work).map(([name, q]) => [`${pascal(name)}Dlq`, q.dlq] as const),
    ["EventsDlq", deps.queues.eventsDlq] as const,
  ];
  for (const [id, dlq] of dlqs) {
    alarm(`${id}NotEmpty`, {
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      statistic: "Maximum",
      dimensions: { QueueName: dlq.nodes.queue.name },
      description: `${id} has dead letters: inspect them, fix the cause, then redrive.`,
    });
  }

  for (const wf of Object.values(deps.workflows)) {
    if (!wf) continue;
    for (const metricName of STATE_MACHINE_ALARM_METRICS) {
      alarm(`${pascal(wf.key)}${metricName}`, {
        namespace: "AWS/States",
        metricName,
        statistic: "Sum",
        dimensions: { StateMachineArn: wf.stateMachine.arn },
        description: `${wf.key}: ${metricName}. \`npm run ops\` shows the failed executions and redrives them.`,
      });
    }
  }

  // A DEGRADED tenant lost something Embark cannot restore (design §2): a person must decide. The reconcile
  // function reports how many there are after every pass, so the alarm stays on until none is left.
  alarm("TenantsDegraded", {
    namespace: "Embark",
    metricName: DEGRADED_TENANTS_METRIC,
    statistic: "Maximum",
    dimensions: { service: "embark" },
    description:
      "A tenant is DEGRADED (e.g. its user pool was deleted). `npm run ops -- tenants list --status DEGRADED` names it and the reason.",
  });

  for (const [name, fn] of Object.entries(deps.functions)) {
    for (const metricName of FUNCTION_ALARM_METRICS) {
      alarm(`${pascal(name)}${metricName}`, {
        namespace: "AWS/Lambda",
        metricName,
        statistic: "Sum",
        dimensions: { FunctionName: fn.name },
        description: `${name}: Lambda ${metricName}.`,
      });
    }
  }
  return topic;
}
