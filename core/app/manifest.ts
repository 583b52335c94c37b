/**
 * Embark, described once: its functions (what each may call), HTTP routes, queues and their consumers,
 * EventBridge rules and their targets, state machines and the tenant pipeline's variables. stacks/ deploys this
 * to AWS and local/embark/ registers it in the local cloud; neither lists a function, route, queue, rule or
 * variable of its own. Adding a function, route or queue is one entry here (resources.ts for a new table, queue,
 * bus or state machine).
 */
import { billingEventsPattern, onboardingEndedPattern } from "../billing/patterns.js";
import { cancelDefinition } from "../lifecycle/cancel.js";
import { offboardDefinition } from "../lifecycle/offboard.js";
import { planChangeDefinition } from "../lifecycle/plan-change.js";
import { reactivateDefinition } from "../lifecycle/reactivate.js";
import { restoreDefinition } from "../lifecycle/restore.js";
import { LIFECYCLE_STEP_TABLE } from "../lifecycle/step-table.js";
import { suspendDefinition } from "../lifecycle/suspend.js";
import { emailSentPattern } from "../mail/sent.js";
import { pipelineStateChangePattern } from "../onboarding/pipeline-callback.js";
import { ONBOARDING_STEP_TABLE } from "../onboarding/step-table.js";
import { onboardingDefinition } from "../onboarding/workflow.js";
import type { StateMachineDefinition } from "../workflow/asl.js";
import { executionFailedPattern } from "../workflow/failure-events.js";
import type { WorkflowRefs } from "../workflow/task.js";
import {
  anyResource,
  codepipeline,
  deadLetters,
  dynamodb,
  eks,
  executions,
  idempotencyRecords,
  passScheduleRole,
  planLookup,
  putEvents,
  queryIndex,
  runtimeSchedules,
  sendEmail,
  sendToQueue,
  startExecution,
  taskCallbacks,
  tenantProgress,
  userPools,
} from "./access.js";
import type { FunctionSpec, StepFunctionSpec } from "./function-spec.js";
import { type QueueKey, RUNTIME_SCHEDULES, STATE_MACHINE_KEYS, type StateMachineKey } from "./resources.js";

const LIFECYCLE_MACHINES = STATE_MACHINE_KEYS.filter((k) => k !== "onboarding");

type StepTable = Record<string, { label?: string; function?: StepFunctionSpec }>;
type StepFunctions<T extends StepTable> = {
  [K in keyof T as T[K] extends { function: { name: infer N extends string } } ? N : never]: FunctionSpec;
};

/** The functions of a step table, keyed by their Lambda names. */
function stepFunctions<T extends StepTable>(table: T): StepFunctions<T> {
  return Object.fromEntries(
    Object.values(table).flatMap((step) => {
      if (!step.function) return [];
      const { name, input: _input, idempotencyKey: _key, ...spec } = step.function;
      return [[name, spec]];
    }),
  ) as StepFunctions<T>;
}

const asSteps = <T extends Record<string, StepFunctionSpec>>(table: T) =>
  Object.fromEntries(Object.entries(table).map(([k, f]) => [k, { function: f }])) as {
    [K in keyof T]: { function: T[K] };
  };

