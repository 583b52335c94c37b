import { errorInfo } from "../errors.js";
import type { OnboardingStep } from "../tenant/model.js";
import type { TenantStore } from "../tenant/store.js";
import { isRetryableErrorName, StepError, toStepError } from "../workflow/retry.js";

/**
 * Runs one onboarding step with its progress recorded on the tenant: running (attempt counted) → done, or
 * retrying/failed with the error. A step that runs while the tenant is FAILED is a redrive: the tenant goes
 * back to PROVISIONING first. A tenant being offboarded (or gone) gets nothing made for it: a redrive of its old
 * onboarding would otherwise leave resources behind that nothing deletes.
 */
export async function runStep<R>(
  tenants: TenantStore,
  tenantId: string,
  step: OnboardingStep,
  body: () => Promise<R>,
  opts: { doneWhenReturned?: boolean } = {},
): Promise<R> {
  const tenant = await tenants.require(tenantId);
  if (tenant.status === "OFFBOARDING" || tenant.status === "OFFBOARDED") {
    throw new StepError(
      "ValidationError",
      `Tenant ${tenant.slug} is ${tenant.status}: its onboarding does not run`,
    );
  }
  if (tenant.status === "FAILED") await tenants.transition(tenantId, "PROVISIONING", { clearFailure: true });
  await tenants.markStep(tenantId, step, "running", { countAttempt: true });
  try {
    const result = await body();
    if (opts.doneWhenReturned !== false) await tenants.markStep(tenantId, step, "done");
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
