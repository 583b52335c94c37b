/**
 * Embark on AWS: every stack wired together. sst.config.ts run() calls this; test/infra/ runs it under
 * Pulumi mocks. Names and ARNs that would form cycles (functions ↔ state machines) are computed from names.
 */
import { LIFECYCLE_STATE_MACHINE_ENV } from "../core/lifecycle/environment.js";
import { LIFECYCLE_MACHINES, LIFECYCLE_WORKFLOWS } from "../core/lifecycle/machines.js";
import { lifecycleFailedPattern, onboardingFailedPattern } from "../core/onboarding/resources.js";
import { STATE_MACHINE_NAMES } from "../core/workflow/names.js";
import { createAlarms } from "./alarms.js";
import { createApi } from "./api.js";
import { createBillingBus, createBillingRules } from "./billing.js";
import { clusterAccessEntriesArn, clusterArn, createClusterAccess } from "./cluster.js";
import { loadConfig } from "./config.js";
import { createContext } from "./context.js";
import { createData } from "./data.js";
import { createEmail } from "./email.js";
import { ASYNC_TARGETS, allowRulesToSend, ruleToFunction } from "./events.js";
import { createFunctions } from "./functions.js";
import { codePermissions } from "./permissions.js";
import { createPipelineWiring, pipelineArn } from "./pipeline.js";
import { createQueues } from "./queues.js";
import { createWorkflows, stateMachineArn, stateMachineName, type WorkflowKey } from "./workflows.js";

const RETENTION_DAYS = { "2 weeks": 14, "3 months": 90 } as const;

export function embark() {
  const ctx = createContext();
  const config = loadConfig(ctx);
  const data = createData(ctx);
  const queues = createQueues();
  const email = createEmail(ctx, config);
  const billingBus = createBillingBus(ctx);

  const lifecycleKeys = LIFECYCLE_WORKFLOWS.map(
    (wf) =>
      (Object.keys(STATE_MACHINE_NAMES) as WorkflowKey[]).find(
        (k) => STATE_MACHINE_NAMES[k] === LIFECYCLE_MACHINES[wf].name,
      )!,
  );
  const onboardingArn = stateMachineArn(ctx, "onboarding");
  const lifecycleArns = lifecycleKeys.map((k) => stateMachineArn(ctx, k));
  const executionsOf = (k: WorkflowKey) => ctx.arn("states", `execution:${stateMachineName(ctx, k)}:*`);

  const functions = createFunctions(ctx, {
    environment: {
      TENANTS_TABLE: data.tenants.name,
      PLANS_TABLE: data.plans.name,
      IDEMPOTENCY_TABLE: data.idempotency.name,
      SIGNUPS_QUEUE_URL: queues.work.signups.queue.url,
      EMAILS_QUEUE_URL: queues.work.emails.queue.url,
      ONBOARDING_STATE_MACHINE_ARN: onboardingArn,
      ...Object.fromEntries(
        LIFECYCLE_WORKFLOWS.map((wf, i) => [LIFECYCLE_STATE_MACHINE_ENV[wf], lifecycleArns[i]!]),
      ),
      BILLING_BUS_NAME: billingBus.name,
      PIPELINE_NAME: config.pipelineName,
      EKS_CLUSTER_NAME: config.eksClusterName,
      EKS_TENANT_ADMIN_ROLE_ARN: config.eksTenantAdminRoleArn,
      EMBARK_SENDER_EMAIL: config.senderEmail,
      EMBARK_APP_URL: config.appUrl,
      EMBARK_SUPPORT_EMAIL: config.supportEmail,
      SES_CONFIGURATION_SET: email.configurationSet.configurationSetName,
      POWERTOOLS_SERVICE_NAME: "embark",
      POWERTOOLS_METRICS_NAMESPACE: "Embark",
      POWERTOOLS_METRICS_DISABLED: "false",
    },
    environmentOf: {
      "billing-intake": { EMBARK_STRIPE_WEBHOOK_SECRET: config.stripeWebhookSecret },
    },
    code: codePermissions({
      tenantsTable: data.tenants.arn,
      plansTable: data.plans.arn,
      idempotencyTable: data.idempotency.arn,
      signupsQueue: queues.work.signups.queue.arn,
      onboardingStateMachine: onboardingArn,
      onboardingExecutions: executionsOf("onboarding"),
      lifecycleStateMachines: lifecycleArns,
      lifecycleExecutions: lifecycleKeys.map(executionsOf),
      billingBus: billingBus.arn,
      pipeline: pipelineArn(ctx, config),
      cluster: clusterArn(ctx, config),
      clusterAccessEntries: clusterAccessEntriesArn(ctx, config),
      userPools: ctx.arn("cognito-idp", "userpool/*"),
      sesIdentity: email.identityArn,
      sesConfigurationSet: email.configurationSetArn,
    }),
    consumes: Object.fromEntries(Object.values(queues.work).map((q) => [q.consumer, q.queue.arn])),
    asyncTargets: ASYNC_TARGETS,
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
  const onboarding = workflows.onboarding!;
  const lifecycleMachineArns = lifecycleKeys.map((k) => workflows[k]!.stateMachine.arn);

  const deps = { functions, queues };
  const functionRules = [
    createPipelineWiring(config, deps),
    ruleToFunction("onboarding-failed", onboarding.stateMachine.arn.apply(onboardingFailedPattern), deps),
    ruleToFunction("lifecycle-failed", $util.all(lifecycleMachineArns).apply(lifecycleFailedPattern), deps),
  ];
  const billing = createBillingRules(ctx, config, {
    bus: billingBus,
    queues,
    onboardingStateMachineArn: onboarding.stateMachine.arn,
  });
  allowRulesToSend(
    "EventsDlqPolicy",
    queues.eventsDlq,
    $util
      .all([$util.all(functionRules.map((r) => r.rule.arn)), billing.ruleSources])
      .apply(([a, b]) => [...a, ...b]),
  );

  createClusterAccess(config, functions);
  const api = createApi(config, functions);
  const alarmTopic = createAlarms(config, { queues, functions, workflows });

  return {
    api: api.url,
    billingWebhook: $interpolate`${api.url}/billing/webhook`,
    billingBus: billingBus.name,
    tenantsTable: data.tenants.name,
    plansTable: data.plans.name,
    onboardingStateMachineArn: onboarding.stateMachine.arn,
    alarmTopicArn: alarmTopic.arn,
  };
}