export const FUNCTIONS = {
  "signup-intake": {
    description: "POST /signups",
    timeoutSeconds: 10,
    access: [
      planLookup,
      dynamodb("tenants", "PutItem", "DeleteItem"), // TenantStore.create (slug claim + tenant), discard
      dynamodb("rateLimits", "UpdateItem"), // one conditional counter per limit (core/signup/rate-limit.ts)
      sendToQueue("signups"),
      idempotencyRecords, // Idempotency-Key
    ],
  },
  "tenant-status": {
    description: "GET /tenants/{id}",
    timeoutSeconds: 10,
    access: [dynamodb("tenants", "GetItem")],
  },
  "signup-page": { description: "GET / (the signup page)", timeoutSeconds: 10, access: [] },
  "login-page": { description: "GET /login (the tenant sign-in page)", timeoutSeconds: 10, access: [] },
  "tenant-sign-in": {
    description: "GET /tenants/{slug}/sign-in (the tenant's user pool and app client ids)",
    timeoutSeconds: 10,
    access: [dynamodb("tenants", "GetItem")],
  },
  "pre-token-generation": {
    description: "Cognito trigger: the tenant's id, slug and plan as claims in every token",
    // Cognito waits 5 s for a trigger, then fails the sign-in.
    timeoutSeconds: 5,
    access: [dynamodb("tenants", "GetItem")], // the pool's link, then the tenant
    invokedBy: "cognito-idp",
  },
  "plan-catalog": { description: "GET /plans", timeoutSeconds: 10, access: [dynamodb("plans", "Scan")] },
  "slug-availability": {
    description: "GET /slugs/{slug}",
    timeoutSeconds: 10,
    access: [dynamodb("tenants", "GetItem")],
  },
  "onboarding-starter": {
    description: "signups queue → StartExecution",
    timeoutSeconds: 30,
    access: [
      dynamodb("tenants", "GetItem"),
      startExecution("onboarding"),
      // Workflows.start: a finished duplicate answers ExecutionAlreadyExists; its input tells if it is ours.
      executions(["DescribeExecution"], "onboarding"),
    ],
  },
  ...stepFunctions(ONBOARDING_STEP_TABLE),
  "pipeline-callback": {
    description: "pipeline state change → task callback",
    timeoutSeconds: 30,
    access: [
      // + the waiters: read (GetItem), deleted once answered (DeleteItem)
      dynamodb("tenants", "GetItem", "UpdateItem", "DeleteItem"),
      codepipeline("GetPipelineExecution"),
      taskCallbacks("SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat"),
    ],
  },
  "record-failure": {
    description: "execution failed → tenant FAILED",
    timeoutSeconds: 30,
    // + BillingRecords.recordWorkflowFailure (an UpdateItem); publishes "Tenant Onboarding Failed".
    access: [
      tenantProgress,
      executions(["GetExecutionHistory"], ...STATE_MACHINE_KEYS),
      putEvents("tenants"),
    ],
  },
  mailer: {
    description: "emails queue → SES",
    timeoutSeconds: 30,
    access: [tenantProgress, planLookup, sendEmail(), idempotencyRecords],
  },
  "record-email-sent": {
    description: "SES Email Sent → the tenant record notes the email (the mailer never sends it again)",
    timeoutSeconds: 10,
    access: [dynamodb("tenants", "UpdateItem")],
  },
  "billing-intake": {
    description: "POST /billing/webhook → billing bus",
    timeoutSeconds: 10,
    access: [putEvents("billing")],
    secrets: ["stripeWebhookSecret"],
  },
  "billing-router": {
    description: "billing queue → onboarding / lifecycle workflows",
    timeoutSeconds: 30,
    access: [
      dynamodb("tenants", "GetItem", "PutItem", "UpdateItem", "DeleteItem"), // BillingRecords + submitSignup
      planLookup,
      sendToQueue("signups"), // a checkout for a new customer signs up
      startExecution(...LIFECYCLE_MACHINES),
      executions(["DescribeExecution"], ...LIFECYCLE_MACHINES),
      idempotencyRecords, // once per Stripe event id
    ],
  },
  ...stepFunctions(asSteps(LIFECYCLE_STEP_TABLE)),
  "start-purge": {
    description: "purge schedule (one-time, at purgeAfter) → the Offboard execution, once",
    timeoutSeconds: 30,
    access: [
      dynamodb("tenants", "GetItem"),
      startExecution("offboard"),
      executions(["DescribeExecution"], "offboard"), // Workflows.start: a finished duplicate
      runtimeSchedules("purge", "CreateSchedule", "UpdateSchedule"), // not due yet (grace extended): re-armed
      passScheduleRole("purge"),
    ],
  },
  reconcile: {
    description: "schedule → keeps every tenant's status true (design §2)",
    // A pass is bounded (core/reconcile/settings.ts); the margin covers a slow cluster or a throttled API.
    timeoutSeconds: 300,
    access: [
      // Tenants by status; the cursor (PutItem); records, transitions and resources (UpdateItem); statuses of
      // the tenants swept resources name (BatchGetItem).
      dynamodb("tenants", "GetItem", "PutItem", "UpdateItem", "BatchGetItem"),
      queryIndex("tenants", "by-status"),
      dynamodb("plans", "Scan"),
      startExecution("onboarding", "offboard"), // an overdue purge (CANCELLED past purgeAfter)
      executions(["DescribeExecution", "RedriveExecution", "GetExecutionHistory"], "onboarding", "offboard"),
      // Billing events left parked after onboarding (a lost status-change event): applied as the router would.
      startExecution(...LIFECYCLE_MACHINES),
      executions(["DescribeExecution"], ...LIFECYCLE_MACHINES),
      // CANCELLED tenants' purge timers: read, and made again when lost.
      runtimeSchedules("purge", "GetSchedule", "CreateSchedule", "UpdateSchedule"),
      passScheduleRole("purge"),
      userPools(
        "DescribeUserPool",
        "DescribeUserPoolClient",
        "ListUserPoolClients",
        "CreateUserPoolClient",
        "DeleteUserPoolClient",
        "DeleteUserPool",
        "ListUsers", // a CANCELLED tenant's users must all be disabled
        "AdminDisableUser",
        "AdminEnableUser", // setUsersEnabled is one method; the reconciler only ever disables
      ),
      anyResource(
        "the orphan sweep lists the account's pools (one page per pass)",
        "cognito-idp:ListUserPools",
      ),
      eks("DescribeCluster"),
      codepipeline("GetPipelineExecution", "StopPipelineExecution"),
      ...(["signups", "emails"] as const).map((q) =>
        deadLetters(q, "GetQueueAttributes", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility"),
      ),
      putEvents("tenants"), // lifecycle events a crash left in a tenant's outbox
    ],
  },
} satisfies Record<string, FunctionSpec>;
export type FunctionName = keyof typeof FUNCTIONS;
export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];

