/**
 * The outside world as Embark's steps see it. Adapters in core/adapters/ implement these over AWS (and so over
 * the local cloud); unit tests use in-memory fakes (test/support/fakes/). The stores' ports live with their
 * domains: core/tenant/store.ts, core/plans/store.ts, core/billing/records.ts.
 */
import type { HistoryEvent } from "@aws-sdk/client-sfn";
import type { RenderedEmail } from "./mail/render.js";
import type { TenantEvent } from "./tenant/events.js";

export interface TenantIdentityInput {
  tenantId: string;
  slug: string;
  companyName: string;
  adminEmail: string;
  /** Ids an earlier attempt recorded; the adapter reuses them instead of creating twins. */
  known?: { userPoolId?: string; userPoolClientId?: string };
  /** The invitation Cognito emails the admin (core/plans/invitation.ts); `{####}` is its temporary password. */
  invitation: { subject: string; html: string };
  /** How the pool signs users in and mails them; applied to new and existing pools alike. */
  settings: PoolSettings;
}

/** The sign-in settings Embark keeps every tenant pool at (design §1, "Sign-in"). */
export interface PoolSettings {
  /** The pre-token-generation trigger that puts the tenant's claims in tokens (V2: ID and access token). */
  preTokenGenerationArn?: string;
  /** Cognito mails through Embark's SES identity (EmailSendingAccount DEVELOPER), in Embark's wording. */
  mail?: { sourceArn: string; from: string; configurationSet?: string };
}

export interface TenantIdentity {
  userPoolId: string;
  userPoolClientId: string;
  adminUsername: string;
}

/** A user as the tenant export holds it (Cognito cannot export password hashes: there are none here). */
export interface ExportedUser {
  username: string;
  enabled: boolean;
  status?: string;
  createdAt?: string;
  attributes: Record<string, string>;
  groups: string[];
}

/** Where tenant exports are written (S3 on AWS and in the local cloud): objects by key, private. */
export interface ExportStore {
  readonly bucket: string;
  /** Writes the object (a retry writes the same key again: S3 keeps the newest, versioning the older). */
  put(key: string, body: string, contentType: string): Promise<void>;
}

export interface IdentityProvisioner {
  /**
   * Creates (or finds) the tenant's user pool, app client, `admins` group and admin user. CreateUserPool is
   * not idempotent on AWS, so `onPoolCreated` is called right after a pool is created so the caller can record
   * its id before anything else can fail.
   */
  ensureTenantIdentity(
    input: TenantIdentityInput,
    onPoolCreated: (userPoolId: string) => Promise<void>,
  ): Promise<TenantIdentity>;
  /** Blocks sign-in for every user of the pool (suspend) or restores it (reactivate). */
  setUsersEnabled(userPoolId: string, enabled: boolean): Promise<void>;
  /** Deletes the pool (offboard); a pool that is already gone is fine. */
  deleteTenantIdentity(userPoolId: string): Promise<void>;
  /** Every user of the pool with attributes, groups and enabled state (never a password: none can be read). */
  exportUsers(userPoolId: string): Promise<ExportedUser[]>;
  /** Pools tagged with this tenant id (used to prove nothing is orphaned). */
  findPoolsForTenant(tenantId: string): Promise<string[]>;
}

export interface ClusterProvisioner {
  /** Server-side applies the objects (field manager "embark"); re-applying the same objects is a no-op. */
  apply(objects: ReadonlyArray<Record<string, unknown>>): Promise<void>;
  /** Grants the tenant's admins access scoped to their namespace (EKS access entry; nothing to do locally). */
  grantNamespaceAccess(input: { slug: string; namespace: string }): Promise<void>;
  /** Takes that access away again (offboarding). */
  revokeNamespaceAccess(input: { slug: string; namespace: string }): Promise<void>;
  /** Deletes the namespace and waits until it is gone (cascade). */
  deleteNamespace(namespace: string): Promise<void>;
  namespaceExists(namespace: string): Promise<boolean>;
  /** Deletes every pod in the namespace (a cancelled tenant's workloads stop); returns how many. */
  evictPods(namespace: string): Promise<number>;
}

