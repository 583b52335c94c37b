/**
 * `npm run cost` (issue 12): what onboarding and the lifecycle cost on AWS, from the deployed definitions
 * (state machines and functions in core/app/manifest.ts) and a measured run (calls per service and step
 * durations from bench/results.json when `npm run bench` wrote one, else the counts of
 * test/e2e/onboarding-calls.test.ts recorded below), priced with the dated on-demand price table below.
 * Pure computation: prints a markdown table, writes nothing. Assumptions are named where they are made.
 */
import { existsSync, readFileSync } from "node:fs";
import { FUNCTIONS, STATE_MACHINE_DEFINITIONS } from "../core/app/manifest.js";
import type { StateMachineKey } from "../core/app/resources.js";

/**
 * us-east-1, on-demand, as of 2026-12. Source: the AWS pricing pages (aws.amazon.com/<service>/pricing/):
 * lambda, step-functions (verified 2026-12-02: $0.025 per 1,000 state transitions), sqs, dynamodb (on-demand),
 * eventbridge (incl. Scheduler), ses, cognito, codepipeline, codebuild, s3. Only the Step Functions figure was
 * checked against the page in this session; the others are as the brief gives them (unverified here).
 * Free tiers are ignored (the price at scale).
 */
export const PRICES = {
  region: "us-east-1",
  asOf: "2026-12",
  lambdaGbSecond: 0.0000166667,
  lambdaRequest: 0.2 / 1e6,
  sfnStateTransition: 0.025 / 1000,
  sqsRequest: 0.4 / 1e6,
  dynamoWriteUnit: 1.25 / 1e6,
  dynamoReadUnit: 0.25 / 1e6,
  dynamoStorageGbMonth: 0.25,
  eventBridgeCustomEvent: 1.0 / 1e6,
  schedulerInvocation: 1.0 / 1e6,
  sesEmail: 0.1 / 1000,
  /** Cognito Lite/Essentials: the first 10,000 MAU free; beyond, Essentials is $0.015 per MAU (Lite $0.0055). */
  cognitoMauBeyondFree: 0.015,
  codePipelineV2ActionMinute: 0.002,
  codeBuildGeneral1SmallMinute: 0.005,
  s3Put: 0.005 / 1000,
} as const;
export type Prices = typeof PRICES;

/** Memory of a function without its own (stacks/functions.ts DEFAULT_MEMORY_MB). */
export const DEFAULT_MEMORY_MB = 512;

/** What one operation uses, in billable units. */
export interface Usage {
  stateTransitions: number;
  /** One entry per Lambda invocation: its memory and billed duration. */
  invocations: Array<{ fn: string; memoryMB: number; ms: number }>;
  sqsRequests: number;
  dynamoWriteUnits: number;
  dynamoReadUnits: number;
  customEvents: number;
  sesEmails: number;
  codePipelineActionMinutes: number;
}

export interface CostLine {
  stateTransitions: number;
  lambda: number;
  sqs: number;
  dynamodb: number;
  eventBridge: number;
  ses: number;
  codePipeline: number;
  total: number;
}

/** The cost of one operation's usage, in dollars. */
export function priceUsage(u: Usage, p: Prices = PRICES): CostLine {
  const gbSeconds = u.invocations.reduce((s, i) => s + (i.memoryMB / 1024) * (i.ms / 1000), 0);
  const line = {
    stateTransitions: u.stateTransitions * p.sfnStateTransition,
    lambda: gbSeconds * p.lambdaGbSecond + u.invocations.length * p.lambdaRequest,
    sqs: u.sqsRequests * p.sqsRequest,
    dynamodb: u.dynamoWriteUnits * p.dynamoWriteUnit + u.dynamoReadUnits * p.dynamoReadUnit,
    eventBridge: u.customEvents * p.eventBridgeCustomEvent,
    ses: u.sesEmails * p.sesEmail,
    codePipeline: u.codePipelineActionMinutes * p.codePipelineV2ActionMinute,
  };
  return { ...line, total: Object.values(line).reduce((a, b) => a + b, 0) };
}

