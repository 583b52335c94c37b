/** Onboarding step: Server-side apply the tenant's Kubernetes namespace objects and grant its admins access (core/onboarding/steps.ts). */
import { onboardingStep } from "../core/onboarding/handlers.js";

export const handler = onboardingStep("setupNamespace");
