/**
 * Embark on AWS: the app manifest (core/app/manifest.ts) deployed. sst.config.ts run() calls this; test/stacks/
 * runs it under Pulumi mocks. Names and ARNs that would form cycles (functions ↔ state machines) are computed
 * from names.
 */
import { WORK_QUEUES } from "../core/app/manifest.js";
import {
  type QueueKey,
  resourceEnvironment,
  STATE_MACHINE_KEYS,
  type StateMachineKey,
  settingsEnvironment,
} from "../core/app/resources.js";
import { createAlarms } from "./alarms.js";
import { createApi } from "./api.js";
import { clusterAccessEntriesArn, clusterArn, createClusterAccess } from "./cluster.js";
import { loadConfig } from "./config.js";
import { createContext } from "./context.js";
import { createData } from "./data.js";
import { createEmail } from "./email.js";
import { createRules } from "./events.js";
import { createFunctions } from "./functions.js";
import { createQueues } from "./queues.js";
import { createWorkflows, stateMachineArn, stateMachineName } from "./workflows.js";

const RETENTION_DAYS = { "2 weeks": 14, "3 months": 90 } as const;

export function embark() {
  const ctx = createContext();
  const config = loadConfig(ctx);
  const data = createData(ctx);
  const queues = createQueues();
  const email = createEmail(ctx, config);
  const billingBus = new aws.cloudwatch.EventBus("BillingBus", { name: ctx.physicalName("billing") });

  const functions = createFunctions(ctx, {
    environment: {
      ...resourceEnvironment<$util.Input<string>>({
        table: (k) => data[k].name,
        queue: (k) => queues.work[k].queue.url,
        deadLetterQueue: (k) => queues.work[k].dlq.url,
        bus: () => billingBus.name,
        stateMachine: (k) => stateMachineArn(ctx, k),
      }),
      ...settingsEnvironment<$util.Input<string>>({
        pipelineName: config.pipelineName,
        eksClusterName: config.eksClusterName,
        eksTenantAdminRoleArn: config.eksTenantAdminRoleArn,
        senderEmail: config.senderEmail,
        appUrl: config.appUrl,
        supportEmail: config.supportEmail,
        sesConfigurationSet: email.configurationSet.configurationSetName,
      }),
      POWERTOOLS_SERVICE_NAME: "embark",
      POWERTOOLS_METRICS_NAMESPACE: "Embark",
      POWERTOOLS_METRICS_DISABLED: "false",
    },
    secrets: { stripeWebhookSecret: config.stripeWebhookSecret },
    targets: {
      tables: {
        tenants: data.tenants.arn,
        plans: data.plans.arn,
        idempotency: data.idempotency.arn,
        rateLimits: data.rateLimits.arn,
      },
      queues: Object.fromEntries(Object.entries(queues.work).map(([k, q]) => [k, q.queue.arn])) as Record<
        QueueKey,
        $util.Output<string>
      >,
      buses: { billing: billingBus.arn },
      stateMachine: (k: StateMachineKey) => stateMachineArn(ctx, k),
      executions: (k: StateMachineKey) => ctx.arn("states", `execution:${stateMachineName(ctx, k)}:*`),
      pipeline: ctx.arn("codepipeline", config.pipelineName),
      cluster: clusterArn(ctx, config),
      clusterAccessEntries: clusterAccessEntriesArn(ctx, config),
      userPools: ctx.arn("cognito-idp", "userpool/*"),
      sesIdentity: email.identityArn,
      sesConfigurationSet: email.configurationSetArn,
    },
    consumes: Object.fromEntries(
      (Object.keys(WORK_QUEUES) as QueueKey[]).map((k) => [
        WORK_QUEUES[k].consumer,
        queues.work[k].queue.arn,
      ]),
    ),
    deadLetters: Object.fromEntries(
      (Object.keys(WORK_QUEUES) as QueueKey[]).map((k) => [WORK_QUEUES[k].consumer, queues.work[k].dlq.arn]),
    ),
    eventsDlqArn: queues.eventsDlq.arn,
    logRetention: config.logRetention,
  });

  for (const q of Object.values(queues.work)) {
    q.queue.subscribe(functions[q.consumer].arn, {
      batch: {
        size: q.batchSize,
        ...(q.maximumBatchingWindowSeconds > 0
          ? { window: `${q.maximumBatchingWindowSeconds} seconds` }
          : {}),
        partialResponses: true,
      },
    });
  }

  const workflows = createWorkflows(ctx, {
    functions,
    queues,
    logRetentionDays: RETENTION_DAYS[config.logRetention],
  });
  createRules(ctx, config, {
    functions,
    queues,
    billingBus,
    stateMachineArns: Object.fromEntries(
      STATE_MACHINE_KEYS.map((k) => [k, workflows[k].stateMachine.arn]),
    ) as Record<StateMachineKey, $util.Output<string>>,
  });

  createClusterAccess(config, functions);
  const api = createApi(config, functions);
  const alarmTopic = createAlarms(config, { queues, functions, workflows });

  return {
    api: api.url,
    billingWebhook: $interpolate`${api.url}/billing/webhook`,
    billingBus: billingBus.name,
    tenantsTable: data.tenants.name,
    plansTable: data.plans.name,
    onboardingStateMachineArn: workflows.onboarding.stateMachine.arn,
    alarmTopicArn: alarmTopic.arn,
  };
}
