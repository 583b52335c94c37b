import type { WorkflowRunner } from "../ports.js";
import type { TenantStore } from "../tenant/store.js";
import { executionName } from "../workflow/names.js";

/** Starts the tenant's onboarding execution, named `<slug>-onboard-1`; a duplicate message starts nothing new. */
export async function startOnboarding(
  d: { tenants: TenantStore; workflows: WorkflowRunner; onboardingStateMachineArn: string },
  tenantId: string,
): Promise<{ executionArn: string; name: string } | undefined> {
  const tenant = await d.tenants.get(tenantId);
  // A signup discarded after its message was sent has no tenant: nothing to onboard.
  if (!tenant) return undefined;
  const name = executionName(tenant.slug, "onboard", 1);
  const executionArn = await d.workflows.start(d.onboardingStateMachineArn, name, { tenantId });
  return { executionArn, name };
}
