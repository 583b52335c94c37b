/**
 * The outside world as Embark's steps see it. Adapters in core/adapters/ implement these over AWS (and so over
 * the local cloud); unit tests use in-memory fakes (test/support/fakes/). The stores' ports live with their
 * domains: core/tenant/store.ts, core/plans/store.ts, core/billing/records.ts.
 */
import type { HistoryEvent } from "@aws-sdk/client-sfn";
import type { RenderedEmail } from "./mail/render.js";

export interface TenantIdentityInput {
  tenantId: string;
  slug: string;
  companyName: string;
  adminEmail: string;
  /** Ids an earlier attempt recorded; the adapter reuses them instead of creating twins. */
  known?: { userPoolId?: string; userPoolClientId?: string };
}

export interface TenantIdentity {
  userPoolId: string;
  userPoolClientId: string;
  adminUsername: string;
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
  /** Sends one email; returns the provider's message id. */
  send(to: string, email: RenderedEmail): Promise<string>;
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
