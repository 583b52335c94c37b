/** Lifecycle step: Enable (ACTIVE) or disable (SUSPENDED) the users of the tenant's pool (core/lifecycle/steps.ts). */
import { lifecycleStep } from "../core/lifecycle/handlers.js";

export const handler = lifecycleStep("applySignIn");
