/**
 * Dependencies backed by DynamoDB: the tenant store, the plan store, the billing records (tenants table) and the
 * signup rate limiter (rate-limits table).
 */
import { DynamoBillingRecords } from "../../adapters/billing-records.js";
import { documentClient } from "../../adapters/dynamo.js";
import { DynamoPlanStore } from "../../adapters/plan-store.js";
import { DynamoRateLimiter } from "../../adapters/rate-limiter.js";
import { DynamoReconcileStore } from "../../adapters/reconcile-store.js";
import { DynamoTenantStore } from "../../adapters/tenant-store.js";
import { requireEnv, TABLES } from "../resources.js";

export const tenants = (env: NodeJS.ProcessEnv) => DynamoTenantStore.fromEnvironment(env);
export const plans = (env: NodeJS.ProcessEnv) => DynamoPlanStore.fromEnvironment(env);
export const records = (env: NodeJS.ProcessEnv) =>
  new DynamoBillingRecords(documentClient(), requireEnv(TABLES.tenants.env, env));
/** The reconciler's own items (its cursor, orphans seen) in the tenants table. */
export const reconcileStore = (env: NodeJS.ProcessEnv) => DynamoReconcileStore.fromEnvironment(env);
export const rateLimiter = (env: NodeJS.ProcessEnv) =>
  new DynamoRateLimiter(documentClient(), requireEnv(TABLES.rateLimits.env, env));
