/**
 * The wiring sst.config.ts declares, executed offline under Pulumi mocks (sst-mocks.ts): every queue has a
 * DLQ, the state machine runs the core/ ASL with the deployed ARNs, every route, rule and alarm exists.
 */

import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { functionHandler } from "../../core/app/function-spec.js";
import {
  FUNCTIONS,
  type FunctionName,
  MAX_RECEIVE_COUNT,
  SCHEDULES,
  STATE_MACHINE_DEFINITIONS,
  WORK_QUEUES,
} from "../../core/app/manifest.js";
import { RUNTIME_SCHEDULES } from "../../core/app/resources.js";
import { billingEventsPattern, onboardingEndedPattern } from "../../core/billing/patterns.js";
import { emailSentPattern } from "../../core/mail/sent.js";
import { pipelineStateChangePattern } from "../../core/onboarding/pipeline-callback.js";
import { onboardingDefinition } from "../../core/onboarding/workflow.js";
import { DEFAULT_PLANS, parsePlan } from "../../core/plans/catalog.js";
import { executionFailedPattern } from "../../core/workflow/failure-events.js";
import {
  LIFECYCLE_WORKFLOWS,
  STATE_MACHINE_FOR_WORKFLOW,
  STATE_MACHINE_OF,
} from "../../core/workflow/names.js";
import { lambdaFunction, TEST_SECRETS, TEST_STAGE } from "./support/deployed.js";
import { FUNCTION_USAGE } from "./support/function-usage.js";
import { type RecordedResource, ROOT, runSstProgram, type SstRun } from "./support/sst-mocks.js";

const NAMES = Object.keys(FUNCTIONS) as FunctionName[];
let run: SstRun;
const fnArn = (fn: FunctionName) => lambdaFunction(run, fn).state.arn as string;
const queues = () => run.ofType("aws:sqs/queue:Queue");
const queueByArn = (arn: string) => queues().find((q) => q.state.arn === arn);

beforeAll(async () => {
  run = await runSstProgram({ stage: TEST_STAGE, secrets: TEST_SECRETS });
}, 120_000);

