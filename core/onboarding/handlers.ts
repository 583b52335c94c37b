/**
 * The onboarding steps as Lambda handlers: functions/<name>.ts is `export const handler = onboardingStep(…)`
 * with the factories of what the step's body uses (its `d` parameter's type says which). Every step also gets
 * `onboarding`, the check run-step.ts makes before it takes a step on a FAILED tenant for a redrive.
 */
import { onboarding } from "../app/deps/step-functions.js";
import { dependencies, type Factories } from "../app/environment.js";
import { stepHandler } from "../runtime/step-handler.js";
import { ONBOARDING_STEP_TABLE, type OnboardingFunctionStep } from "./step-table.js";
import { ONBOARDING_STEP_BODIES } from "./steps.js";

type Bodies = typeof ONBOARDING_STEP_BODIES;

export function onboardingStep<S extends OnboardingFunctionStep>(
  step: S,
  deps: Factories<Parameters<Bodies[S]>[0]>,
) {
  const body = ONBOARDING_STEP_BODIES[step] as (
    d: Parameters<Bodies[S]>[0],
    input: never,
  ) => Promise<unknown>;
  return stepHandler(
    ONBOARDING_STEP_TABLE[step].function,
    () => dependencies({ onboarding, ...deps } as Factories<Parameters<Bodies[S]>[0]>),
    body,
  );
}
