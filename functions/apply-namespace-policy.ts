/** Lifecycle step: Server-side apply the plan's quota and limits (zero pods while suspended) (core/lifecycle/steps.ts). */
import { lifecycleStep } from "../core/lifecycle/handlers.js";

export const handler = lifecycleStep("applyNamespacePolicy");
