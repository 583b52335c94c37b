/**
 * Registers Embark in the local cloud the way stacks/ declares it on AWS: tables, queues with DLQs,
 * functions (same handler modules), the onboarding state machine (same core/ ASL), EventBridge rules (same
 * patterns), the tenant pipeline, SQS event source mappings and HTTP routes. Idempotent: runs at every boot.
 */
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { documentClient } from "../../core/adapters/dynamo.js";
import { PlanStore } from "../../core/adapters/plan-store.js";
import {
  FUNCTIONS,
  type FunctionName,
  MAX_RECEIVE_COUNT,
  onboardingFailedPattern,
  PIPELINE_VARIABLE_DEFAULTS,
  PIPELINE_VARIABLES,
  pipelineStateChangePattern,
  visibilityTimeoutFor,
} from "../../core/onboarding/resources.js";
import { onboardingDefinition } from "../../core/onboarding/workflow.js";
import { STATE_MACHINE_NAMES } from "../../core/workflow/names.js";
import { localClientConfig } from "../aws/client-config.js";
import type { LocalCloud } from "../cloud.js";
import { functionArn, type LambdaHandler } from "../lambda/registry.js";
import { startSqsEventSource } from "../lambda/sqs-event-source.js";
import { wireBilling } from "./billing.js";

export const LOCAL_NAMES = {
  tenantsTable: "embark-tenants",
  plansTable: "embark-plans",
  idempotencyTable: "embark-idempotency",
  signupsQueue: "embark-signups",
  emailsQueue: "embark-emails",
  pipeline: "embark-tenant-pipeline",
} as const;

// Static imports per function so bundlers and tsx resolve them; loaded lazily like a cold start.
const LOADERS: Record<FunctionName, () => Promise<{ handler: LambdaHandler }>> = {
  "signup-intake": () => import("../../functions/signup-intake.js"),
  "tenant-status": () => import("../../functions/tenant-status.js"),
  "signup-page": () => import("../../functions/signup-page.js"),
  "plan-catalog": () => import("../../functions/plan-catalog.js"),
  "slug-availability": () => import("../../functions/slug-availability.js"),
  "onboarding-starter": () => import("../../functions/onboarding-starter.js"),
  "reserve-tenant": () => import("../../functions/reserve-tenant.js"),
  "create-identity": () => import("../../functions/create-identity.js"),
  "setup-namespace": () => import("../../functions/setup-namespace.js"),
  "start-pipeline": () => import("../../functions/start-pipeline.js"),
  "activate-tenant": () => import("../../functions/activate-tenant.js"),
  "pipeline-callback": () => import("../../functions/pipeline-callback.js"),
  "record-failure": () => import("../../functions/record-failure.js"),
  mailer: () => import("../../functions/mailer.js"),
  "billing-intake": () => import("../../functions/billing-intake.js"),
  "billing-router": () => import("../../functions/billing-router.js"),
  "set-tenant-status": () => import("../../functions/set-tenant-status.js"),
  "record-plan": () => import("../../functions/record-plan.js"),
  "apply-namespace-policy": () => import("../../functions/apply-namespace-policy.js"),
  "apply-sign-in": () => import("../../functions/apply-sign-in.js"),
  "run-lifecycle-pipeline": () => import("../../functions/run-lifecycle-pipeline.js"),
  "delete-namespace": () => import("../../functions/delete-namespace.js"),
  "delete-identity": () => import("../../functions/delete-identity.js"),
};

