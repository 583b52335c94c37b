/** The onboarding steps as Lambda handlers: functions/<name>.ts is `export const handler = onboardingStep(…)`. */
import { appDeps } from "../app/environment.js";
import { stepHandler } from "../runtime/step-handler.js";
import { ONBOARDING_STEP_TABLE, type OnboardingFunctionStep } from "./step-table.js";
import { ONBOARDING_STEP_BODIES } from "./steps.js";

export function onboardingStep(step: OnboardingFunctionStep) {
  return stepHandler(ONBOARDING_STEP_TABLE[step].function, appDeps, ONBOARDING_STEP_BODIES[step]);
}
