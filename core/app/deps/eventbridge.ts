/** Dependencies backed by EventBridge: the billing bus the webhook puts Stripe events on. */
import { BUSES, requireEnv } from "../resources.js";

export const billingBusName = (env: NodeJS.ProcessEnv) => requireEnv(BUSES.billing.env, env);
