/**
 * Where tenant records live (design §2). The DynamoDB adapter is core/adapters/tenant-store.ts; unit tests use
 * test/support/fakes/tenant-store.ts. Status changes are conditional: a duplicate or late event never moves a
 * tenant backwards.
 */
import type { TenantEventCause } from "./events.js";
import type { OnboardingStep, StepProgress, Tenant, TenantExport } from "./model.js";
import type { TenantStatus } from "./status.js";

export type ResourcesPatch = Partial<Tenant["resources"]>;

export interface TenantStore {
  /**
   * Claims the slug, then writes the tenant. Re-running it for the same tenant is harmless; a slug held by
   * another tenant raises SlugTakenError.
   */
  create(tenant: Tenant): Promise<void>;
  /** Undoes create() when the signup could not be handed on (nothing else refers to the tenant yet). */
  discard(tenant: Pick<Tenant, "tenantId" | "slug">): Promise<void>;
  get(tenantId: string): Promise<Tenant | undefined>;
  /** The tenant, or TenantNotFoundError. */
  require(tenantId: string): Promise<Tenant>;
  getBySlug(slug: string): Promise<Tenant | undefined>;
  /**
   * An offboarded tenant's slug claim is kept until `until` (design §2): before then no signup may take the
   * slug; after it, create() of another tenant takes the claim over. Only the tenant holding the claim sets it.
   */
  reserveSlug(slug: string, tenantId: string, until: string): Promise<void>;
  /** Whether a new tenant may claim the slug now (no claim, or an offboarded tenant's reservation is over). */
  slugFree(slug: string, now?: Date): Promise<boolean>;
  /** Remembers which tenant a user pool belongs to (its tokens' claims are looked up by pool). */
  linkUserPool(userPoolId: string, tenantId: string): Promise<void>;
  /** The tenant a user pool belongs to. */
  getByUserPool(userPoolId: string): Promise<Tenant | undefined>;
  /** Forgets the link of a deleted pool (offboarding keeps nothing of the tenant's identity). */
  unlinkUserPool(userPoolId: string): Promise<void>;
  /** All tenants (newest first), optionally of one status: an operator's list, not a hot path. */
  list(filter?: { status?: TenantStatus }): Promise<Tenant[]>;
  /**
   * Records a step's progress; `countAttempt` adds one to its attempts (a step starting again); `resources` are
   * recorded in the same write (a step's result and its "done" are one write).
   */
  markStep(
    tenantId: string,
    step: OnboardingStep,
    status: StepProgress["status"],
    opts?: { countAttempt?: boolean; error?: { name: string; message: string }; resources?: ResourcesPatch },
  ): Promise<void>;
  /**
   * Starts a step in one write: marks it running (an attempt counted) and returns the tenant as written, so the
   * step reads nothing else. Undefined, writing nothing, when that is not the whole story: the tenant is missing,
   * FAILED (a redrive moves it back first), OFFBOARDING or OFFBOARDED, or has no progress for the step yet.
   * `done` for a step that only reads: started and finished in the one write.
   */
  startStep(tenantId: string, step: OnboardingStep, status?: "running" | "done"): Promise<Tenant | undefined>;
  setResources(tenantId: string, patch: ResourcesPatch): Promise<void>;
  /** Records where the tenant's export is (written at cancellation; kept after the purge). */
  recordExport(tenantId: string, exported: TenantExport): Promise<void>;
  /**
   * Records that SES sent the tenant's email `key` (core/mail/sent.ts) in one write; the first send recorded
   * stays. TenantNotFoundError for an unknown tenant.
   */
  recordEmailSent(tenantId: string, key: string, sent: { messageId: string; at: string }): Promise<void>;
  /**
   * Moves the tenant to `to` if its current status allows it, appending the lifecycle event the move publishes
   * (core/tenant/events.ts) to the outbox in the same write. Returns false when it is already there
   * (a duplicate); throws IllegalTransitionError for anything else.
   */
  transition(
    tenantId: string,
    to: TenantStatus,
    extra?: {
      failure?: Tenant["failure"];
      clearFailure?: boolean;
      set?: Record<string, unknown>;
      cause?: TenantEventCause;
      /** The tenant as the caller just read it: the first attempt writes on it without reading again. */
      current?: Tenant;
      /** Steps whose progress changes in the same write (e.g. the step making the transition is done). */
      steps?: Partial<Record<OnboardingStep, StepProgress["status"]>>;
    },
  ): Promise<boolean>;
  /**
   * Removes the oldest outbox event once published; false when another drain removed it first. `doneStep` is
   * marked done in the same write (the drain's last event).
   */
  removePublishedEvent(tenantId: string, eventId: string, doneStep?: OnboardingStep): Promise<boolean>;

  // Task tokens are kept apart from the tenant record so they never reach it, Step Functions state or logs.
  /** The task token the tenant's onboarding pipeline step waits with (replaced on a retry or redrive). */
  putPipelineWaiter(tenantId: string, taskToken: string): Promise<void>;
  getPipelineWaiter(tenantId: string): Promise<string | undefined>;
  deletePipelineWaiter(tenantId: string): Promise<void>;
  /** The task token a lifecycle workflow waits with on one pipeline run. */
  putRunWaiter(pipelineExecutionId: string, waiter: { tenantId: string; taskToken: string }): Promise<void>;
  getRunWaiter(pipelineExecutionId: string): Promise<{ tenantId: string; taskToken: string } | undefined>;
  deleteRunWaiter(pipelineExecutionId: string): Promise<void>;
  /** The pipeline run a lifecycle execution started (keyed by the execution name), so a retry reuses it. */
  getLifecycleRun(runKey: string): Promise<{ pipelineExecutionId: string } | undefined>;
  putLifecycleRun(
    runKey: string,
    run: { pipelineExecutionId: string; tenantId: string; action: string },
  ): Promise<void>;
}