export type PipelineRunStatus =
  | "InProgress"
  | "Succeeded"
  | "Failed"
  | "Stopped"
  | "Stopping"
  | "Superseded"
  | "Cancelled";

/** The tenant deployment pipeline (CodePipeline V2, run with TENANT_* variables). */
export interface PipelineRunner {
  readonly pipelineName: string;
  /** Starts a run; the same clientRequestToken returns the same run (a retried start is not a second deploy). */
  start(input: { variables: Record<string, string>; clientRequestToken: string }): Promise<string>;
  /** A run's resolved variables (TENANT_ID names the tenant it deploys); none for a run the pipeline does not know. */
  variables(executionId: string): Promise<Record<string, string>>;
  status(executionId: string): Promise<{ status: PipelineRunStatus; summary?: string }>;
}

/** Answers a Step Functions task that waits with .waitForTaskToken. */
export interface TaskCallbacks {
  /** Each returns false when the task no longer waits (answered, timed out or its execution ended). */
  succeed(taskToken: string, output: unknown): Promise<boolean>;
  fail(taskToken: string, error: string, cause: string): Promise<boolean>;
  /** Keeps a task with HeartbeatSeconds alive while its pipeline runs. */
  heartbeat(taskToken: string): Promise<boolean>;
}

/** Starts and inspects state machine executions. */
export interface WorkflowRunner {
  /** Starts an execution by name; a duplicate start (same name and input) returns the existing ARN. */
  start(stateMachineArn: string, name: string, input: unknown): Promise<string>;
  history(executionArn: string): Promise<HistoryEvent[]>;
}

/** A queue that takes JSON messages. */
export interface MessageQueue {
  send(body: unknown): Promise<string | undefined>;
}

/** A received message no retry can help (not JSON, not the expected shape). */
export interface RejectedMessage {
  messageId: string;
  body: string;
}

/**
 * A consumer's dead-letter queue, for messages it refuses outright: they go there at once with the reason,
 * instead of being received again and again until the queue's redrive moves them without one.
 */
export interface DeadLetters {
  reject(message: RejectedMessage, reason: string): Promise<void>;
}

export interface MailSender {
  /**
   * Sends one email; returns the provider's message id. `tags` name the email in SES's sending events
   * (core/mail/sent.ts).
   */
  send(to: string, email: RenderedEmail, tags?: Record<string, string>): Promise<string>;
}

/** The bus the application plane subscribes to for tenant lifecycle events (docs/events.md). */
export interface TenantEventPublisher {
  /** Puts one event on the bus; throws when the bus did not take it (the caller retries). */
  publish(event: TenantEvent): Promise<void>;
}

// What the reconciler (core/reconcile) reads and repairs beyond the provisioning ports above. Each is
// implemented by the same adapter as its provisioning port, kept apart so a step's fakes need not grow.

/** A user pool as the reconciler sees it. */
export interface PoolFacts {
  id: string;
  name?: string;
  /** The tenant id the pool's name says it was made for (`embark-tenant-<id>`), if it is named like Embark's. */
  namedFor?: string;
  /** The `embark:tenant-id` tag, and whether `embark:managed-by` says it is Embark's. */
  tenantId?: string;
  managedByEmbark: boolean;
  created?: Date;
}

export interface IdentityInspector {
  /** DescribeUserPool on a known id (never a listing): undefined when the pool does not exist. */
  describePool(userPoolId: string): Promise<PoolFacts | undefined>;
  /** How many of the pool's users are enabled (ListUsers, paged): a cancelled tenant's must be none. */
  enabledUsers(userPoolId: string): Promise<number>;
  appClientExists(userPoolId: string, clientId: string): Promise<boolean>;
  /** The pool's `embark-app` client: the known one, else one found by name, else a new one. */
  ensureAppClient(userPoolId: string, knownClientId?: string): Promise<string>;
  /**
   * One page of the account's pools (ListUserPools: paged at 60 and rate-limited on AWS, so only the orphan
   * sweep calls it, once per pass). No tags: names only.
   */
  listPools(page: { token?: string; max: number }): Promise<{ pools: PoolFacts[]; next?: string }>;
}

