// The Onboarding state machine (Standard workflow, JSONPath ASL).
//
// Every Task has Retry and no Catch: when retries run out the execution fails AT that Task, so a redrive
// resumes exactly there. Failures are recorded from EventBridge status-change events (failure-events.ts).
// ResultSelectors whitelist the ids each step returns, so history and output carry ids, never secrets.

import { ONBOARDING_STEPS, type OnboardingStep } from "../tenant/model.js";
import type { StateMachineDefinition } from "../workflow/asl.js";
import { sqsRetry, transientRetry } from "../workflow/retry.js";

export interface OnboardingResources {
  /** Lambda function ARNs. */
  reserveTenant: string;
  createIdentity: string;
  setupNamespace: string;
  startPipeline: string;
  activateTenant: string;
  /** URL of the SQS queue the mailer consumes. */
  emailsQueueUrl: string;
}

/** Execution input. */
export interface OnboardingInput {
  tenantId: string;
}

// What each step's Lambda must return (extra fields are dropped by the ResultSelectors; a missing one fails
// the step with States.Runtime).
export interface ReserveTenantResult {
  tenantId: string;
  slug: string;
  plan: string;
  dedicatedResources: boolean;
}
export interface CreateIdentityResult {
  userPoolId: string;
  userPoolClientId: string;
}
export interface SetupNamespaceResult {
  namespace: string;
}
/** Payload given to the startPipeline function by the "Run deployment pipeline" state. */
export interface StartPipelinePayload {
  tenantId: string;
  taskToken: string;
}
/** What activateTenant returns; also the execution's output. */
export interface OnboardingSummary {
  tenantId: string;
  slug: string;
  plan: string;
  status: string;
  userPoolId: string;
  userPoolClientId: string;
  namespace: string;
  /** null when the plan has no dedicated resources. */
  pipelineExecutionId: string | null;
  activatedAt: string;
}
/** Body of the message "Send welcome email" puts on the emails queue. */
export interface WelcomeEmailMessage {
  tenantId: string;
  template: "welcome";
}

export const ONBOARDING_STATES = {
  reserveTenant: "Reserve tenant",
  provision: "Provision identity and namespace",
  createIdentity: "Create identity",
  setupNamespace: "Set up namespace",
  needsDedicatedResources: "Needs dedicated resources?",
  runPipeline: "Run deployment pipeline",
  activateTenant: "Activate tenant",
  sendWelcome: "Send welcome email",
  onboarded: "Onboarded",
} as const;
export type OnboardingStateName = (typeof ONBOARDING_STATES)[keyof typeof ONBOARDING_STATES];

/** The onboarding steps (the tenant record's `steps.<name>`), in order: defined with the tenant model. */
export { ONBOARDING_STEPS, type OnboardingStep };

export const onboardingStateForStep: Readonly<Record<OnboardingStep, OnboardingStateName>> = {
  reserveTenant: ONBOARDING_STATES.reserveTenant,
  createIdentity: ONBOARDING_STATES.createIdentity,
  setupNamespace: ONBOARDING_STATES.setupNamespace,
  runPipeline: ONBOARDING_STATES.runPipeline,
  activateTenant: ONBOARDING_STATES.activateTenant,
  sendWelcome: ONBOARDING_STATES.sendWelcome,
};

/** The step a (Task) state name belongs to, e.g. for recording which step an execution failed at. */
export function onboardingStepForState(stateName: string): OnboardingStep | undefined {
  return ONBOARDING_STEPS.find((step) => onboardingStateForStep[step] === stateName);
}

const S = ONBOARDING_STATES;

