import type { TenantStore } from "../adapters/tenant-store.js";
import type { Workflows } from "../adapters/workflows.js";
import { executionName } from "../workflow/names.js";

/** Starts the tenant's onboarding execution, named `<slug>-onboard-1`; a duplicate message starts nothing new. */
export async function startOnboarding(
  d: { tenants: TenantStore; workflows: Workflows; stateMachineArn: string },
  tenantId: string,
): Promise<{ executionArn: string; name: string } | undefined> {
  const tenant = await d.tenants.get(tenantId);
  // A signup discarded after its message was sent has no tenant: nothing to onboard.
  if (!tenant) return undefined;
  const name = executionName(tenant.slug, "onboard", 1);
  const executionArn = await d.workflows.start(d.stateMachineArn, name, { tenantId });
  return { executionArn, name };
}