/** Which Kubernetes object: kind, group version, name and namespace. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

/** A live Kubernetes object as the API server returns it. */
export type LiveObject = Record<string, unknown> & {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; deletionTimestamp?: string };
};

export interface ClusterInspector {
  /** The live objects for `objects`, in the same order; undefined where one is missing. */
  read(objects: readonly ObjectRef[]): Promise<Array<LiveObject | undefined>>;
  /**
   * One page of the namespaces labelled as Embark's (label selector; only one tenant's with `tenantId`), with
   * the tenant id they are labelled with.
   */
  listManagedNamespaces(page: { limit: number; continue?: string; tenantId?: string }): Promise<{
    namespaces: Array<{ name: string; tenantId?: string; created?: Date; terminating: boolean }>;
    continue?: string;
  }>;
  /** Starts a namespace's deletion without waiting for the cascade (a gone namespace is fine). */
  startNamespaceDelete(namespace: string): Promise<void>;
  /** Deletes one namespaced object (a gone one is fine): for drift an apply cannot undo. */
  remove(object: ObjectRef): Promise<void>;
}

export type ExecutionStatus =
  | "RUNNING"
  | "SUCCEEDED"
  | "FAILED"
  | "TIMED_OUT"
  | "ABORTED"
  | "PENDING_REDRIVE";

export interface ExecutionFacts {
  executionArn: string;
  status: ExecutionStatus;
  startDate?: Date;
  stopDate?: Date;
  error?: string;
  cause?: string;
  redriveCount: number;
}

export interface ExecutionInspector {
  /** DescribeExecution by state machine and name: undefined when there is no such execution. */
  describe(stateMachineArn: string, name: string): Promise<ExecutionFacts | undefined>;
  /** Resumes a FAILED, TIMED_OUT or ABORTED Standard execution at the state it stopped in. */
  redrive(executionArn: string): Promise<void>;
}

export interface PipelineControl {
  /** Stops a run in progress, abandoning its current actions (a run already finished is fine). */
  stop(executionId: string, reason: string): Promise<void>;
}

/** A message in a dead-letter queue. */
export interface DeadLetter {
  body: unknown;
  receipt: string;
  sentAt?: Date;
}

/** A work queue's dead-letter queue, as the reconciler's sweep reads it. */
export interface DeadLetterQueue {
  readonly name: string;
  /** Approximate number of messages (visible and in flight). */
  depth(): Promise<number>;
  /** Receives up to `max` messages, hidden from other readers for `hideSeconds`. */
  receive(max: number, hideSeconds: number): Promise<DeadLetter[]>;
  remove(receipt: string): Promise<void>;
  /** Makes a received message visible again at once. */
  release(receipt: string): Promise<void>;
}

/** One counted attempt against a limit: taken, or refused until the window ends. */
export type RateLimitTake = { ok: true; count: number } | { ok: false; retryAfterSeconds: number };

/**
 * Fixed-window counters shared by every instance of a function (a Lambda's memory is not): `take` counts one
 * attempt for `key` in the window holding `now`, unless `limit` attempts were already counted there.
 */
export interface RateLimiter {
  take(key: string, limit: number, windowSeconds: number, now: Date): Promise<RateLimitTake>;
}

/** What a purge schedule fires with: the tenant and the cancellation it purges for. */
export interface PurgeTarget {
  tenantId: string;
  eventId: string;
}

/**
 * A cancelled tenant's purge timer (design §2, retention): one EventBridge Scheduler one-time schedule per
 * tenant, `at(<purgeAfter>)`, invoking `start-purge`. Durable, outside any deployment and any execution.
 */
export interface PurgeSchedules {
  /** Creates the tenant's schedule, or moves it to `at` with `target` (idempotent). */
  schedule(at: Date, target: PurgeTarget): Promise<void>;
  /** Deletes it; one that is gone (fired, or never made) is fine. */
  cancel(tenantId: string): Promise<void>;
  /** When it fires and for which cancellation; undefined when there is none. */
  describe(tenantId: string): Promise<{ at: string; target: PurgeTarget } | undefined>;
}
