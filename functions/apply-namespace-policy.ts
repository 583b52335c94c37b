/** Lifecycle step: Server-side apply the plan's quota and limits (zero pods while suspended) (core/lifecycle/steps.ts). */
import { plans, tenants } from "../core/app/deps/dynamodb.js";
import { cluster } from "../core/app/deps/kubernetes.js";
import { lifecycleStep } from "../core/lifecycle/handlers.js";

export const handler = lifecycleStep("applyNamespacePolicy", { tenants, plans, cluster });
