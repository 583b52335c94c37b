/**
 * The AWS resources Embark's functions talk to, by key: the environment variable a function finds each one by
 * (on AWS and in the local cloud alike) and the name the local cloud gives it. The app manifest (manifest.ts)
 * adds who consumes, routes and runs what; this file stays small so a function's bundle carries only names.
 */
import { STATE_MACHINE_NAMES, type StateMachineKey } from "../workflow/names.js";

export const TABLES = {
  tenants: {
    env: "TENANTS_TABLE",
    key: "pk",
    /**
     * Tenant records by status, least recently changed first (only tenant items carry `status`): the reconciler
     * pages one status at a time with a cursor, so a pass never scans the growing table. All attributes.
     */
    indexes: { "by-status": { hashKey: "status", rangeKey: "updatedAt" } },
  },
  plans: { env: "PLANS_TABLE", key: "planId" },
  /** Powertools idempotency records; DynamoDBPersistenceLayer writes their expiry to `expiration`. */
  idempotency: { env: "IDEMPOTENCY_TABLE", key: "id", ttl: "expiration" },
  /** Signup rate-limit counters (core/adapters/rate-limiter.ts), one item per key and window. */
  rateLimits: { env: "RATE_LIMITS_TABLE", key: "pk", ttl: "expiresAt" },
} as const;
export type TableKey = keyof typeof TABLES;
/** A table's global secondary indexes: name → key attributes (strings), every attribute projected. */
export type TableIndexes = Readonly<Record<string, { hashKey: string; rangeKey?: string }>>;
export const tableIndexes = (key: TableKey): TableIndexes =>
  "indexes" in TABLES[key] ? (TABLES[key] as { indexes: TableIndexes }).indexes : {};

export const QUEUES = {
  signups: { env: "SIGNUPS_QUEUE_URL", dlqEnv: "SIGNUPS_DLQ_URL" },
  emails: { env: "EMAILS_QUEUE_URL", dlqEnv: "EMAILS_DLQ_URL" },
  /** Only EventBridge rules send to it: no function needs its URL (its events name customers, not tenants). */
  billing: { env: undefined, dlqEnv: "BILLING_DLQ_URL" },
} as const;
/** Each queue's DLQ URL is there for its consumer, which sends the messages it refuses there with the reason. */
export type QueueKey = keyof typeof QUEUES;

export const BUSES = {
  /** Verified billing events from the webhook. */
  billing: { env: "BILLING_BUS_NAME" },
  /** Tenant lifecycle events for the application plane (docs/events.md). */
  tenants: { env: "TENANT_EVENTS_BUS_NAME" },
} as const;
export type BusKey = keyof typeof BUSES;

export const BUCKETS = {
  /**
   * Tenant exports written at cancellation (design §2, retention): private, encrypted (SSE-KMS on AWS),
   * versioned, objects expiring after the legal retention (stacks/data.ts).
   */
  exports: { env: "EXPORTS_BUCKET_NAME" },
} as const;
export type BucketKey = keyof typeof BUCKETS;

export const STATE_MACHINES = {
  onboarding: { env: "ONBOARDING_STATE_MACHINE_ARN" },
  planChange: { env: "PLAN_CHANGE_STATE_MACHINE_ARN" },
  suspend: { env: "SUSPEND_STATE_MACHINE_ARN" },
  reactivate: { env: "REACTIVATE_STATE_MACHINE_ARN" },
  cancel: { env: "CANCEL_STATE_MACHINE_ARN" },
  restore: { env: "RESTORE_STATE_MACHINE_ARN" },
  offboard: { env: "OFFBOARD_STATE_MACHINE_ARN" },
} as const satisfies Record<keyof typeof STATE_MACHINE_NAMES, { env: string }>;
export type { StateMachineKey };
export const STATE_MACHINE_KEYS = Object.keys(STATE_MACHINES) as StateMachineKey[];

/** Functions other code names by ARN (a user pool's trigger): the variable that carries it. */
export const FUNCTION_REFS = {
  preTokenGeneration: { env: "PRE_TOKEN_GENERATION_FUNCTION_ARN", function: "pre-token-generation" },
} as const;
export type FunctionRefKey = keyof typeof FUNCTION_REFS;

/**
 * One-time EventBridge Scheduler schedules Embark makes at run time, one per tenant (`at(…)`, deleted after
 * they fire): not deployed, so a redeploy never touches one. The deploy makes the role Scheduler assumes to
 * invoke the target function; the names are `<prefix><tenantId>` in the default group.
 */
export const RUNTIME_SCHEDULES = {
  /** A cancelled tenant's purge, at the end of its grace period (design §2, retention). */
  purge: {
    function: "start-purge",
    prefix: "embark-purge-",
    targetEnv: "PURGE_SCHEDULE_TARGET_ARN",
    roleEnv: "PURGE_SCHEDULE_ROLE_ARN",
  },
} as const;
export type RuntimeScheduleKey = keyof typeof RUNTIME_SCHEDULES;

