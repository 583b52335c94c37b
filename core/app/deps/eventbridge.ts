/** Dependencies backed by EventBridge: the billing bus the webhook puts Stripe events on, the tenants bus. */
import { EventBridgeTenantEvents } from "../../adapters/tenant-events.js";
import { BUSES, requireEnv } from "../resources.js";

export const billingBusName = (env: NodeJS.ProcessEnv) => requireEnv(BUSES.billing.env, env);
/** The embark-tenants bus tenant lifecycle events go to. */
export const events = (env: NodeJS.ProcessEnv) =>
  new EventBridgeTenantEvents(requireEnv(BUSES.tenants.env, env));