type AslState = {
  Type: string;
  Next?: string;
  End?: boolean;
  Resource?: string;
  Parameters?: { FunctionName?: string };
  Choices?: Array<{ Variable: string; BooleanEquals?: boolean; StringEquals?: string; Next: string }>;
  Default?: string;
  Branches?: Array<{ StartAt: string; States: Record<string, unknown> }>;
};

export interface PathCount {
  /** States entered (what Step Functions bills, retries aside). */
  transitions: number;
  /** Lambda functions the path invokes (Task states), by name. */
  lambdas: string[];
  /** SQS SendMessage tasks. */
  sqsSends: number;
}

const LAMBDA_ARN = "arn:aws:lambda:us-east-1:000000000000:function:";

const valueAt = (input: unknown, path: string): unknown =>
  path
    .replace(/^\$\.?/, "")
    .split(".")
    .filter(Boolean)
    .reduce<unknown>(
      (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
      input,
    );

/**
 * Walks a definition from StartAt, as an execution with `input` would (Choice rules: BooleanEquals and
 * StringEquals on a variable, which is all Embark's machines use), counting the states entered. Each branch
 * of a Parallel is walked; no retries.
 */
export function walk(
  machine: { StartAt: string; States: Record<string, unknown> },
  input: unknown,
): PathCount {
  const out: PathCount = { transitions: 0, lambdas: [], sqsSends: 0 };
  let name: string | undefined = machine.StartAt;
  for (let guard = 0; name !== undefined && guard < 1000; guard++) {
    const s = machine.States[name] as AslState | undefined;
    if (!s) throw new Error(`state ${name} is not in the definition`);
    out.transitions++;
    if (s.Type === "Task") {
      const fn = s.Resource?.startsWith(LAMBDA_ARN) ? s.Resource : s.Parameters?.FunctionName;
      if (fn?.startsWith(LAMBDA_ARN)) out.lambdas.push(fn.slice(LAMBDA_ARN.length));
      else if (s.Resource?.includes(":sqs:sendMessage")) out.sqsSends++;
    }
    if (s.Type === "Parallel") {
      for (const b of s.Branches ?? []) {
        const inner = walk(b, input);
        out.transitions += inner.transitions;
        out.lambdas.push(...inner.lambdas);
        out.sqsSends += inner.sqsSends;
      }
    }
    if (s.Type === "Choice") {
      const hit: { Next: string } | undefined = s.Choices?.find((c) => {
        const v = valueAt(input, c.Variable);
        return c.BooleanEquals !== undefined ? v === c.BooleanEquals : v === c.StringEquals;
      });
      name = hit?.Next ?? s.Default;
      continue;
    }
    name = s.End || s.Type === "Succeed" || s.Type === "Fail" ? undefined : s.Next;
  }
  return out;
}

const refs = {
  functionArn: (n: string) => `${LAMBDA_ARN}${n}`,
  queueUrl: (k: string) => `https://sqs.us-east-1.amazonaws.com/000000000000/embark-${k}`,
};

export const pathOf = (key: StateMachineKey, input: unknown) =>
  walk(STATE_MACHINE_DEFINITIONS[key](refs) as never, input);

const memoryOf = (fn: string) =>
  (FUNCTIONS as Record<string, { memoryMB?: number }>)[fn]?.memoryMB ?? DEFAULT_MEMORY_MB;

/** Measured calls of one standard onboarding (the shape of `/_embark/calls`, split by test/support/call-split.ts). */
export interface MeasuredCalls {
  embark: Record<string, number>;
  platform: Record<string, number>;
}

/**
 * The fallback: one standard onboarding as test/e2e/onboarding-calls.test.ts counted it (docs/benchmarks.md,
 * "Calls per standard onboarding", measured 2026-12-03), ReceiveMessage polls left out.
 */
export const RECORDED_CALLS: MeasuredCalls = {
  embark: {
    "dynamodb GetItem embark-tenants": 3,
    "dynamodb UpdateItem embark-tenants": 11,
    "dynamodb PutItem embark-tenants": 3,
    "dynamodb PutItem embark-idempotency": 1,
    "dynamodb UpdateItem embark-idempotency": 1,
    "dynamodb UpdateItem embark-rateLimits": 2,
    "tagging GetResources": 1,
    "cognito-idp CreateUserPool": 1,
    "cognito-idp CreateUserPoolClient": 1,
    "cognito-idp CreateGroup": 1,
    "cognito-idp AdminCreateUser": 1,
    "cognito-idp AdminAddUserToGroup": 1,
    "sqs SendMessage embark-signups": 1,
    "sqs SendMessage embark-emails": 1,
    "states StartExecution": 1,
    "events PutEvents embark.tenants": 1,
    "ses SendEmail": 1,
  },
  platform: {
    "sqs DeleteMessageBatch embark-signups": 1,
    "sqs DeleteMessageBatch embark-emails": 1,
    "sqs DeleteMessageBatch embark-billing": 1,
    "events PutEvents aws.states": 2,
    "sqs SendMessage embark-billing": 1,
    "ses SendEmail (Cognito's invitation)": 1,
  },
};

/** Assumed billed duration of a Lambda invocation when the run measured none (warm, a few AWS calls). */
export const ASSUMED_INVOCATION_MS = 300;
/** Assumed action-execution minutes of a tenant pipeline run (the user's pipeline; the local one takes seconds). */
export const ASSUMED_PIPELINE_MINUTES = 5;
/** pipeline-callback invocations per run: run started/succeeded + 2 stages × started/succeeded (heartbeats). */
const PIPELINE_EVENTS_PER_RUN = 6;
/** Items an onboarding leaves in DynamoDB (tenant, slug claim, POOL# link, idempotency record), ~1 KB each. */
const STORED_KB_PER_TENANT = 4 + 4 * 0.1;

/** DynamoDB units, SQS requests, custom events and SES messages in measured calls (items ≤ 1 KB, ≤ 4 KB read). */
export function unitsOf(calls: Record<string, number>) {
  let w = 0;
  let r = 0;
  let sqs = 0;
  let events = 0;
  let ses = 0;
  for (const [key, n] of Object.entries(calls)) {
    if (/^dynamodb (PutItem|UpdateItem|DeleteItem)\b/.test(key)) w += n;
    else if (/^dynamodb (GetItem|Query|BatchGetItem)\b/.test(key)) r += n;
    else if (/^sqs /.test(key) && !/^sqs (GetQueueUrl|GetQueueAttributes)\b/.test(key)) sqs += n;
    else if (/^events PutEvents /.test(key) && !/ aws\./.test(key)) events += n;
    else if (/^ses Send/.test(key)) ses += n;
  }
  return { w, r, sqs, events, ses };
}

export interface Inputs {
  calls: MeasuredCalls;
  /** Measured mean duration per function (ms), where known. */
  durations: Record<string, number>;
  pipelineMinutes: number;
  source: string;
}

const invocation = (fn: string, d: Record<string, number>) => ({
  fn,
  memoryMB: memoryOf(fn),
  ms: Math.ceil(d[fn] ?? ASSUMED_INVOCATION_MS),
});

/** One onboarding of a plan with or without dedicated resources. */
export function onboardingUsage(dedicated: boolean, inp: Inputs): Usage {
  const path = pathOf("onboarding", { tenant: { dedicatedResources: dedicated } });
  const all = { ...inp.calls.embark, ...inp.calls.platform };
  const u = unitsOf(all);
  const extraFns = ["signup-intake", "onboarding-starter", "mailer", "billing-router"];
  if (dedicated) for (let i = 0; i < PIPELINE_EVENTS_PER_RUN; i++) extraFns.push("pipeline-callback");
  // Measured calls are a standard (shared) onboarding; a dedicated one adds its pipeline's waiter and callbacks.
  const dedicatedWrites = dedicated ? 2 + PIPELINE_EVENTS_PER_RUN : 0;
  return {
    stateTransitions: path.transitions,
    invocations: [...path.lambdas, ...extraFns].map((fn) => invocation(fn, inp.durations)),
    sqsRequests: u.sqs,
    dynamoWriteUnits: u.w + dedicatedWrites,
    dynamoReadUnits: u.r + (dedicated ? PIPELINE_EVENTS_PER_RUN : 0),
    customEvents: u.events,
    sesEmails: u.ses,
    codePipelineActionMinutes: dedicated ? inp.pipelineMinutes : 0,
  };
}

/**
 * A lifecycle execution, estimated from its definition (not measured): each Lambda step 2 writes and 1 read,
 * each queued email an SQS send, a receive-and-delete, a mailer invocation (3 writes, 2 reads) and an SES message.
 * The billing-router invocation that starts it (from a Stripe event) is included.
 */
export function lifecycleUsage(key: StateMachineKey, input: unknown, inp: Inputs, pipeline = false): Usage {
  const path = pathOf(key, input);
  const fns = [...path.lambdas, "billing-router"];
  for (let i = 0; i < path.sqsSends; i++) fns.push("mailer");
  if (pipeline) for (let i = 0; i < PIPELINE_EVENTS_PER_RUN; i++) fns.push("pipeline-callback");
  return {
    stateTransitions: path.transitions,
    invocations: fns.map((fn) => invocation(fn, inp.durations)),
    sqsRequests: 2 + path.sqsSends * 2,
    dynamoWriteUnits: path.lambdas.length * 2 + path.sqsSends * 3 + 2,
    dynamoReadUnits: path.lambdas.length + path.sqsSends * 2 + 1,
    customEvents: path.lambdas.some((f) => /publish/i.test(f)) ? 1 : 0,
    sesEmails: path.sqsSends,
    codePipelineActionMinutes: pipeline ? inp.pipelineMinutes : 0,
  };
}

/** The SaaS Builder Toolkit's provisioning: one CodeBuild job per tenant (general1.small), start-up included. */
export const codeBuildPerTenant = (minutes: number, p: Prices = PRICES) =>
  minutes * p.codeBuildGeneral1SmallMinute;

/** Idle: storage per tenant; everything else is per event or a fixed platform cost (reconcile, queue polling). */
export function idle(p: Prices = PRICES) {
  const storagePerTenant = (STORED_KB_PER_TENANT / 1024 / 1024) * p.dynamoStorageGbMonth;
  const passes = (30 * 24 * 60) / 5;
  // A bounded pass (core/reconcile/settings.ts): at most ~165 tenants read, assumed 2 s at 512 MB.
  const reconcile =
    passes * (p.schedulerInvocation + p.lambdaRequest + 2 * 0.5 * p.lambdaGbSecond + 170 * p.dynamoReadUnit);
  // Lambda's SQS pollers: ~5 long polls (20 s) per queue at a time, 3 work queues.
  const polling = 3 * 5 * ((30 * 24 * 3600) / 20) * p.sqsRequest;
  return { storagePerTenant, reconcile, polling };
}

export function readInputs(resultsPath = "bench/results.json"): Inputs {
  const base: Inputs = {
    calls: RECORDED_CALLS,
    durations: {},
    pipelineMinutes: ASSUMED_PIPELINE_MINUTES,
    source: "test/e2e/onboarding-calls.test.ts counts (docs/benchmarks.md); durations assumed 300 ms",
  };
  if (!existsSync(resultsPath)) return base;
  const r = JSON.parse(readFileSync(resultsPath, "utf8")) as {
    callsPerOnboarding?: MeasuredCalls;
    functionMs?: Record<string, number>;
    date?: string;
  };
  return {
    ...base,
    calls: r.callsPerOnboarding ?? base.calls,
    durations: r.functionMs ?? {},
    source: `${resultsPath} (${r.date ?? "undated"})`,
  };
}

const usd = (x: number) =>
  x === 0 ? "$0" : x >= 1 ? `$${x.toFixed(2)}` : x >= 0.01 ? `$${x.toFixed(3)}` : `$${x.toPrecision(2)}`;

export function report(inp: Inputs): string {
  const rows: Array<[string, Usage, number]> = [
    ["onboarding, free", onboardingUsage(false, inp), 1000],
    ["onboarding, standard", onboardingUsage(false, inp), 1000],
    [
      `onboarding, enterprise (+ pipeline run, ${inp.pipelineMinutes} action-min assumed)`,
      onboardingUsage(true, inp),
      1000,
    ],
    [
      "plan change, shared ↔ shared",
      lifecycleUsage("planChange", { change: { changed: true, pipelineAction: "none" } }, inp),
      1000,
    ],
    [
      "plan change, to/from dedicated (pipeline run)",
      lifecycleUsage("planChange", { change: { changed: true, pipelineAction: "deploy" } }, inp, true),
      1000,
    ],
    ["suspension", lifecycleUsage("suspend", { suspension: { proceed: true } }, inp), 1000],
    ["reactivation", lifecycleUsage("reactivate", { reactivation: { proceed: true } }, inp), 1000],
    // Offboarding is two workflows: the cancellation (export, grace period scheduled), then the purge.
    [
      "cancellation (export, purge scheduled)",
      lifecycleUsage("cancel", { cancellation: { proceed: true, dedicatedResources: false } }, inp),
      1000,
    ],
    [
      "offboarding (purge), shared",
      lifecycleUsage("offboard", { offboarding: { dedicatedResources: false } }, inp),
      1000,
    ],
    [
      "offboarding (purge), dedicated (teardown run)",
      lifecycleUsage("offboard", { offboarding: { dedicatedResources: true } }, inp, true),
      1000,
    ],
  ];
  const head =
    "| per 1,000 | transitions | Lambda inv. | Step Functions | Lambda | SQS | DynamoDB | EventBridge | SES | CodePipeline | **total** |\n" +
    "|---|---|---|---|---|---|---|---|---|---|---|";
  const body = rows.map(([name, u, n]) => {
    const c = priceUsage(u);
    const k = (x: number) => usd(x * n);
    return `| ${name} | ${u.stateTransitions} | ${u.invocations.length} | ${k(c.stateTransitions)} | ${k(c.lambda)} | ${k(c.sqs)} | ${k(c.dynamodb)} | ${k(c.eventBridge)} | ${k(c.ses)} | ${k(c.codePipeline)} | **${k(c.total)}** |`;
  });
  const std = priceUsage(onboardingUsage(false, inp)).total * 1000;
  const i = idle();
  const cb = [2, 5].map((m) => codeBuildPerTenant(m) * 1000);
  return [
    `Prices: ${PRICES.region} on-demand, ${PRICES.asOf} (scripts/cost.ts PRICES). Inputs: ${inp.source}.`,
    "",
    head,
    ...body,
    "",
    `Cognito: API calls are not billed; a tenant admin who signs in is 1 MAU (first 10,000 MAU of the account free on Lite/Essentials, then $${PRICES.cognitoMauBeyondFree}/MAU on Essentials). Kubernetes calls have no AWS price (the EKS cluster is a fixed cost).`,
    "",
    `Idle, per tenant per month: DynamoDB storage ${usd(i.storagePerTenant)} (~${STORED_KB_PER_TENANT} KB). Fixed, whatever the number of tenants: reconcile every 5 min ${usd(i.reconcile)}/month (bounded pass), SQS polling by Lambda ${usd(i.polling)}/month.`,
    "",
    `CodeBuild-per-tenant (SaaS Builder Toolkit provisioning, general1.small): ${usd(cb[0] ?? 0)}–${usd(cb[1] ?? 0)} per 1,000 onboardings for the build minutes alone (2–5 min incl. container start-up), before its own Step Functions/Lambda/DynamoDB; Embark standard ${usd(std)} per 1,000, ${((cb[0] ?? 0) / std).toFixed(0)}–${((cb[1] ?? 0) / std).toFixed(0)}× less.`,
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(report(readInputs(process.env.BENCH_RESULTS ?? "bench/results.json")));
}
