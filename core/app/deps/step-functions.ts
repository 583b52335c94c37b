/** Dependencies backed by Step Functions: starting and reading executions, answering waiting tasks. */
import { StepFunctionsTaskCallbacks } from "../../adapters/task-callbacks.js";
import { StepFunctionsWorkflows } from "../../adapters/workflows.js";
import { LIFECYCLE_WORKFLOWS, type LifecycleWorkflow, STATE_MACHINE_OF } from "../../workflow/names.js";
import { requireEnv, STATE_MACHINES } from "../resources.js";

export const workflows = (_env: NodeJS.ProcessEnv) => new StepFunctionsWorkflows();
export const tasks = (_env: NodeJS.ProcessEnv) => new StepFunctionsTaskCallbacks();
export const onboardingStateMachineArn = (env: NodeJS.ProcessEnv) =>
  requireEnv(STATE_MACHINES.onboarding.env, env);
/** State machine ARN per lifecycle workflow. */
export const stateMachines = (env: NodeJS.ProcessEnv) =>
  Object.fromEntries(
    LIFECYCLE_WORKFLOWS.map((wf) => [wf, requireEnv(STATE_MACHINES[STATE_MACHINE_OF[wf]].env, env)]),
  ) as Record<LifecycleWorkflow, string>;
export const offboardStateMachineArn = (env: NodeJS.ProcessEnv) =>
  requireEnv(STATE_MACHINES.offboard.env, env);
