/** Step: Publish tenant events: drains the tenant's outbox onto the embark-tenants bus (core/onboarding/steps.ts). */
import { tenants } from "../core/app/deps/dynamodb.js";
import { events } from "../core/app/deps/eventbridge.js";
import { onboardingStep } from "../core/onboarding/handlers.js";

export const handler = onboardingStep("publishEvents", { tenants, events });
