import { errorInfo } from "../errors.js";
import type { OnboardingStep, Tenant } from "../tenant/model.js";
import type { ResourcesPatch, TenantStore } from "../tenant/store.js";
import { isRetryableErrorName, StepError, toStepError } from "../workflow/retry.js";
import type { OnboardingExecution } from "./deps.js";

/**
 * Runs one onboarding step with its progress recorded on the tenant: running (attempt counted) → done, or
 * retrying/failed with the error. A step that runs while the tenant is FAILED is a redrive: the tenant goes
 * back to PROVISIONING first. A tenant being offboarded (or gone) gets nothing made for it: a redrive of its old
 * onboarding would otherwise leave resources behind that nothing deletes.
 *
 * Two writes on the way through (issue 12): "running" also reads the tenant the body gets (UpdateItem returning
 * the record), and "done" also records what `resourcesOf` takes from the result.
 */
export async function runStep<R>(
  d: { tenants: TenantStore; onboarding?: OnboardingExecution },
  tenantId: string,
  step: OnboardingStep,
  body: (tenant: Tenant) => Promise<R>,
  opts: {
    doneWhenReturned?: boolean;
    resourcesOf?: (result: R) => ResourcesPatch;
    /** A step that only reads: marked done as it starts, one write (a failure still marks it failed). */
    readOnly?: boolean;
  } = {},
): Promise<R> {
  const { tenants } = d;
  const startAs = opts.readOnly ? "done" : "running";
  const tenant =
    (await tenants.startStep(tenantId, step, startAs)) ?? (await startTheLongWay(d, tenantId, step, startAs));
  try {
    const result = await body(tenant);
    if (opts.doneWhenReturned !== false && !opts.readOnly) {
      const resources = opts.resourcesOf?.(result);
      await tenants.markStep(tenantId, step, "done", resources ? { resources } : {});
    }
    return result;
  } catch (caught) {
    // Transient AWS errors become TransientError, which the state machine's Retry matches.
    const err = toStepError(caught);
    const info = errorInfo(err);
    const status = isRetryableErrorName(info.name) ? "retrying" : "failed";
    await tenants.markStep(tenantId, step, status, { error: info }).catch(() => {});
    throw err;
  }
}

/** What startStep does not cover: a missing or offboarded tenant (refused), a redrive, an old record. */
async function startTheLongWay(
  { tenants, onboarding }: { tenants: TenantStore; onboarding?: OnboardingExecution },
  tenantId: string,
  step: OnboardingStep,
  startAs: "running" | "done",
): Promise<Tenant> {
  const tenant = await tenants.require(tenantId);
  if (tenant.status === "OFFBOARDING" || tenant.status === "OFFBOARDED") {
    throw new StepError(
      "ValidationError",
      `Tenant ${tenant.slug} is ${tenant.status}: its onboarding does not run`,
    );
  }
  if (tenant.status === "FAILED") {
    // A redrive runs its execution again; a late invocation of the failed one (a Parallel branch still in
    // flight when the other failed, a duplicate Lambda invocation) must not undo the recorded failure and leave
    // the tenant PROVISIONING with nothing running (found by the soak).
    if (onboarding && !(await onboarding.isRunning(tenant.slug))) {
      throw new StepError(
        "TransientError",
        `Tenant ${tenant.slug} is FAILED and its onboarding execution is not running: a late step of the failed run changes nothing`,
      );
    }
    await tenants.transition(tenantId, "PROVISIONING", { clearFailure: true });
  }
  await tenants.markStep(tenantId, step, startAs, { countAttempt: true });
  return tenants.require(tenantId);
}