export async function wireEmbark(cloud: LocalCloud): Promise<void> {
  const config = localClientConfig(cloud.endpoints.edge);
  const ddb = new DynamoDBClient(config);
  const sqs = new SQSClient(config);
  const onboardingArn = `arn:aws:states:${cloud.endpoints.region}:${cloud.endpoints.accountId}:stateMachine:${STATE_MACHINE_NAMES.onboarding}`;

  await Promise.all([
    createTable(ddb, LOCAL_NAMES.tenantsTable, "pk"),
    createTable(ddb, LOCAL_NAMES.plansTable, "planId"),
    createTable(ddb, LOCAL_NAMES.idempotencyTable, "id"),
  ]);
  const [signupsUrl, emailsUrl] = await Promise.all([
    createQueueWithDlq(sqs, LOCAL_NAMES.signupsQueue, visibilityTimeoutFor("onboarding-starter")),
    createQueueWithDlq(sqs, LOCAL_NAMES.emailsQueue, visibilityTimeoutFor("mailer")),
  ]);

  // One process: every function sees the same environment, as every Lambda would on AWS.
  Object.assign(process.env, {
    TENANTS_TABLE: LOCAL_NAMES.tenantsTable,
    PLANS_TABLE: LOCAL_NAMES.plansTable,
    IDEMPOTENCY_TABLE: LOCAL_NAMES.idempotencyTable,
    SIGNUPS_QUEUE_URL: signupsUrl,
    EMAILS_QUEUE_URL: emailsUrl,
    ONBOARDING_STATE_MACHINE_ARN: onboardingArn,
    PIPELINE_NAME: LOCAL_NAMES.pipeline,
    KUBECONFIG: cloud.endpoints.kubeconfig,
    EMBARK_APP_URL: process.env.EMBARK_APP_URL ?? cloud.endpoints.web,
    EMBARK_SENDER_EMAIL: process.env.EMBARK_SENDER_EMAIL ?? "Embark <no-reply@embark.local>",
    POWERTOOLS_SERVICE_NAME: "embark",
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? "true",
    POWERTOOLS_TRACE_ENABLED: "false",
  });
  await new PlanStore(documentClient(), LOCAL_NAMES.plansTable).seedDefaults();

  for (const [name, spec] of Object.entries(FUNCTIONS) as [
    FunctionName,
    (typeof FUNCTIONS)[FunctionName],
  ][]) {
    cloud.functions.register({
      name,
      timeoutSeconds: spec.timeoutSeconds,
      load: () => LOADERS[name]().then((m) => m.handler),
    });
  }

  await cloud.stepFunctions.registerStateMachine({
    name: STATE_MACHINE_NAMES.onboarding,
    definition: onboardingDefinition({
      reserveTenant: functionArn("reserve-tenant"),
      createIdentity: functionArn("create-identity"),
      setupNamespace: functionArn("setup-namespace"),
      startPipeline: functionArn("start-pipeline"),
      activateTenant: functionArn("activate-tenant"),
      emailsQueueUrl: emailsUrl,
    }),
  });

  await cloud.codePipeline.definePipeline({
    name: LOCAL_NAMES.pipeline,
    variables: PIPELINE_VARIABLES.map((name) => {
      const defaultValue = PIPELINE_VARIABLE_DEFAULTS[name];
      return defaultValue === undefined ? { name } : { name, defaultValue };
    }),
  });

  await routeToFunction(
    cloud,
    "embark-pipeline-state",
    pipelineStateChangePattern(LOCAL_NAMES.pipeline),
    "pipeline-callback",
  );
  await routeToFunction(
    cloud,
    "embark-onboarding-failed",
    onboardingFailedPattern(onboardingArn),
    "record-failure",
  );

  for (const [queueName, functionName] of [
    [LOCAL_NAMES.signupsQueue, "onboarding-starter"],
    [LOCAL_NAMES.emailsQueue, "mailer"],
  ] as const) {
    const mapping = startSqsEventSource({
      ctx: cloud.context,
      queueName,
      functionName,
      batchSize: 10,
      reportBatchItemFailures: true,
    });
    cloud.onStop(() => mapping.stop());
  }

  await wireBilling(cloud, { sqs, emailsQueueUrl: emailsUrl, onboardingArn, createQueueWithDlq });

  cloud.web.addRoute({ method: "POST", path: "/signups", functionName: "signup-intake" });
  cloud.web.addRoute({ method: "GET", path: "/tenants/{id}", functionName: "tenant-status" });
  cloud.web.addRoute({ method: "GET", path: "/", functionName: "signup-page" });
  cloud.web.addRoute({ method: "GET", path: "/plans", functionName: "plan-catalog" });
  cloud.web.addRoute({ method: "GET", path: "/slugs/{slug}", functionName: "slug-availability" });
}

async function routeToFunction(
  cloud: LocalCloud,
  rule: string,
  pattern: object,
  fn: FunctionName,
): Promise<void> {
  await cloud.eventBridge.putRule({ Name: rule, EventPattern: JSON.stringify(pattern), State: "ENABLED" });
  await cloud.eventBridge.putTargets({ Rule: rule, Targets: [{ Id: fn, Arn: functionArn(fn) }] });
}

async function createTable(ddb: DynamoDBClient, name: string, key: string): Promise<void> {
  try {
    await ddb.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: [{ AttributeName: key, KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: key, AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
}

async function createQueueWithDlq(sqs: SQSClient, name: string, visibilityTimeout: number): Promise<string> {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqArn = await sqs
    .send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }))
    .then((r) => r.Attributes?.QueueArn);
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(visibilityTimeout),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: MAX_RECEIVE_COUNT }),
      },
    }),
  );
  if (!queue.QueueUrl) throw new Error(`CreateQueue ${name} returned no URL`);
  return queue.QueueUrl;
}