/** The public HTTP API (API Gateway v2, payload format 2.0). */
export const ROUTES = {
  "POST /signups": "signup-intake",
  "GET /tenants/{id}": "tenant-status",
  "GET /": "signup-page",
  "GET /plans": "plan-catalog",
  "GET /slugs/{slug}": "slug-availability",
  "GET /login": "login-page",
  "GET /tenants/{slug}/sign-in": "tenant-sign-in",
  "POST /billing/webhook": "billing-intake",
} as const satisfies Record<string, FunctionName>;
/** Routes anyone on the internet can call without a signature: throttled harder on AWS. */
export const PUBLIC_WRITE_ROUTES: readonly (keyof typeof ROUTES)[] = ["POST /signups"];

export interface WorkQueueSpec {
  consumer: FunctionName;
  /** Event source mapping: records per invocation, seconds to gather them. */
  batchSize: number;
  maximumBatchingWindowSeconds: number;
}

/** Every queue has a DLQ and one consuming function (partial batch failures). */
export const WORK_QUEUES = {
  signups: { consumer: "onboarding-starter", batchSize: 10, maximumBatchingWindowSeconds: 0 },
  emails: { consumer: "mailer", batchSize: 10, maximumBatchingWindowSeconds: 0 },
  // A second's window puts a burst of one customer's events (Stripe sends several per checkout) into one
  // batch, which the router applies in `created` order.
  billing: { consumer: "billing-router", batchSize: 10, maximumBatchingWindowSeconds: 1 },
} as const satisfies Record<QueueKey, WorkQueueSpec>;

/** Deliveries before a message goes to the queue's DLQ. */
export const MAX_RECEIVE_COUNT = 4;
/** SQS visibility timeout of a queue: 6× its consumer's timeout, as AWS recommends. */
export const visibilityTimeoutFor = (queue: QueueKey) =>
  FUNCTIONS[WORK_QUEUES[queue].consumer].timeoutSeconds * 6;

/** What rule patterns refer to, resolved by whoever deploys them. */
export interface RuleRefs {
  pipelineName: string;
  /** The SES configuration set tenant emails are sent with. */
  mailConfigurationSet: string;
  stateMachineArn(key: StateMachineKey): string;
}

/** `default` is the account's default bus; `stripePartner` Stripe's partner event bus, where configured. */
export type RuleBus = "default" | "billing" | "stripePartner";

export interface RuleSpec {
  description: string;
  /** Default: the default bus. One rule per bus, with the same pattern. */
  buses?: readonly RuleBus[];
  pattern(refs: RuleRefs): object;
  target: { function: FunctionName } | { queue: QueueKey };
}

