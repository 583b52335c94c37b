/**
 * Registers Embark in the local cloud from the app manifest (core/app/manifest.ts), the way stacks/ deploys it
 * to AWS: tables, queues with their DLQs, buses, functions (the same handler modules), state machines (the same
 * ASL), the tenant pipeline, the mail configuration set, rules (the same patterns), SQS event source mappings and
 * routes; then the
 * local-only parts: the operator console and the billing webhook's signing secret. Idempotent: runs at every
 * boot.
 */

import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
} from "@aws-sdk/client-dynamodb";
import {
  CreateEventBusCommand,
  EventBridgeClient,
  ResourceAlreadyExistsException,
} from "@aws-sdk/client-eventbridge";
import { BucketAlreadyOwnedByYou, CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { documentClient } from "../../core/adapters/dynamo.js";
import { DynamoPlanStore } from "../../core/adapters/plan-store.js";
import type { FunctionSpec } from "../../core/app/function-spec.js";
import { BUNDLES_DIR, functionHandlerExport, functionModule } from "../../core/app/function-spec.js";
import {
  FUNCTION_NAMES,
  FUNCTIONS,
  MAX_RECEIVE_COUNT,
  PIPELINE_VARIABLE_DEFAULTS,
  PIPELINE_VARIABLES,
  ROUTES,
  RULES,
  type RuleBus,
  type RuleSpec,
  SCHEDULES,
  type ScheduleSpec,
  STATE_MACHINE_DEFINITIONS,
  WORK_QUEUES,
} from "../../core/app/manifest.js";
import {
  BUCKETS,
  BUSES,
  type BucketKey,
  type BusKey,
  LOCAL_NAMES,
  MAIL_CONFIGURATION_SET,
  type QueueKey,
  resourceEnvironment,
  SECRETS,
  STATE_MACHINE_KEYS,
  type StateMachineKey,
  settingsEnvironment,
  TABLES,
  type TableIndexes,
  type TableKey,
  tableIndexes,
} from "../../core/app/resources.js";
import { DEFAULT_PLANS } from "../../core/plans/catalog.js";
import { operatorConsole } from "../../ops/console/index.js";
import { localClientConfig } from "../aws/client-config.js";
import { untilTableActive } from "../aws/table-active.js";
import type { LocalCloud } from "../cloud.js";
import { lambdaCodeFromEnv, stageTaskRoots } from "../lambda/bundle-loader.js";
import { type HandlerModule, importHandler } from "../lambda/handler-module.js";
import { functionArn } from "../lambda/registry.js";
import { startSqsEventSource } from "../lambda/sqs-event-source.js";
import { stripeWebhookSecret } from "./stripe-secret.js";
import { localVisibilityTimeout } from "./visibility-timeout.js";

const ROOT = resolve(import.meta.dirname, "../..");

/** What Embark adds to the local cloud's endpoints.json. */
export interface EmbarkEndpoints {
  /** Signs test events for POST /billing/webhook (EMBARK_STRIPE_WEBHOOK_SECRET, or generated under stateDir). */
  stripeWebhookSecret: string;
}

export interface MountOptions {
  /** Whether the manifest's schedules run (default true); tests create them DISABLED and reconcile on demand. */
  schedules?: boolean;
  /**
   * The shipped plans' grace period between a cancellation and the purge, in seconds (default: the plans', 30
   * days; env EMBARK_OFFBOARD_GRACE_SECONDS). Only for plans not stored yet: an operator's edit stays.
   */
  offboardGraceSeconds?: number;
}

export async function mountEmbark(cloud: LocalCloud, opts: MountOptions = {}): Promise<void> {
  const { region, accountId, edge } = cloud.endpoints;
  const config = localClientConfig(edge);
  const ddb = new DynamoDBClient(config);
  const sqs = new SQSClient(config);
  const events = new EventBridgeClient(config);
  const stateMachineArn = (key: StateMachineKey) =>
    `arn:aws:states:${region}:${accountId}:stateMachine:${LOCAL_NAMES.stateMachine(key)}`;
  const busName = (bus: RuleBus) =>
    bus === "default"
      ? "default"
      : bus === "stripePartner"
        ? LOCAL_NAMES.stripePartnerBus
        : LOCAL_NAMES.bus(bus);

  await Promise.all(
    (Object.keys(TABLES) as TableKey[]).map((key) =>
      createTable(ddb, LOCAL_NAMES.table(key), TABLES[key].key, tableIndexes(key)),
    ),
  );
  const queues = Object.fromEntries(
    await Promise.all(
      (Object.keys(WORK_QUEUES) as QueueKey[]).map(
        async (key) =>
          [key, await createQueueWithDlq(sqs, LOCAL_NAMES.queue(key), localVisibilityTimeout(key))] as const,
      ),
    ),
  ) as Record<QueueKey, { url: string; arn: string; dlqUrl: string }>;
  for (const bus of [
    ...(Object.keys(BUSES) as BusKey[]).map(LOCAL_NAMES.bus),
    LOCAL_NAMES.stripePartnerBus,
  ]) {
    await events.send(new CreateEventBusCommand({ Name: bus })).catch((err) => {
      if (!(err instanceof ResourceAlreadyExistsException)) throw err;
    });
  }
  events.destroy();
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  for (const key of Object.keys(BUCKETS) as BucketKey[]) {
    await s3.send(new CreateBucketCommand({ Bucket: LOCAL_NAMES.bucket(key) })).catch((err) => {
      if (!(err instanceof BucketAlreadyOwnedByYou)) throw err;
    });
  }
  s3.destroy();

  const secret = await stripeWebhookSecret(cloud.endpoints.stateDir);
  Object.assign(cloud.endpoints, { stripeWebhookSecret: secret } satisfies EmbarkEndpoints);
  // One process: every function sees the same environment, as every Lambda would on AWS.
  Object.assign(process.env, {
    ...resourceEnvironment({
      table: LOCAL_NAMES.table,
      queue: (key) => queues[key].url,
      deadLetterQueue: (key) => queues[key].dlqUrl,
      bus: LOCAL_NAMES.bus,
      bucket: LOCAL_NAMES.bucket,
      stateMachine: stateMachineArn,
      functionArn,
      scheduleRole: (key) => `arn:aws:iam::${accountId}:role/embark-${key}-schedule`,
    }),
    ...settingsEnvironment({
      pipelineName: LOCAL_NAMES.pipeline,
      appUrl: process.env.EMBARK_APP_URL ?? cloud.endpoints.web,
      senderEmail: process.env.EMBARK_SENDER_EMAIL ?? "Embark <no-reply@embark.local>",
      // Cognito mails tenant users through "Embark's SES identity": the local SES takes any sender.
      sesIdentityArn: `arn:aws:ses:${region}:${accountId}:identity/embark.local`,
      sesConfigurationSet: LOCAL_NAMES.mailConfigurationSet,
    }),
    // The billing webhook verifies with it, as it would with the SST secret on AWS.
    [SECRETS.stripeWebhookSecret]: secret,
    KUBECONFIG: cloud.endpoints.kubeconfig,
    POWERTOOLS_SERVICE_NAME: "embark",
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? "true",
  });
  const graceEnv = process.env.EMBARK_OFFBOARD_GRACE_SECONDS;
  const grace = opts.offboardGraceSeconds ?? (graceEnv !== undefined ? Number(graceEnv) : undefined);
  const plans =
    grace === undefined ? DEFAULT_PLANS : DEFAULT_PLANS.map((p) => ({ ...p, offboardGraceSeconds: grace }));
  await new DynamoPlanStore(documentClient(), LOCAL_NAMES.table("plans"), plans).seedDefaults();

  // EMBARK_LAMBDA_CODE=bundle (npm start -- --bundles): the deployment bundles, each in a task root of its own.
  const bundles =
    lambdaCodeFromEnv() === "bundle"
      ? await stageTaskRoots(join(ROOT, BUNDLES_DIR), FUNCTION_NAMES)
      : undefined;
  if (bundles) cloud.onStop(bundles.remove);
  for (const name of FUNCTION_NAMES) {
    const spec: FunctionSpec = FUNCTIONS[name];
    const exportName = functionHandlerExport(name);
    const module: HandlerModule = bundles
      ? bundles.module(name, exportName)
      : { url: pathToFileURL(join(ROOT, functionModule(name))).href, exportName };
    cloud.functions.register({
      name,
      timeoutSeconds: spec.timeoutSeconds,
      memoryMB: spec.memoryMB,
      // In the Lambda runner's worker threads (after the environment above is set: they copy it at start);
      // loaded on first use, like a cold start.
      module,
      load: () => importHandler(module),
    });
  }

  const refs = { functionArn, queueUrl: (key: string) => queues[key as QueueKey].url };
  for (const key of STATE_MACHINE_KEYS) {
    await cloud.stepFunctions.registerStateMachine({
      name: LOCAL_NAMES.stateMachine(key),
      definition: STATE_MACHINE_DEFINITIONS[key](refs),
    });
  }

  await cloud.codePipeline.definePipeline({
    name: LOCAL_NAMES.pipeline,
    variables: PIPELINE_VARIABLES.map((name) => {
      const defaultValue = PIPELINE_VARIABLE_DEFAULTS[name];
      return defaultValue === undefined ? { name } : { name, defaultValue };
    }),
  });

  // Its EventBridge destination puts "Email Sent" on the default bus (stacks/email.ts on AWS).
  await cloud.ses.putConfigurationSet({
    name: LOCAL_NAMES.mailConfigurationSet,
    eventDestinations: [
      {
        name: MAIL_CONFIGURATION_SET.eventDestination,
        enabled: true,
        matchingEventTypes: [...MAIL_CONFIGURATION_SET.eventTypes],
        eventBridgeDestination: { eventBusArn: `arn:aws:events:${region}:${accountId}:event-bus/default` },
      },
    ],
  });
  const ruleRefs = {
    pipelineName: LOCAL_NAMES.pipeline,
    mailConfigurationSet: LOCAL_NAMES.mailConfigurationSet,
    stateMachineArn,
  };
  for (const [key, rule] of Object.entries(RULES as Record<string, RuleSpec>)) {
    const target =
      "function" in rule.target
        ? { Id: rule.target.function, Arn: functionArn(rule.target.function) }
        : { Id: `${rule.target.queue}-queue`, Arn: queues[rule.target.queue].arn };
    for (const bus of rule.buses ?? ["default"]) {
      const ruleName = `embark-${key}`;
      await cloud.eventBridge.putRule({
        Name: ruleName,
        EventBusName: busName(bus),
        EventPattern: JSON.stringify(rule.pattern(ruleRefs)),
        State: "ENABLED",
      });
      await cloud.eventBridge.putTargets({ Rule: ruleName, EventBusName: busName(bus), Targets: [target] });
    }
  }

  // A recurring schedule's first run is one period after boot, so start-up is not slowed by a pass (on AWS the
  // schedule starts when it is deployed).
  const bootedAt = Date.now() / 1000;
  for (const [key, schedule] of Object.entries(SCHEDULES as Record<string, ScheduleSpec>)) {
    const period = ratePeriodSeconds(schedule.expression);
    await cloud.scheduler.putSchedule({
      Name: LOCAL_NAMES.schedule(key),
      Description: schedule.description,
      ScheduleExpression: schedule.expression,
      ...(period ? { StartDate: bootedAt + period } : {}),
      FlexibleTimeWindow: { Mode: "OFF" },
      State: opts.schedules === false ? "DISABLED" : "ENABLED",
      Target: {
        Arn: functionArn(schedule.target.function),
        RoleArn: `arn:aws:iam::${accountId}:role/embark-scheduler`,
        Input: JSON.stringify(schedule.target.input),
      },
    });
  }

  for (const [key, q] of Object.entries(WORK_QUEUES)) {
    const mapping = startSqsEventSource({
      ctx: cloud.context,
      queueName: LOCAL_NAMES.queue(key as QueueKey),
      functionName: q.consumer,
      batchSize: q.batchSize,
      maximumBatchingWindowSeconds: q.maximumBatchingWindowSeconds,
      reportBatchItemFailures: true,
    });
    cloud.onStop(() => mapping.stop());
  }

  for (const [route, functionName] of Object.entries(ROUTES)) {
    const [method, path] = route.split(" ") as [string, string];
    cloud.web.addRoute({ method, path, functionName });
  }
  // Operator console (ops/console/): local-only pages at /console, read through the AWS APIs at the edge.
  cloud.web.addStaticHandler(operatorConsole({ edgeUrl: edge, tenantsTable: LOCAL_NAMES.table("tenants") }));
}

/** The period of a `rate(n unit)` expression in seconds (undefined for cron and at). */
function ratePeriodSeconds(expression: string): number | undefined {
  const m = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (!m) return undefined;
  return Number(m[1]) * { minute: 60, hour: 3600, day: 86_400 }[m[2] as "minute" | "hour" | "day"];
}

/** Creates the table with its indexes; a table from an earlier run gets the indexes it lacks. */
async function createTable(
  ddb: DynamoDBClient,
  name: string,
  key: string,
  indexes: TableIndexes,
): Promise<void> {
  const attributes = [
    ...new Set([
      key,
      ...Object.values(indexes).flatMap((i) => (i.rangeKey ? [i.hashKey, i.rangeKey] : [i.hashKey])),
    ]),
  ].map((AttributeName) => ({ AttributeName, AttributeType: "S" as const }));
  const gsi = (indexName: string) => ({
    IndexName: indexName,
    KeySchema: [
      { AttributeName: indexes[indexName]!.hashKey, KeyType: "HASH" as const },
      ...(indexes[indexName]!.rangeKey
        ? [{ AttributeName: indexes[indexName]!.rangeKey!, KeyType: "RANGE" as const }]
        : []),
    ],
    Projection: { ProjectionType: "ALL" as const },
  });
  try {
    await ddb.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: [{ AttributeName: key, KeyType: "HASH" }],
        AttributeDefinitions: attributes,
        BillingMode: "PAY_PER_REQUEST",
        ...(Object.keys(indexes).length > 0 ? { GlobalSecondaryIndexes: Object.keys(indexes).map(gsi) } : {}),
      }),
    );
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: name }));
    const have = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
    for (const indexName of Object.keys(indexes).filter((n) => !have.has(n))) {
      await ddb.send(
        new UpdateTableCommand({
          TableName: name,
          AttributeDefinitions: attributes,
          GlobalSecondaryIndexUpdates: [{ Create: gsi(indexName) }],
        }),
      );
    }
  }
  // As on AWS, a table answers ResourceNotFoundException until it is ACTIVE: no handler may run before.
  await untilTableActive(ddb, name);
}

async function createQueueWithDlq(
  sqs: SQSClient,
  name: string,
  visibilityTimeout: number,
): Promise<{ url: string; arn: string; dlqUrl: string }> {
  const arnOf = async (QueueUrl: string | undefined) => {
    const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    const arn = out.Attributes?.QueueArn;
    if (!arn) throw new Error(`GetQueueAttributes of ${QueueUrl} returned no QueueArn`);
    return arn;
  };
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  if (!dlq.QueueUrl) throw new Error(`CreateQueue ${name}-dlq returned no URL`);
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(visibilityTimeout),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: await arnOf(dlq.QueueUrl),
          maxReceiveCount: MAX_RECEIVE_COUNT,
        }),
      },
    }),
  );
  if (!queue.QueueUrl || !dlq.QueueUrl) throw new Error(`CreateQueue ${name} returned no URL`);
  return { url: queue.QueueUrl, arn: await arnOf(queue.QueueUrl), dlqUrl: dlq.QueueUrl };
}
