/** Onboarding step: Server-side apply the tenant's Kubernetes namespace objects and grant its admins access (core/onboarding/steps.ts). */
import { plans, tenants } from "../core/app/deps/dynamodb.js";
import { cluster } from "../core/app/deps/kubernetes.js";
import { onboardingStep } from "../core/onboarding/handlers.js";

export const handler = onboardingStep("setupNamespace", { tenants, plans, cluster });
