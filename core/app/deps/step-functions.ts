/** Dependencies backed by Step Functions: starting and reading executions, answering waiting tasks. */
import { StepFunctionsTaskCallbacks } from "../../adapters/task-callbacks.js";
import { StepFunctionsWorkflows } from "../../adapters/workflows.js";
import type { OnboardingExecution } from "../../onboarding/deps.js";
import {
  executionName,
  LIFECYCLE_WORKFLOWS,
  type LifecycleWorkflow,
  STATE_MACHINE_OF,
} from "../../workflow/names.js";
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
/** Whether a tenant's onboarding execution runs (a redrive), for the onboarding steps (run-step.ts). */
export const onboarding = (env: NodeJS.ProcessEnv): OnboardingExecution => {
  const arn = requireEnv(STATE_MACHINES.onboarding.env, env);
  const executions = new StepFunctionsWorkflows();
  return {
    async isRunning(slug) {
      const status = (await executions.describe(arn, executionName(slug, "onboard", 1)))?.status;
      return status === "RUNNING" || status === "PENDING_REDRIVE";
    },
  };
};
export const offboardStateMachineArn = (env: NodeJS.ProcessEnv) =>
  requireEnv(STATE_MACHINES.offboard.env, env);
