/**
 * AWS and the local cloud run the same wiring: the EventBridge patterns, the ASL and the queue settings that
 * stacks/ deploys are the ones local/wiring/embark.ts registers in the local cloud this test run started
 * (read back through the real AWS SDK), and both import them from core/ instead of writing their own.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DescribeRuleCommand, EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { DescribeStateMachineCommand, SFNClient } from "@aws-sdk/client-sfn";
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { STATE_MACHINE_DEFINITIONS } from "../../core/app/manifest.js";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import { billingEventsPattern, onboardingEndedPattern } from "../../core/billing/patterns.js";
import { emailSentPattern } from "../../core/mail/sent.js";
import { pipelineStateChangePattern } from "../../core/onboarding/pipeline-callback.js";
import { onboardingDefinition } from "../../core/onboarding/workflow.js";
import { executionFailedPattern } from "../../core/workflow/failure-events.js";
import {
  LIFECYCLE_WORKFLOWS,
  STATE_MACHINE_FOR_WORKFLOW,
  STATE_MACHINE_NAMES,
  STATE_MACHINE_OF,
} from "../../core/workflow/names.js";
import { functionArn } from "../../local/lambda/registry.js";
import { awsConfig, cloud } from "../support/cloud.js";
import { lambdaFunction, TEST_SECRETS, TEST_STAGE } from "./support/deployed.js";
import { ROOT, runSstProgram, type SstRun } from "./support/sst-mocks.js";

let run: SstRun;
beforeAll(async () => {
  run = await runSstProgram({ stage: TEST_STAGE, secrets: TEST_SECRETS });
}, 120_000);

const deployedPattern = (source: string) =>
  run
    .ofType("aws:cloudwatch/eventRule:EventRule")
    .map((r) => JSON.parse(r.inputs.eventPattern))
    .find((p) => p.source[0] === source);

describe("the deployed wiring is the local cloud's wiring", () => {
  it("EventBridge patterns: the same core/ functions, differing only in the pipeline name / state machine ARN", async () => {
    const events = new EventBridgeClient(awsConfig());
    const local = async (name: string) =>
      JSON.parse((await events.send(new DescribeRuleCommand({ Name: name }))).EventPattern ?? "null");

    const localPipeline = await local("embark-pipeline-state-change");
    expect(localPipeline).toEqual(pipelineStateChangePattern(LOCAL_NAMES.pipeline));
    const deployedPipeline = deployedPattern("aws.codepipeline");
    expect(deployedPipeline).toEqual(pipelineStateChangePattern(TEST_SECRETS.PipelineName));
    expect(withDetail(deployedPipeline, { pipeline: ["P"] })).toEqual(
      withDetail(localPipeline, { pipeline: ["P"] }),
    );

    const localSmArn = `arn:aws:states:${cloud().region}:${cloud().accountId}:stateMachine:${STATE_MACHINE_NAMES.onboarding}`;
    const localFailed = await local("embark-onboarding-failed");
    expect(localFailed).toEqual(executionFailedPattern([localSmArn]));
    const deployedSm = run.get("aws:sfn/stateMachine:StateMachine", "OnboardingStateMachine").state.arn;
    const deployedFailed = deployedPattern("aws.states");
    expect(deployedFailed).toEqual(executionFailedPattern([deployedSm]));
    const anyArn = (p: { detail: object }) => withDetail(p, { ...p.detail, stateMachineArn: ["SM"] });
    expect(anyArn(deployedFailed)).toEqual(anyArn(localFailed));
  });

  it("billing rules: the same core/ patterns on the billing bus and for onboarding ends and lifecycle failures; SES's Email Sent", async () => {
    const events = new EventBridgeClient(awsConfig());
    const local = async (name: string, bus?: string) =>
      JSON.parse(
        (await events.send(new DescribeRuleCommand({ Name: name, EventBusName: bus }))).EventPattern ??
          "null",
      );
    const deployedOn = (bus: string) =>
      run
        .ofType("aws:cloudwatch/eventRule:EventRule")
        .filter((r) => r.inputs.eventBusName === bus)
        .map((r) => JSON.parse(r.inputs.eventPattern));
    const billingBus = run.get("aws:cloudwatch/eventBus:EventBus", "BillingBus").inputs.name;

    expect(await local("embark-billing-events", LOCAL_NAMES.bus("billing"))).toEqual(billingEventsPattern());
    expect(await local("embark-billing-events", LOCAL_NAMES.stripePartnerBus)).toEqual(
      billingEventsPattern(),
    );
    expect(deployedOn(billingBus)).toEqual([billingEventsPattern()]);
    expect(deployedOn(TEST_SECRETS.StripePartnerEventBus)).toEqual([billingEventsPattern()]);

    const smArnOf = (name: string) =>
      `arn:aws:states:${cloud().region}:${cloud().accountId}:stateMachine:${name}`;
    const localOnboarding = smArnOf(STATE_MACHINE_NAMES.onboarding);
    expect(await local("embark-onboarding-ended")).toEqual(onboardingEndedPattern(localOnboarding));
    const localLifecycle = LIFECYCLE_WORKFLOWS.map((wf) => smArnOf(STATE_MACHINE_FOR_WORKFLOW[wf]));
    expect(await local("embark-lifecycle-failed")).toEqual(executionFailedPattern(localLifecycle));

    const onDefault = deployedOn("default");
    const deployedOnboarding = run.get("aws:sfn/stateMachine:StateMachine", "OnboardingStateMachine").state
      .arn;
    expect(onDefault).toContainEqual(onboardingEndedPattern(deployedOnboarding));
    const deployedLifecycle = LIFECYCLE_WORKFLOWS.map(
      (wf) =>
        run
          .ofType("aws:sfn/stateMachine:StateMachine")
          .find((m) => m.inputs.name === `${STATE_MACHINE_FOR_WORKFLOW[wf]}-${TEST_STAGE}`)!.state.arn,
    );
    expect(onDefault).toContainEqual(executionFailedPattern(deployedLifecycle));

    expect(await local("embark-email-sent")).toEqual(emailSentPattern(LOCAL_NAMES.mailConfigurationSet));
    const deployedSet = run.get("aws:sesv2/configurationSet:ConfigurationSet", "MailConfigurationSet").inputs;
    expect(onDefault).toContainEqual(emailSentPattern(deployedSet.configurationSetName));
  });

  it("lifecycle ASL: the same core/ definitions; only the ARNs and the queue URL differ", async () => {
    const sfn = new SFNClient(awsConfig());
    const sqs = new SQSClient(awsConfig());
    const { QueueUrl: localEmails } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: LOCAL_NAMES.queue("emails") }),
    );
    const localRefs = refs(functionArn, localEmails!);
    const deployedRefs = refs(
      (fn) => lambdaFunction(run, fn).state.arn,
      run.get("aws:sqs/queue:Queue", "EmailsQueueQueue").state.url,
    );
    for (const wf of LIFECYCLE_WORKFLOWS) {
      const name = STATE_MACHINE_FOR_WORKFLOW[wf];
      const definition = STATE_MACHINE_DEFINITIONS[STATE_MACHINE_OF[wf]];
      const stateMachineArn = `arn:aws:states:${cloud().region}:${cloud().accountId}:stateMachine:${name}`;
      const local = JSON.parse(
        (await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).definition!,
      );
      expect(local, wf).toEqual(definition(localRefs));
      const deployed = JSON.parse(
        run
          .ofType("aws:sfn/stateMachine:StateMachine")
          .find((m) => m.inputs.name === `${name}-${TEST_STAGE}`)!.inputs.definition,
      );
      expect(deployed, wf).toEqual(definition(deployedRefs));
      expect(JSON.parse(swapRefs(JSON.stringify(deployed), deployedRefs, localRefs)), wf).toEqual(local);
    }
  });

  it("ASL: both run onboardingDefinition(); only the ARNs and the queue URL differ", async () => {
    const sfn = new SFNClient(awsConfig());
    const localArn = `arn:aws:states:${cloud().region}:${cloud().accountId}:stateMachine:${STATE_MACHINE_NAMES.onboarding}`;
    const local = JSON.parse(
      (await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: localArn }))).definition!,
    );
    const sqs = new SQSClient(awsConfig());
    const { QueueUrl: localEmails } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: LOCAL_NAMES.queue("emails") }),
    );
    expect(local).toEqual(onboardingDefinition(refs(functionArn, localEmails!)));

    const deployed = JSON.parse(
      run.get("aws:sfn/stateMachine:StateMachine", "OnboardingStateMachine").inputs.definition,
    );
    const deployedRefs = refs(
      (fn) => lambdaFunction(run, fn).state.arn,
      run.get("aws:sqs/queue:Queue", "EmailsQueueQueue").state.url,
    );
    expect(deployed).toEqual(onboardingDefinition(deployedRefs));
    // Swap the deployed references for the local ones: the documents must then be identical.
    const localRefs = refs(functionArn, localEmails!);
    expect(JSON.parse(swapRefs(JSON.stringify(deployed), deployedRefs, localRefs))).toEqual(local);
  });

  it("queues: the same visibility timeouts and max receive counts", async () => {
    const sqs = new SQSClient(awsConfig());
    for (const [local, deployed] of [
      [LOCAL_NAMES.queue("signups"), "SignupsQueueQueue"],
      [LOCAL_NAMES.queue("emails"), "EmailsQueueQueue"],
      [LOCAL_NAMES.queue("billing"), "BillingQueueQueue"],
    ] as const) {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: local }));
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["VisibilityTimeout", "RedrivePolicy"] }),
      );
      const d = run.get("aws:sqs/queue:Queue", deployed).inputs;
      expect(Number(Attributes?.VisibilityTimeout)).toBe(d.visibilityTimeoutSeconds);
      expect(JSON.parse(Attributes?.RedrivePolicy ?? "{}").maxReceiveCount).toBe(
        JSON.parse(d.redrivePolicy).maxReceiveCount,
      );
    }
  });
});

describe("one source for both (imports, not copies)", () => {
  const SHARED = {
    "core/app/manifest.ts": ["RULES", "STATE_MACHINE_DEFINITIONS", "FUNCTIONS", "WORK_QUEUES", "ROUTES"],
  };
  const localWiring = readdirSync(join(ROOT, "local/embark"))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => `local/embark/${f}`);
  const stackFiles = readdirSync(join(ROOT, "stacks"))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => `stacks/${f}`);

  it("stacks/ and local/embark/ import the patterns and the ASL from the app manifest", () => {
    for (const files of [stackFiles, localWiring]) {
      const imported = new Map<string, string>();
      for (const file of files) for (const [name, from] of namedImports(file)) imported.set(name, from);
      for (const [module, names] of Object.entries(SHARED)) {
        for (const name of names)
          expect(imported.get(name), `${files.join(",")} imports ${name}`).toBe(module);
      }
    }
  });

  it("neither writes an event pattern or ASL of its own", () => {
    for (const file of [...stackFiles, ...localWiring]) {
      const text = readFileSync(join(ROOT, file), "utf8");
      for (const literal of [
        '"aws.codepipeline"',
        '"aws.states"',
        '"detail-type"',
        "StartAt:",
        '"StartAt"',
      ]) {
        expect(text.includes(literal), `${file} contains ${literal}`).toBe(false);
      }
    }
  });
});

/** Definitions' references resolved two ways: the function ARNs and the emails queue URL. */
function refs(arnOf: (fn: string) => string, emailsQueueUrl: string) {
  const names = Object.values(STATE_MACHINE_DEFINITIONS).flatMap((d) =>
    [
      ...JSON.stringify(d({ functionArn: (n) => `{fn:${n}}`, queueUrl: () => "" })).matchAll(
        /\{fn:([^}]+)\}/g,
      ),
    ].map((m) => m[1]!),
  );
  return {
    functionArn: arnOf,
    queueUrl: () => emailsQueueUrl,
    /** Every value, for swapping one set for the other in a document. */
    values: [...new Set(names)].map((n) => arnOf(n)).concat(emailsQueueUrl),
  };
}

/** The document with each of `from`'s references replaced by `to`'s. */
function swapRefs(text: string, from: ReturnType<typeof refs>, to: ReturnType<typeof refs>): string {
  return from.values.reduce((t, v, i) => t.replaceAll(JSON.stringify(v), JSON.stringify(to.values[i])), text);
}

function withDetail<T extends { detail: object }>(pattern: T, detail: object): T {
  return { ...pattern, detail };
}

/** name → module (repo-relative, .ts) of each named import from a repo module. */
function namedImports(file: string): Map<string, string> {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), "utf8"), ts.ScriptTarget.ES2022);
  const out = new Map<string, string>();
  for (const stmt of source.statements) {
    if (!ts.isImportDeclaration(stmt)) continue;
    const spec = (stmt.moduleSpecifier as ts.StringLiteral).text;
    const named = stmt.importClause?.namedBindings;
    if (!spec.startsWith(".") || !named || !ts.isNamedImports(named)) continue;
    const module = join(file, "..", spec).replace(/\.js$/, ".ts");
    for (const el of named.elements) out.set(el.name.text, module);
  }
  return out;
}