describe("app", () => {
  it("keeps and protects production data; other stages are removable", async () => {
    const config = (await import(join(ROOT, "sst.config.ts"))).default;
    expect(config.app({ stage: "prod" })).toMatchObject({
      name: "embark",
      home: "aws",
      removal: "retain",
      protect: true,
    });
    expect(config.app({ stage: "production" })).toMatchObject({ removal: "retain", protect: true });
    expect(config.app({ stage: "dev" })).toMatchObject({ home: "aws", removal: "remove", protect: false });
    expect(run.outputs._protect).toBe(true);
  });

  it("reads stage settings from SST secrets, with defaults only for the optional ones", () => {
    expect(
      run
        .ofType("sst:sst:Secret")
        .map((s) => s.name)
        .sort(),
    ).toEqual(
      [
        "SenderEmail",
        "SesIdentity",
        "AppUrl",
        "SupportEmail",
        "EksClusterName",
        "EksTenantAdminRoleArn",
        "PipelineName",
        "AlarmEmail",
        "StripeWebhookSecret",
        "StripePartnerEventBus",
      ].sort(),
    );
    // Not set in TEST_SECRETS: the placeholders apply; without an AppUrl, links go to the API's sign-in page.
    expect(lambdaFunction(run, "mailer").inputs.environment.variables).toMatchObject({
      EMBARK_APP_URL: run.outputs.api,
      EMBARK_SUPPORT_EMAIL: "support@example.com",
    });
    expect(String(run.outputs.api)).toMatch(/^https:\/\//);
  });

  it("exports what operators and the ops CLI need", () => {
    expect(run.outputs).toMatchObject({
      api: expect.stringMatching(/^https:\/\//),
      tenantsTable: run.get("aws:dynamodb/table:Table", "TenantsTable").inputs.name,
      plansTable: run.get("aws:dynamodb/table:Table", "PlansTable").inputs.name,
      onboardingStateMachineArn: run.get("aws:sfn/stateMachine:StateMachine", "OnboardingStateMachine").state
        .arn,
      tenantEventsBus: "embark-tenants-prod",
    });
  });

  it("publishes the stage's resource names in SSM for `ops --stage`", () => {
    const param = run.get("aws:ssm/parameter:Parameter", "StageResources").inputs;
    expect(param.name).toBe("/embark/prod/resources");
    const value = JSON.parse(String(param.value));
    expect(value).toMatchObject({
      stage: "prod",
      tables: { tenants: run.get("aws:dynamodb/table:Table", "TenantsTable").inputs.name },
      buses: { tenants: "embark-tenants-prod" },
      stateMachines: {
        onboarding: run.get("aws:sfn/stateMachine:StateMachine", "OnboardingStateMachine").state.arn,
      },
    });
    expect(Object.keys(value.queues).sort()).toEqual(["billing", "emails", "signups"]);
  });

  it("lets Cognito mail through the SES identity for this account's pools only, and points pools at the trigger", () => {
    const policy = JSON.parse(
      String(run.get("aws:ses/identityPolicy:IdentityPolicy", "CognitoSendsAsEmbark").inputs.policy),
    );
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: "email.cognito-idp.amazonaws.com" },
        Action: ["ses:SendEmail", "ses:SendRawEmail"],
        Condition: {
          StringEquals: { "aws:SourceAccount": "123456789012" },
          ArnLike: { "aws:SourceArn": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/*" },
        },
      }),
    ]);
    expect(lambdaFunction(run, "create-identity").inputs.environment.variables).toMatchObject({
      PRE_TOKEN_GENERATION_FUNCTION_ARN:
        "arn:aws:lambda:us-east-1:123456789012:function:embark-prod-pre-token-generation",
      SES_IDENTITY_ARN: expect.stringMatching(/^arn:aws:ses:us-east-1:123456789012:identity\//),
      TENANT_EVENTS_BUS_NAME: "embark-tenants-prod",
    });
  });

  it("publishes the mail configuration set's sends to the default bus (SES's Email Sent events)", () => {
    const set = run.get("aws:sesv2/configurationSet:ConfigurationSet", "MailConfigurationSet").inputs;
    expect(
      run.get("aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination", "MailEvents")
        .inputs,
    ).toMatchObject({
      configurationSetName: set.configurationSetName,
      eventDestination: {
        enabled: true,
        matchingEventTypes: ["SEND"],
        eventBridgeDestination: { eventBusArn: "arn:aws:events:us-east-1:123456789012:event-bus/default" },
      },
    });
  });
});

describe("data", () => {
  it("has the tables the code expects, with the idempotency table expiring records", () => {
    const table = (name: string) => run.get("aws:dynamodb/table:Table", name).inputs;
    expect(table("TenantsTable")).toMatchObject({ hashKey: "pk", billingMode: "PAY_PER_REQUEST" });
    expect(table("PlansTable")).toMatchObject({ hashKey: "planId" });
    expect(table("IdempotencyTable")).toMatchObject({
      hashKey: "id",
      ttl: { attributeName: "expiration", enabled: true },
    });
    for (const name of ["TenantsTable", "PlansTable"]) {
      expect(table(name)).toMatchObject({
        deletionProtectionEnabled: true,
        pointInTimeRecovery: { enabled: true },
      });
    }
  });

  it("indexes tenants by status, least recently changed first, whole records (the reconciler's pages)", () => {
    const tenants = run.get("aws:dynamodb/table:Table", "TenantsTable").inputs;
    expect(tenants.globalSecondaryIndexes).toEqual([
      { name: "by-status", hashKey: "status", rangeKey: "updatedAt", projectionType: "ALL" },
    ]);
    expect(tenants.attributes).toEqual(
      expect.arrayContaining([
        { name: "status", type: "S" },
        { name: "updatedAt", type: "S" },
      ]),
    );
  });

  it("seeds the shipped plans once, as items PlanStore reads back", () => {
    const plansTable = run.get("aws:dynamodb/table:Table", "PlansTable").inputs.name;
    const items = run.ofType("aws:dynamodb/tableItem:TableItem");
    expect(items.map((i) => i.inputs.tableName)).toEqual(DEFAULT_PLANS.map(() => plansTable));
    for (const plan of DEFAULT_PLANS) {
      const item = items
        .map((i) => fromAttributeMap(JSON.parse(i.inputs.item)))
        .find((i) => i.planId === plan.id);
      expect(item, plan.id).toBeDefined();
      const { planId: _key, ...stored } = item!;
      expect(parsePlan(stored)).toEqual(plan);
    }
  });
});

describe("queues", () => {
  it("every work queue has a DLQ, 6× its consumer's timeout, and MAX_RECEIVE_COUNT deliveries", () => {
    const mappings = run.ofType("aws:lambda/eventSourceMapping:EventSourceMapping");
    expect(mappings).toHaveLength(3);
    for (const m of mappings) {
      const queue = queueByArn(m.inputs.eventSourceArn)!;
      const consumer = NAMES.find((n) => fnArn(n) === m.inputs.functionName)!;
      expect(queue.inputs.visibilityTimeoutSeconds).toBe(6 * FUNCTIONS[consumer].timeoutSeconds);
      const redrive = JSON.parse(queue.inputs.redrivePolicy);
      expect(redrive.maxReceiveCount).toBe(MAX_RECEIVE_COUNT);
      expect(redrive.maxReceiveCount).toBeGreaterThanOrEqual(3);
      expect(redrive.maxReceiveCount).toBeLessThanOrEqual(5);
      expect(queueByArn(redrive.deadLetterTargetArn), "DLQ exists").toBeDefined();
      const window = consumer === "billing-router" ? WORK_QUEUES.billing.maximumBatchingWindowSeconds : 0;
      expect(m.inputs).toMatchObject({
        batchSize: 10,
        maximumBatchingWindowInSeconds: window,
        functionResponseTypes: ["ReportBatchItemFailures"],
      });
    }
    expect(new Set(mappings.map((m) => m.inputs.functionName))).toEqual(
      new Set([fnArn("onboarding-starter"), fnArn("mailer"), fnArn("billing-router")]),
    );
  });

  it("every queue is either a work queue with a DLQ or a DLQ that an alarm watches", () => {
    const dlqArns = new Set(
      queues().flatMap((q) =>
        q.inputs.redrivePolicy ? [JSON.parse(q.inputs.redrivePolicy).deadLetterTargetArn] : [],
      ),
    );
    const eventsDlq = run.get("aws:sqs/queue:Queue", "EventsDlqQueue").state.arn;
    dlqArns.add(eventsDlq);
    const watched = run
      .ofType("aws:cloudwatch/metricAlarm:MetricAlarm")
      .filter((a) => a.inputs.metricName === "ApproximateNumberOfMessagesVisible")
      .map((a) => a.inputs.dimensions.QueueName);
    for (const q of queues()) {
      if (dlqArns.has(q.state.arn)) {
        expect(watched, `${q.name} is watched`).toContain(q.state.name);
        expect(q.inputs.messageRetentionSeconds).toBe(14 * 24 * 3600);
      } else {
        expect(q.inputs.redrivePolicy, `${q.name} has a DLQ`).toBeTruthy();
      }
    }
    // EventBridge targets and async Lambda failures land in the events DLQ, which lets only our rules write.
    for (const t of run.ofType("aws:cloudwatch/eventTarget:EventTarget"))
      expect(t.inputs.deadLetterConfig.arn).toBe(eventsDlq);
    for (const c of run.ofType("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")) {
      expect(c.inputs.destinationConfig.onFailure.destination).toBe(eventsDlq);
    }
    // Only our rules may write to the events DLQ; only the billing rules to the billing queue.
    const allowed = (policy: string) =>
      JSON.parse(
        run.get("aws:sqs/queuePolicy:QueuePolicy", policy).inputs.policy,
      ).Statement[0].Condition.ArnLike["aws:SourceArn"].sort();
    const partner = TEST_SECRETS.StripePartnerEventBus;
    const partnerRules = `arn:aws:events:us-east-1:123456789012:rule/${partner}/*`;
    const rules = run
      .ofType("aws:cloudwatch/eventRule:EventRule")
      .filter((r) => r.inputs.eventBusName !== partner);
    expect(allowed("EventsDlqPolicy")).toEqual([...rules.map((r) => r.state.arn), partnerRules].sort());
    const billingQueue = run.get("aws:sqs/queue:Queue", "BillingQueueQueue").state.arn;
    const toBilling = run
      .ofType("aws:cloudwatch/eventTarget:EventTarget")
      .filter((t) => t.inputs.arn === billingQueue);
    const billingRules = rules.filter((r) => toBilling.some((t) => t.inputs.rule === r.state.name));
    expect(billingRules).toHaveLength(2);
    expect(allowed("BillingQueuePolicy")).toEqual(
      [...billingRules.map((r) => r.state.arn), partnerRules].sort(),
    );
  });
});

describe("functions", () => {
  it("one nodejs22.x Lambda per catalog entry, built from functions/<file>.ts, traced", () => {
    expect(run.ofType("aws:lambda/function:Function")).toHaveLength(NAMES.length);
    for (const fn of NAMES) {
      const f = lambdaFunction(run, fn).inputs;
      expect(f).toMatchObject({
        runtime: "nodejs22.x",
        timeout: FUNCTIONS[fn].timeoutSeconds,
        tracingConfig: { mode: "Active" },
      });
      expect(
        run.builds.find((b) => b.handler === functionHandler(fn)),
        fn,
      ).toMatchObject({
        runtime: "nodejs22.x",
      });
    }
  });

  it("every function has a trigger: a route, a queue, a rule, a state machine Task or a Cognito pool", () => {
    const definition = run
      .ofType("aws:sfn/stateMachine:StateMachine")
      .map((m) => m.inputs.definition as string)
      .join("\n");
    const triggered = new Set<string>([
      ...run.ofType("aws:apigatewayv2/integration:Integration").map((i) => i.inputs.integrationUri),
      ...run.ofType("aws:lambda/eventSourceMapping:EventSourceMapping").map((m) => m.inputs.functionName),
      ...run.ofType("aws:cloudwatch/eventTarget:EventTarget").map((t) => t.inputs.arn),
      ...run.ofType("aws:scheduler/schedule:Schedule").map((s) => s.inputs.target.arn),
    ]);
    // Tenant pools are made at run time: Cognito may invoke a trigger through its resource policy.
    for (const p of run.ofType("aws:lambda/permission:Permission")) {
      if (p.inputs.principal === "cognito-idp.amazonaws.com") {
        expect(p.inputs.sourceArn).toBe("arn:aws:cognito-idp:us-east-1:123456789012:userpool/*");
        triggered.add(fnArn(String(p.inputs.function).replace(/^embark-prod-/, "") as FunctionName));
      }
    }
    expect(triggered.has(fnArn("pre-token-generation"))).toBe(true);
    // A runtime schedule's target (the purge): the schedules are made at run time, their role is deployed.
    for (const r of Object.values(RUNTIME_SCHEDULES)) triggered.add(fnArn(r.function as FunctionName));
    for (const fn of NAMES) {
      expect(triggered.has(fnArn(fn)) || definition.includes(`"${fnArn(fn)}"`), fn).toBe(true);
    }
  });

  it("only billing-intake gets the Stripe signing secret, and Pulumi keeps that environment encrypted", () => {
    for (const fn of NAMES) {
      const f = lambdaFunction(run, fn);
      const has = "EMBARK_STRIPE_WEBHOOK_SECRET" in f.inputs.environment.variables;
      expect(has, fn).toBe(fn === "billing-intake");
      expect(f.secretInputs.includes("environment"), fn).toBe(fn === "billing-intake");
    }
    expect(
      lambdaFunction(run, "billing-intake").inputs.environment.variables.EMBARK_STRIPE_WEBHOOK_SECRET,
    ).toBe(TEST_SECRETS.StripeWebhookSecret);
  });

  it("gets stage settings from the SST secrets", () => {
    const env = lambdaFunction(run, "setup-namespace").inputs.environment.variables;
    expect(env).toMatchObject({
      EKS_CLUSTER_NAME: TEST_SECRETS.EksClusterName,
      EKS_TENANT_ADMIN_ROLE_ARN: TEST_SECRETS.EksTenantAdminRoleArn,
      PIPELINE_NAME: TEST_SECRETS.PipelineName,
      EMBARK_SENDER_EMAIL: TEST_SECRETS.SenderEmail,
      SES_CONFIGURATION_SET: run.get("aws:sesv2/configurationSet:ConfigurationSet", "MailConfigurationSet")
        .inputs.configurationSetName,
      ONBOARDING_STATE_MACHINE_ARN: run.get("aws:sfn/stateMachine:StateMachine", "OnboardingStateMachine")
        .state.arn,
    });
  });
});

describe("workflows", () => {
  it("deploys the core/ onboarding ASL with the deployed function ARNs and emails queue", () => {
    const sm = run.get("aws:sfn/stateMachine:StateMachine", "OnboardingStateMachine").inputs;
    const emails = run.get("aws:sqs/queue:Queue", "EmailsQueueQueue").state.url;
    const expected = onboardingDefinition({ functionArn: fnArn, queueUrl: () => emails });
    expect(sm.definition).toBe(JSON.stringify(expected));
    expect(sm).toMatchObject({
      name: `embark-onboarding-${TEST_STAGE}`,
      type: "STANDARD",
      tracingConfiguration: { enabled: true },
    });
  });

  it.each(LIFECYCLE_WORKFLOWS)(
    "deploys the core/ %s ASL with the deployed function ARNs and emails queue",
    (wf) => {
      const name = `${STATE_MACHINE_FOR_WORKFLOW[wf]}-${TEST_STAGE}`;
      const sm = run.ofType("aws:sfn/stateMachine:StateMachine").find((m) => m.inputs.name === name);
      const emails = run.get("aws:sqs/queue:Queue", "EmailsQueueQueue").state.url;
      const expected = STATE_MACHINE_DEFINITIONS[STATE_MACHINE_OF[wf]]({
        functionArn: fnArn,
        queueUrl: () => emails,
      });
      expect(sm?.inputs.definition).toBe(JSON.stringify(expected));
      expect(sm?.inputs).toMatchObject({ type: "STANDARD", tracingConfiguration: { enabled: true } });
    },
  );

  it.each(["Onboarding", "PlanChange", "Suspend", "Reactivate", "Offboard"])(
    "%s logs ALL events to its own log group, without execution data (task tokens stay out of logs)",
    (id) => {
      const sm = run.get("aws:sfn/stateMachine:StateMachine", `${id}StateMachine`).inputs;
      const group = run.get("aws:cloudwatch/logGroup:LogGroup", `${id}WorkflowLogs`).state.arn;
      expect(sm.loggingConfiguration).toEqual({
        level: "ALL",
        includeExecutionData: false,
        logDestination: `${group}:*`,
      });
    },
  );
});

describe("api", () => {
  it("routes POST /signups and GET /tenants/{id} to their functions, throttled", () => {
    const routes = run.ofType("aws:apigatewayv2/route:Route");
    const integrations = run.ofType("aws:apigatewayv2/integration:Integration");
    const routed = Object.fromEntries(
      routes.map((r) => {
        const integration = integrations.find((i) => r.inputs.target === `integrations/${i.name}-id`);
        return [r.inputs.routeKey, integration?.inputs.integrationUri];
      }),
    );
    expect(routed).toEqual({
      "POST /signups": fnArn("signup-intake"),
      "GET /tenants/{id}": fnArn("tenant-status"),
      "GET /": fnArn("signup-page"),
      "GET /plans": fnArn("plan-catalog"),
      "GET /slugs/{slug}": fnArn("slug-availability"),
      "GET /login": fnArn("login-page"),
      "GET /tenants/{slug}/sign-in": fnArn("tenant-sign-in"),
      "POST /billing/webhook": fnArn("billing-intake"),
    });
    const stage = run.get("aws:apigatewayv2/stage:Stage", "ApiStage");
    expect(stage.inputs.defaultRouteSettings).toEqual({
      throttlingRateLimit: 200,
      throttlingBurstLimit: 400,
    });
    expect(stage.inputs.routeSettings).toEqual([
      { routeKey: "POST /signups", throttlingRateLimit: 20, throttlingBurstLimit: 40 },
    ]);
    // Route settings may only name existing routes: the stage must come after them.
    const order = (r: RecordedResource) => run.resources.indexOf(r);
    for (const r of routes) expect(order(stage)).toBeGreaterThan(order(r));
  });
});

describe("events", () => {
  it("routes pipeline state changes, failed workflows and billing events with the core/ patterns", () => {
    const rules = run.ofType("aws:cloudwatch/eventRule:EventRule");
    const targets = run.ofType("aws:cloudwatch/eventTarget:EventTarget");
    const smArn = run.get("aws:sfn/stateMachine:StateMachine", "OnboardingStateMachine").state.arn;
    const lifecycleArns = ["PlanChange", "Suspend", "Reactivate", "Cancel", "Restore", "Offboard"].map(
      (id) => run.get("aws:sfn/stateMachine:StateMachine", `${id}StateMachine`).state.arn,
    );
    const billingQueue = run.get("aws:sqs/queue:Queue", "BillingQueueQueue").state.arn;
    const billingBus = run.get("aws:cloudwatch/eventBus:EventBus", "BillingBus").inputs.name;
    const routed = rules.map((rule) => ({
      pattern: JSON.parse(rule.inputs.eventPattern),
      bus: rule.inputs.eventBusName,
      target: targets.find((t) => t.inputs.rule === rule.state.name)?.inputs.arn,
    }));
    expect(routed).toEqual(
      expect.arrayContaining([
        {
          pattern: pipelineStateChangePattern(TEST_SECRETS.PipelineName),
          bus: "default",
          target: fnArn("pipeline-callback"),
        },
        { pattern: executionFailedPattern([smArn]), bus: "default", target: fnArn("record-failure") },
        { pattern: executionFailedPattern(lifecycleArns), bus: "default", target: fnArn("record-failure") },
        { pattern: billingEventsPattern(), bus: billingBus, target: billingQueue },
        { pattern: billingEventsPattern(), bus: TEST_SECRETS.StripePartnerEventBus, target: billingQueue },
        { pattern: onboardingEndedPattern(smArn), bus: "default", target: billingQueue },
        {
          pattern: emailSentPattern(
            run.get("aws:sesv2/configurationSet:ConfigurationSet", "MailConfigurationSet").inputs
              .configurationSetName,
          ),
          bus: "default",
          target: fnArn("record-email-sent"),
        },
      ]),
    );
    expect(rules).toHaveLength(7);
    // Each rule that invokes a function may do so (and only that rule: the permission names it).
    const lambdaRules = rules.filter((r) =>
      targets.some((t) => t.inputs.rule === r.state.name && t.inputs.arn.includes(":lambda:")),
    );
    expect(lambdaRules).toHaveLength(4);
    for (const rule of lambdaRules) {
      const target = targets.find((t) => t.inputs.rule === rule.state.name)!;
      const permission = run
        .ofType("aws:lambda/permission:Permission")
        .find((p) => p.inputs.sourceArn === rule.state.arn);
      expect(permission?.inputs).toMatchObject({
        principal: "events.amazonaws.com",
        action: "lambda:InvokeFunction",
        function: NAMES.map((n) => lambdaFunction(run, n)).find((f) => f.state.arn === target.inputs.arn)
          ?.inputs.name,
      });
    }
  });
});

describe("schedules", () => {
  it("runs each manifest schedule on EventBridge Scheduler: its expression, window off, a role for its function", () => {
    const schedules = run.ofType("aws:scheduler/schedule:Schedule");
    expect(schedules.map((s) => s.inputs.name).sort()).toEqual(
      Object.keys(SCHEDULES)
        .map((k) => `embark-${TEST_STAGE}-${k}`)
        .sort(),
    );
    const eventsDlq = run.get("aws:sqs/queue:Queue", "EventsDlqQueue").state.arn;
    for (const [key, spec] of Object.entries(SCHEDULES)) {
      const s = schedules.find((x) => x.inputs.name === `embark-${TEST_STAGE}-${key}`)!;
      expect(s.inputs).toMatchObject({
        scheduleExpression: spec.expression,
        flexibleTimeWindow: { mode: "OFF" },
        state: "ENABLED",
        target: {
          arn: fnArn(spec.target.function),
          input: JSON.stringify(spec.target.input),
          deadLetterConfig: { arn: eventsDlq },
        },
      });
      const role = run.ofType("aws:iam/role:Role").find((r) => r.state.arn === s.inputs.target.roleArn)!;
      const policy = JSON.parse(role.inputs.inlinePolicies[0].policy);
      expect(policy.Statement).toEqual([
        {
          Effect: "Allow",
          Action: ["lambda:InvokeFunction"],
          Resource: [fnArn(spec.target.function), `${fnArn(spec.target.function)}:*`],
        },
        { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [eventsDlq] },
      ]);
    }
    expect(SCHEDULES.reconcile.expression).toMatch(/^rate\(\d+ minutes\)$/);
  });
});

describe("cluster, email, alarms", () => {
  it("maps every function that talks to the cluster (and only those) to the provisioner group", () => {
    const talksToCluster = NAMES.filter((fn) =>
      FUNCTION_USAGE[fn].calls.includes("cluster.ts#clusterFromEnvironment"),
    );
    expect(talksToCluster.length).toBeGreaterThan(0);
    const entries = run.ofType("aws:eks/accessEntry:AccessEntry").map((e) => e.inputs);
    expect(entries.map((e) => e.principalArn).sort()).toEqual(
      talksToCluster.map((fn) => lambdaFunction(run, fn).inputs.role).sort(),
    );
    for (const e of entries) {
      expect(e).toMatchObject({
        clusterName: TEST_SECRETS.EksClusterName,
        kubernetesGroups: ["embark-provisioner"],
        type: "STANDARD",
      });
    }
  });

  it("alarms on every DLQ, failed or throttled execution and Lambda error, to one topic with the operators' email", () => {
    const topic = run.get("aws:sns/topic:Topic", "OperatorAlarms").state.arn;
    const alarms = run.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
    for (const a of alarms) {
      expect(a.inputs).toMatchObject({
        alarmActions: [topic],
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
      });
    }
    const metricsFor = (dimension: string, value: string) =>
      alarms
        .filter((a) => a.inputs.dimensions[dimension] === value)
        .map((a) => a.inputs.metricName)
        .sort();
    for (const sm of run.ofType("aws:sfn/stateMachine:StateMachine")) {
      expect(metricsFor("StateMachineArn", sm.state.arn), sm.name).toEqual(
        ["ExecutionThrottled", "ExecutionsAborted", "ExecutionsFailed", "ExecutionsTimedOut"].sort(),
      );
    }
    for (const fn of NAMES)
      expect(metricsFor("FunctionName", `embark-${TEST_STAGE}-${fn}`), fn).toEqual(["Errors", "Throttles"]);
    // The reconcile function's count of DEGRADED tenants (Powertools EMF: namespace Embark, dimension service).
    expect(alarms.find((a) => a.inputs.metricName === "DegradedTenants")?.inputs).toMatchObject({
      namespace: "Embark",
      statistic: "Maximum",
      dimensions: { service: "embark" },
    });
    expect(
      run.get("aws:sns/topicSubscription:TopicSubscription", "OperatorAlarmsEmail").inputs,
    ).toMatchObject({
      protocol: "email",
      endpoint: TEST_SECRETS.AlarmEmail,
      topic,
    });
  });
});

type AttributeValue = {
  S?: string;
  N?: string;
  BOOL?: boolean;
  NULL?: boolean;
  L?: AttributeValue[];
  M?: Record<string, AttributeValue>;
};

/** DynamoDB typed JSON → plain JSON (the reverse of what stacks/data.ts writes). */
function fromAttributeMap(m: Record<string, AttributeValue>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, fromAttribute(v)]));
}
function fromAttribute(v: AttributeValue): unknown {
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return Number(v.N);
  if (v.BOOL !== undefined) return v.BOOL;
  if (v.NULL) return null;
  if (v.L) return v.L.map(fromAttribute);
  if (v.M) return fromAttributeMap(v.M);
  throw new Error(`unknown attribute value ${JSON.stringify(v)}`);
}
