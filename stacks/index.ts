/**
 * Embark on AWS: every stack wired together. sst.config.ts run() calls this; test/infra/ runs it under
 * Pulumi mocks. Order matters only for references; names and ARNs that would form cycles are computed.
 */
import { onboardingFailedPattern } from "../core/onboarding/resources.js";
import { createAlarms } from "./alarms.js";
import { createApi } from "./api.js";
import { clusterAccessEntriesArn, clusterArn, createClusterAccess } from "./cluster.js";
import { loadConfig } from "./config.js";
import { createContext } from "./context.js";
import { createData } from "./data.js";
import { createEmail } from "./email.js";
import { ASYNC_TARGETS, allowRuleDeadLetters, ruleToFunction } from "./events.js";
import { createFunctions } from "./functions.js";
import { codePermissions } from "./permissions.js";
import { createPipelineWiring, pipelineArn } from "./pipeline.js";
import { createQueues, WORK_QUEUES } from "./queues.js";
import { createWorkflows, stateMachineArn, stateMachineName } from "./workflows.js";

const RETENTION_DAYS = { "2 weeks": 14, "3 months": 90 } as const;

export function embark() {
  const ctx = createContext();
  const config = loadConfig(ctx);
  const data = createData(ctx);
  const queues = createQueues();
  const email = createEmail(ctx, config);
  const onboardingArn = stateMachineArn(ctx, "onboarding");

  const functions = createFunctions(ctx, {
    environment: {
      TENANTS_TABLE: data.tenants.name,
      PLANS_TABLE: data.plans.name,
      IDEMPOTENCY_TABLE: data.idempotency.name,
      SIGNUPS_QUEUE_URL: queues.work.signups.queue.url,
      EMAILS_QUEUE_URL: queues.work.emails.queue.url,
      ONBOARDING_STATE_MACHINE_ARN: onboardingArn,
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
    code: codePermissions({
      tenantsTable: data.tenants.arn,
      plansTable: data.plans.arn,
      idempotencyTable: data.idempotency.arn,
      signupsQueue: queues.work.signups.queue.arn,
      onboardingStateMachine: onboardingArn,
      onboardingExecutions: ctx.arn("states", `execution:${stateMachineName(ctx, "onboarding")}:*`),
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

  for (const [name, { consumer }] of Object.entries(WORK_QUEUES)) {
    queues.work[name as keyof typeof WORK_QUEUES].queue.subscribe(functions[consumer].arn, {
      batch: { size: 10, partialResponses: true },
    });
  }

  const workflows = createWorkflows(ctx, {
    functions,
    queues,
    logRetentionDays: RETENTION_DAYS[config.logRetention],
  });
  const onboarding = workflows.onboarding!;

  const rules = [
    createPipelineWiring(config, { functions, queues }),
    ruleToFunction("onboarding-failed", onboarding.stateMachine.arn.apply(onboardingFailedPattern), {
      functions,
      queues,
    }),
  ];
  allowRuleDeadLetters(queues, rules);

  createClusterAccess(config, functions["setup-namespace"].nodes.role.arn);
  const api = createApi(config, functions);
  const alarmTopic = createAlarms(config, { queues, functions, workflows });

  return {
    api: api.url,
    tenantsTable: data.tenants.name,
    plansTable: data.plans.name,
    onboardingStateMachineArn: onboarding.stateMachine.arn,
    alarmTopicArn: alarmTopic.arn,
  };
}
