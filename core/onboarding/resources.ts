/**
 * Embark's functions and the event patterns that route to them: one source for stacks/ (AWS) and
 * local/wiring/ (the local cloud), so both run the same wiring.
 */
import { LIFECYCLE_FUNCTIONS } from "../billing/resources.js";
import { executionFailedPattern } from "../workflow/failure-events.js";

export {
  BILLING_BATCH,
  BILLING_QUEUE_CONSUMER,
  billingEventsPattern,
  lifecycleFailedPattern,
  onboardingEndedPattern,
} from "../billing/resources.js";

export interface FunctionSpec {
  /** Module under functions/ exporting `handler`. */
  file: string;
  timeoutSeconds: number;
  memoryMB?: number;
  description: string;
}

export const FUNCTIONS = {
  "signup-intake": { file: "signup-intake", timeoutSeconds: 10, description: "POST /signups" },
  "tenant-status": { file: "tenant-status", timeoutSeconds: 10, description: "GET /tenants/{id}" },
  "signup-page": { file: "signup-page", timeoutSeconds: 10, description: "GET / (the signup page)" },
  "plan-catalog": { file: "plan-catalog", timeoutSeconds: 10, description: "GET /plans" },
  "slug-availability": { file: "slug-availability", timeoutSeconds: 10, description: "GET /slugs/{slug}" },
  "onboarding-starter": {
    file: "onboarding-starter",
    timeoutSeconds: 30,
    description: "signups queue → StartExecution",
  },
  "reserve-tenant": { file: "reserve-tenant", timeoutSeconds: 30, description: "step: Reserve tenant" },
  "create-identity": { file: "create-identity", timeoutSeconds: 60, description: "step: Create identity" },
  "setup-namespace": { file: "setup-namespace", timeoutSeconds: 120, description: "step: Set up namespace" },
  "start-pipeline": {
    file: "start-pipeline",
    timeoutSeconds: 30,
    description: "step: Run deployment pipeline",
  },
  "activate-tenant": { file: "activate-tenant", timeoutSeconds: 30, description: "step: Activate tenant" },
  "pipeline-callback": {
    file: "pipeline-callback",
    timeoutSeconds: 30,
    description: "pipeline state change → task callback",
  },
  "record-failure": {
    file: "record-failure",
    timeoutSeconds: 30,
    description: "execution failed → tenant FAILED",
  },
  mailer: { file: "mailer", timeoutSeconds: 30, description: "emails queue → SES" },
  ...LIFECYCLE_FUNCTIONS,
} as const satisfies Record<string, FunctionSpec>;
export type FunctionName = keyof typeof FUNCTIONS;

/** SQS visibility timeout for a queue a function consumes: 6× its timeout, as AWS recommends. */
export const visibilityTimeoutFor = (fn: FunctionName) => FUNCTIONS[fn].timeoutSeconds * 6;
/** Deliveries before a message goes to the queue's DLQ. */
export const MAX_RECEIVE_COUNT = 4;

/** CodePipeline run state changes of the tenant pipeline → pipeline-callback. */
export function pipelineStateChangePattern(pipelineName: string) {
  return {
    source: ["aws.codepipeline"],
    "detail-type": [
      "CodePipeline Pipeline Execution State Change",
      "CodePipeline Stage Execution State Change",
    ],
    detail: { pipeline: [pipelineName] },
  };
}

/** Failed/timed-out/aborted onboarding executions → record-failure. */
export const onboardingFailedPattern = (onboardingStateMachineArn: string) =>
  executionFailedPattern([onboardingStateMachineArn]);

/** Variables every tenant pipeline run gets; the pipeline must declare them. */
export const PIPELINE_VARIABLES = ["TENANT_ID", "TENANT_SLUG", "TENANT_PLAN", "TENANT_ACTION"] as const;
/**
 * Declared defaults: TENANT_ACTION is `deploy` (onboarding, a plan change to dedicated resources) or
 * `teardown` (a plan change away from them, offboarding); runs that do not pass it deploy.
 */
export const PIPELINE_VARIABLE_DEFAULTS: Partial<Record<(typeof PIPELINE_VARIABLES)[number], string>> = {
  TENANT_ACTION: "deploy",
};
