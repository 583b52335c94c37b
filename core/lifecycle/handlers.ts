/**
 * The lifecycle steps as Lambda handlers: functions/<name>.ts is `export const handler = lifecycleStep(…)`
 * with the factories of what the step's body uses (its `d` parameter's type says which).
 */
import { dependencies, type Factories } from "../app/environment.js";
import { stepHandler } from "../runtime/step-handler.js";
import { LIFECYCLE_STEP_TABLE, type LifecycleStep } from "./step-table.js";
import { LIFECYCLE_STEP_BODIES } from "./steps.js";

type Bodies = typeof LIFECYCLE_STEP_BODIES;

export function lifecycleStep<S extends LifecycleStep>(step: S, deps: Factories<Parameters<Bodies[S]>[0]>) {
  const body = LIFECYCLE_STEP_BODIES[step] as (d: Parameters<Bodies[S]>[0], input: never) => Promise<unknown>;
  return stepHandler(LIFECYCLE_STEP_TABLE[step], () => dependencies(deps), body);
}
