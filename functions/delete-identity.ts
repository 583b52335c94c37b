/** Lifecycle step: Delete the tenant's user pool(s) (core/lifecycle/steps.ts). */
import { lifecycleStep } from "../core/lifecycle/handlers.js";

export const handler = lifecycleStep("deleteIdentity");