export const RULES = {
  "pipeline-state-change": {
    description: "pipeline run state changes → pipeline-callback",
    pattern: (r) => pipelineStateChangePattern(r.pipelineName),
    target: { function: "pipeline-callback" },
  },
  "onboarding-failed": {
    description: "failed/timed-out/aborted onboarding → record-failure",
    pattern: (r) => executionFailedPattern([r.stateMachineArn("onboarding")]),
    target: { function: "record-failure" },
  },
  "lifecycle-failed": {
    description: "failed lifecycle executions → record-failure",
    pattern: (r) => executionFailedPattern(LIFECYCLE_MACHINES.map((k) => r.stateMachineArn(k))),
    target: { function: "record-failure" },
  },
  "billing-events": {
    description: "billing events (webhook, Stripe partner source) → billing queue",
    buses: ["billing", "stripePartner"],
    pattern: () => billingEventsPattern(),
    target: { queue: "billing" },
  },
  "email-sent": {
    description: "SES sent a tenant email (configuration set's EventBridge destination) → record-email-sent",
    pattern: (r) => emailSentPattern(r.mailConfigurationSet),
    target: { function: "record-email-sent" },
  },
  "onboarding-ended": {
    description: "onboarding ended → billing queue (parked billing events)",
    pattern: (r) => onboardingEndedPattern(r.stateMachineArn("onboarding")),
    target: { queue: "billing" },
  },
} as const satisfies Record<string, RuleSpec>;
export type RuleName = keyof typeof RULES;

export interface ScheduleSpec {
  description: string;
  /** An EventBridge Scheduler expression, UTC: `rate(…)`, `cron(…)` or `at(…)`. Flexible time window off. */
  expression: string;
  /** The function invoked (asynchronously) and the event it gets. */
  target: { function: FunctionName; input: Record<string, unknown> };
}

/** EventBridge Scheduler schedules (stacks/schedules.ts on AWS; local/scheduler/ in the local cloud). */
export const SCHEDULES = {
  reconcile: {
    description: "a reconcile pass (design §2: status truth)",
    expression: "rate(5 minutes)",
    target: { function: "reconcile", input: {} },
  },
} as const satisfies Record<string, ScheduleSpec>;
export type ScheduleName = keyof typeof SCHEDULES;

/** Functions invoked asynchronously by rules and schedules (Lambda's own retries, then the events DLQ on AWS). */
export const ASYNC_FUNCTIONS: readonly FunctionName[] = [
  ...new Set([
    ...Object.values(RULES as Record<string, RuleSpec>).flatMap((r) =>
      "function" in r.target ? [r.target.function] : [],
    ),
    ...Object.values(SCHEDULES as Record<string, ScheduleSpec>).map((s) => s.target.function),
    ...Object.values(RUNTIME_SCHEDULES).map((s) => s.function),
  ]),
];

/** The state machines' definitions (design §1, §2): Standard workflows, JSONPath ASL. */
export const STATE_MACHINE_DEFINITIONS: Readonly<
  Record<StateMachineKey, (refs: WorkflowRefs) => StateMachineDefinition>
> = {
  onboarding: onboardingDefinition,
  planChange: planChangeDefinition,
  suspend: suspendDefinition,
  reactivate: reactivateDefinition,
  cancel: cancelDefinition,
  restore: restoreDefinition,
  offboard: offboardDefinition,
};

/** Variables every tenant pipeline run gets; the user's pipeline must declare them. */
export const PIPELINE_VARIABLES = ["TENANT_ID", "TENANT_SLUG", "TENANT_PLAN", "TENANT_ACTION"] as const;
/**
 * Declared defaults: TENANT_ACTION is `deploy` (onboarding, a plan change to dedicated resources) or
 * `teardown` (a plan change away from them, offboarding); runs that do not pass it deploy.
 */
export const PIPELINE_VARIABLE_DEFAULTS: Partial<Record<(typeof PIPELINE_VARIABLES)[number], string>> = {
  TENANT_ACTION: "deploy",
};

/** Functions that talk to the Kubernetes API (they describe the cluster): each gets an EKS access entry. */
export const CLUSTER_FUNCTIONS = FUNCTION_NAMES.filter((name) =>
  (FUNCTIONS[name] as FunctionSpec).access.some((a) => a.actions.includes("eks:DescribeCluster")),
);
