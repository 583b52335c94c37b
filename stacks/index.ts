/**
 * Embark on AWS: the app manifest (core/app/manifest.ts) deployed. sst.config.ts run() calls this; test/stacks/
 * runs it under Pulumi mocks. Names and ARNs that would form cycles (functions ↔ state machines) are computed
 * from names.
 */

import { WORK_QUEUES } from "../core/app/manifest.js";
import {
  type QueueKey,
  RUNTIME_SCHEDULES,
  resourceEnvironment,
  STATE_MACHINE_KEYS,
  type StageResources,
  type StateMachineKey,
  settingsEnvironment,
  stageResourcesParameter,
} from "../core/app/resources.js";
import { createAlarms } from "./alarms.js";
import { createApi } from "./api.js";
import { clusterAccessEntriesArn, clusterArn, createClusterAccess } from "./cluster.js";
import { loadConfig } from "./config.js";
import { createContext } from "./context.js";
import { createData } from "./data.js";
import { createEmail } from "./email.js";
import { createRules } from "./events.js";
import { createExportsBucket } from "./exports.js";
import { createFunctions } from "./functions.js";
import { createQueues } from "./queues.js";
import { createRuntimeScheduleRoles, createSchedules, runtimeScheduleRoleArn } from "./schedules.js";
import { createWorkflows, stateMachineArn, stateMachineName } from "./workflows.js";

const RETENTION_DAYS = { "2 weeks": 14, "3 months": 90 } as const;

export function embark() {
  const ctx = createContext();
  const config = loadConfig(ctx);
  const data = createData(ctx);
  const exportsBucket = createExportsBucket(ctx);
  const queues = createQueues();
  const email = createEmail(ctx, config);
  const billingBus = new aws.cloudwatch.EventBus("BillingBus", { name: ctx.physicalName("billing") });
  // The application plane subscribes to it by name: `embark-tenants-<stage>` (docs/events.md).
  const tenantsBus = new aws.cloudwatch.EventBus("TenantsBus", { name: `${$app.name}-tenants-${ctx.stage}` });
  const buses = { billing: billingBus, tenants: tenantsBus };

  const api = createApi(config);
  // The sign-in page (GET /login on this API) unless the operator names their own app (AppUrl).
  const appUrl = $util.all([config.appUrl, api.url]).apply(([app, url]) => app || url);
  const functions = createFunctions(ctx, {
    environment: {
      ...resourceEnvironment<$util.Input<string>>({
        table: (k) => data[k].name,
        queue: (k) => queues.work[k].queue.url,
        deadLetterQueue: (k) => queues.work[k].dlq.url,
        bus: (k) => buses[k].name,
        bucket: () => exportsBucket.bucket,
        stateMachine: (k) => stateMachineArn(ctx, k),
        // From its name: a pool trigger's ARN, with no cycle through the functions themselves.
        functionArn: (name) => ctx.arn("lambda", `function:${ctx.physicalName(name)}`),
        scheduleRole: (k) => runtimeScheduleRoleArn(ctx, k),
      }),
      ...settingsEnvironment<$util.Input<string>>({
        pipelineName: config.pipelineName,
        eksClusterName: config.eksClusterName,
        eksTenantAdminRoleArn: config.eksTenantAdminRoleArn,
        senderEmail: config.senderEmail,
        appUrl,
        supportEmail: config.supportEmail,
        sesConfigurationSet: email.configurationSet.configurationSetName,
        sesIdentityArn: email.identityArn,
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
      deadLetterQueues: Object.fromEntries(
        Object.entries(queues.work).map(([k, q]) => [k, q.dlq.arn]),
      ) as Record<QueueKey, $util.Output<string>>,
      buses: { billing: billingBus.arn, tenants: tenantsBus.arn },
      bucketObjects: { exports: $interpolate`${exportsBucket.arn}/*` },
      stateMachine: (k: StateMachineKey) => stateMachineArn(ctx, k),
      executions: (k: StateMachineKey) => ctx.arn("states", `execution:${stateMachineName(ctx, k)}:*`),
      pipeline: ctx.arn("codepipeline", config.pipelineName),
      cluster: clusterArn(ctx, config),
      clusterAccessEntries: clusterAccessEntriesArn(ctx, config),
      userPools: ctx.arn("cognito-idp", "userpool/*"),
      sesIdentity: email.identityArn,
      sesConfigurationSet: email.configurationSetArn,
      runtimeSchedules: (k) => ctx.arn("scheduler", `schedule/default/${RUNTIME_SCHEDULES[k].prefix}*`),
      scheduleRole: (k) => runtimeScheduleRoleArn(ctx, k),
    },
    userPoolsArn: ctx.arn("cognito-idp", "userpool/*"),
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
    mailConfigurationSet: email.configurationSet.configurationSetName,
    stateMachineArns: Object.fromEntries(
      STATE_MACHINE_KEYS.map((k) => [k, workflows[k].stateMachine.arn]),
    ) as Record<StateMachineKey, $util.Output<string>>,
  });

  // Operators' tools find this stage's resources here (`npm run ops -- --stage <stage> …`).
  new aws.ssm.Parameter("StageResources", {
    name: stageResourcesParameter(ctx.stage),
    type: "String",
    description: `Embark ${ctx.stage}: deployed names of its tables, queues, buses and state machines`,
    value: $util
      .all([
        $util.all(Object.fromEntries(Object.entries(data).map(([k, t]) => [k, t.name]))),
        $util.all(Object.fromEntries(Object.entries(queues.work).map(([k, q]) => [k, q.queue.url]))),
        $util.all(Object.fromEntries(Object.entries(buses).map(([k, b]) => [k, b.name]))),
        $util.all(Object.fromEntries(STATE_MACHINE_KEYS.map((k) => [k, workflows[k].stateMachine.arn]))),
      ])
      .apply(([tables, qs, bs, machines]) =>
        JSON.stringify({
          stage: ctx.stage,
          tables,
          queues: qs,
          buses: bs,
          stateMachines: machines,
        } as StageResources),
      ),
  });

  createSchedules(ctx, { functions, eventsDlqArn: queues.eventsDlq.arn });
  createRuntimeScheduleRoles(ctx, { functions, eventsDlqArn: queues.eventsDlq.arn });
  createClusterAccess(config, functions);
  api.addRoutes(functions);
  const alarmTopic = createAlarms(config, { queues, functions, workflows });

  return {
    api: api.url,
    billingWebhook: $interpolate`${api.url}/billing/webhook`,
    billingBus: billingBus.name,
    tenantEventsBus: tenantsBus.name,
    tenantsTable: data.tenants.name,
    plansTable: data.plans.name,
    onboardingStateMachineArn: workflows.onboarding.stateMachine.arn,
    alarmTopicArn: alarmTopic.arn,
  };
}