export function onboardingDefinition(r: OnboardingResources): StateMachineDefinition {
  return {
    Comment:
      "Onboards a new tenant: reserves its slug, creates its identity (Cognito) and Kubernetes namespace in " +
      "parallel, runs the deployment pipeline for plans with dedicated resources, activates the tenant and " +
      "queues the welcome email. Each step retries transient errors; after that the execution fails at the " +
      "step, and a redrive resumes from it.",
    QueryLanguage: "JSONPath",
    StartAt: S.reserveTenant,
    States: {
      [S.reserveTenant]: {
        Type: "Task",
        Comment: "Conditional put of the tenant (slug unique), status PROVISIONING.",
        Resource: r.reserveTenant,
        Parameters: { "tenantId.$": "$.tenantId" },
        ResultSelector: {
          "tenantId.$": "$.tenantId",
          "slug.$": "$.slug",
          "plan.$": "$.plan",
          "dedicatedResources.$": "$.dedicatedResources",
        },
        ResultPath: "$.tenant",
        Retry: transientRetry,
        Next: S.provision,
      },
      [S.provision]: {
        Type: "Parallel",
        Comment: "The user pool and the namespace do not depend on each other.",
        Branches: [
          {
            StartAt: S.createIdentity,
            States: {
              [S.createIdentity]: {
                Type: "Task",
                Comment: "User pool tagged with the tenant id, app client, groups, tenant-admin user.",
                Resource: r.createIdentity,
                Parameters: { "tenantId.$": "$.tenantId" },
                ResultSelector: {
                  "userPoolId.$": "$.userPoolId",
                  "userPoolClientId.$": "$.userPoolClientId",
                },
                Retry: transientRetry,
                End: true,
              },
            },
          },
          {
            StartAt: S.setupNamespace,
            States: {
              [S.setupNamespace]: {
                Type: "Task",
                Comment:
                  "Server-side apply of the tenant's Kubernetes objects; EKS access entry for its admins.",
                Resource: r.setupNamespace,
                Parameters: { "tenantId.$": "$.tenantId" },
                ResultSelector: { "namespace.$": "$.namespace" },
                Retry: transientRetry,
                End: true,
              },
            },
          },
        ],
        ResultSelector: { "identity.$": "$[0]", "namespace.$": "$[1]" },
        ResultPath: "$.provisioned",
        Next: S.needsDedicatedResources,
      },
      [S.needsDedicatedResources]: {
        Type: "Choice",
        Choices: [{ Variable: "$.tenant.dedicatedResources", BooleanEquals: true, Next: S.runPipeline }],
        Default: S.activateTenant,
      },
      [S.runPipeline]: {
        Type: "Task",
        Comment:
          "Starts the tenant's CodePipeline run and waits for its callback (SendTaskSuccess, or SendTaskFailure " +
          "with PipelineFailed). The callback must send heartbeats more often than HeartbeatSeconds.",
        Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
        Parameters: {
          FunctionName: r.startPipeline,
          Payload: { "tenantId.$": "$.tenantId", "taskToken.$": "$$.Task.Token" },
        },
        TimeoutSeconds: 3600,
        HeartbeatSeconds: 900,
        ResultPath: "$.pipeline",
        Retry: transientRetry,
        Next: S.activateTenant,
      },
      [S.activateTenant]: {
        Type: "Task",
        Comment: "Status ACTIVE, timestamps, ids of everything created.",
        Resource: r.activateTenant,
        Parameters: { "tenantId.$": "$.tenantId" },
        ResultSelector: {
          "tenantId.$": "$.tenantId",
          "slug.$": "$.slug",
          "plan.$": "$.plan",
          "status.$": "$.status",
          "userPoolId.$": "$.userPoolId",
          "userPoolClientId.$": "$.userPoolClientId",
          "namespace.$": "$.namespace",
          "pipelineExecutionId.$": "$.pipelineExecutionId",
          "activatedAt.$": "$.activatedAt",
        },
        ResultPath: "$.activation",
        Retry: transientRetry,
        Next: S.sendWelcome,
      },
      [S.sendWelcome]: {
        Type: "Task",
        Comment: "Queues the welcome email; the mailer sends it exactly once.",
        Resource: "arn:aws:states:::sqs:sendMessage",
        Parameters: {
          QueueUrl: r.emailsQueueUrl,
          MessageBody: { "tenantId.$": "$.tenantId", template: "welcome" },
        },
        ResultPath: null,
        Retry: sqsRetry,
        Next: S.onboarded,
      },
      [S.onboarded]: {
        Type: "Succeed",
        Comment: "Output: the ids activateTenant recorded (OnboardingSummary).",
        OutputPath: "$.activation",
      },
    },
  };
}