/**
 * The SES configuration set tenant emails (and Cognito's) are sent with, named by SETTINGS.sesConfigurationSet:
 * its event destination puts SES's sending events of these types on the default bus, where the "email-sent"
 * rule (manifest.ts) takes "Email Sent" to record-email-sent (core/mail/sent.ts).
 */
export const MAIL_CONFIGURATION_SET = { eventTypes: ["SEND"], eventDestination: "embark-events" } as const;

/** Stage settings every function gets (names, addresses: nothing secret). */
export const SETTINGS = {
  pipelineName: "PIPELINE_NAME",
  eksClusterName: "EKS_CLUSTER_NAME",
  eksTenantAdminRoleArn: "EKS_TENANT_ADMIN_ROLE_ARN",
  senderEmail: "EMBARK_SENDER_EMAIL",
  appUrl: "EMBARK_APP_URL",
  supportEmail: "EMBARK_SUPPORT_EMAIL",
  sesConfigurationSet: "SES_CONFIGURATION_SET",
  /** The SES identity Cognito mails tenant users through (EmailConfiguration.SourceArn). */
  sesIdentityArn: "SES_IDENTITY_ARN",
  /** Days an offboarded tenant's slug stays reserved (default 365, at least 90). */
  slugReservationDays: "EMBARK_SLUG_RESERVATION_DAYS",
} as const;

/** Secrets, each given only to the functions that name it in their spec. */
export const SECRETS = {
  stripeWebhookSecret: "EMBARK_STRIPE_WEBHOOK_SECRET",
} as const;
export type SecretKey = keyof typeof SECRETS;

/**
 * What a deployed stage publishes for operators' tools (the ops CLI's `--stage`): every resource's deployed
 * name, URL or ARN, as one JSON SSM parameter. SST gives tables and queues generated suffixes, so tools read
 * this instead of guessing names (docs/operations.md).
 */
export const stageResourcesParameter = (stage: string) => `/embark/${stage}/resources`;
export interface StageResources {
  stage: string;
  tables: Record<TableKey, string>;
  queues: Record<QueueKey, string>;
  buses: Record<BusKey, string>;
  stateMachines: Record<StateMachineKey, string>;
}

/** Names in the local cloud: `embark-<key>` (state machines: their contract names, design §4). */
export const LOCAL_NAMES = {
  table: (key: TableKey) => `embark-${key}`,
  queue: (key: QueueKey) => `embark-${key}`,
  bus: (key: BusKey) => `embark-${key}`,
  bucket: (key: BucketKey) => `embark-${key}`,
  stateMachine: (key: StateMachineKey) => STATE_MACHINE_NAMES[key],
  /** Named like the bus Stripe's EventBridge destination creates (`aws.partner/stripe.com/<id>`). */
  stripePartnerBus: "aws.partner/stripe.com/embark-local",
  pipeline: "embark-tenant-pipeline",
  mailConfigurationSet: "embark-mail",
  schedule: (key: string) => `embark-${key}`,
} as const;

/** Every resource's environment variable and its value (a name, URL or ARN; Pulumi outputs on AWS). */
export function resourceEnvironment<V>(of: {
  table(key: TableKey): V;
  queue(key: QueueKey): V;
  deadLetterQueue(key: QueueKey): V;
  bus(key: BusKey): V;
  bucket(key: BucketKey): V;
  stateMachine(key: StateMachineKey): V;
  /** A function's ARN by its manifest name. */
  functionArn(name: string): V;
  /** The role EventBridge Scheduler assumes for a runtime schedule. */
  scheduleRole(key: RuntimeScheduleKey): V;
}): Record<string, V> {
  const env: Record<string, V> = {};
  for (const [k, t] of Object.entries(TABLES)) env[t.env] = of.table(k as TableKey);
  for (const [k, q] of Object.entries(QUEUES)) {
    if (q.env) env[q.env] = of.queue(k as QueueKey);
    env[q.dlqEnv] = of.deadLetterQueue(k as QueueKey);
  }
  for (const [k, b] of Object.entries(BUSES)) env[b.env] = of.bus(k as BusKey);
  for (const [k, b] of Object.entries(BUCKETS)) env[b.env] = of.bucket(k as BucketKey);
  for (const [k, m] of Object.entries(STATE_MACHINES)) env[m.env] = of.stateMachine(k as StateMachineKey);
  for (const f of Object.values(FUNCTION_REFS)) env[f.env] = of.functionArn(f.function);
  for (const [k, r] of Object.entries(RUNTIME_SCHEDULES)) {
    env[r.targetEnv] = of.functionArn(r.function);
    env[r.roleEnv] = of.scheduleRole(k as RuntimeScheduleKey);
  }
  return env;
}

/** The settings' variables for the values given. */
export function settingsEnvironment<V>(values: Partial<Record<keyof typeof SETTINGS, V>>): Record<string, V> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [SETTINGS[k as keyof typeof SETTINGS], v as V]),
  );
}

/** The value of a required variable, or an error naming it. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new Error(`Missing configuration: environment variable ${name} is not set`);
  return value;
}
