/** Lifecycle step: Revoke cluster access and delete the tenant's namespace, waiting until it is gone (core/lifecycle/steps.ts). */
import { tenants } from "../core/app/deps/dynamodb.js";
import { cluster } from "../core/app/deps/kubernetes.js";
import { lifecycleStep } from "../core/lifecycle/handlers.js";

export const handler = lifecycleStep("deleteNamespace", { tenants, cluster });
