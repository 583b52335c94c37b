/** The lifecycle steps as Lambda handlers: functions/<name>.ts is `export const handler = lifecycleStep(…)`. */
import { appDeps } from "../app/environment.js";
import { stepHandler } from "../runtime/step-handler.js";
import { LIFECYCLE_STEP_TABLE, type LifecycleStep } from "./step-table.js";
import { LIFECYCLE_STEP_BODIES } from "./steps.js";

export function lifecycleStep(step: LifecycleStep) {
  return stepHandler(LIFECYCLE_STEP_TABLE[step], appDeps, LIFECYCLE_STEP_BODIES[step]);
}
