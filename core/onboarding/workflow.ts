// The Onboarding state machine (Standard workflow, JSONPath ASL), its states named after the step table.
//
// Every Task has Retry and no Catch: when retries run out the execution fails AT that Task, so a redrive
// resumes exactly there. Failures are recorded from EventBridge status-change events (record-failure.ts).
// ResultSelectors whitelist the ids each step returns, so history and output carry ids, never secrets.

import { jsonPathMachine, type StateMachineDefinition, whenTrue } from "../workflow/asl.js";
import { callbackTask, lambdaTask, sendMessageTask, type WorkflowRefs } from "../workflow/task.js";
import { ONBOARDING_STEP_TABLE as T } from "./step-table.js";

/** Execution input. */
export interface OnboardingInput {
  tenantId: string;
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

export const ONBOARDING_STATES = {
  reserveTenant: T.reserveTenant.label,
  provision: "Provision identity and namespace",
  createIdentity: T.createIdentity.label,
  setupNamespace: T.setupNamespace.label,
  needsDedicatedResources: "Needs dedicated resources?",
  runPipeline: T.runPipeline.label,
  activateTenant: T.activateTenant.label,
  publishEvents: T.publishEvents.label,
  sendWelcome: T.sendWelcome.label,
  onboarded: "Onboarded",
} as const;

const S = ONBOARDING_STATES;

/** `$.x` for each field: a ResultSelector that keeps exactly these fields of a step's result. */
const keep = (...fields: string[]) => Object.fromEntries(fields.map((f) => [`${f}.$`, `$.${f}`]));

export function onboardingDefinition(r: WorkflowRefs): StateMachineDefinition {
  const fn = (step: { function: { name: string } }) => r.functionArn(step.function.name);
  return jsonPathMachine(
    "Onboards a new tenant: reserves its slug, creates its identity (Cognito) and Kubernetes namespace in " +
      "parallel, runs the deployment pipeline for plans with dedicated resources, activates the tenant and " +
      "queues the welcome email. Each step retries transient errors; after that the execution fails at the " +
      "step, and a redrive resumes from it.",
    S.reserveTenant,
    {
      [S.reserveTenant]: lambdaTask(
        fn(T.reserveTenant),
        { Next: S.provision },
        {
          comment: "Conditional put of the tenant (slug unique), status PROVISIONING.",
          resultSelector: keep("tenantId", "slug", "plan", "dedicatedResources"),
          resultPath: "$.tenant",
        },
      ),
      [S.provision]: {
        Type: "Parallel",
        Comment: "The user pool and the namespace do not depend on each other.",
        Branches: [
          {
            StartAt: S.createIdentity,
            States: {
              [S.createIdentity]: lambdaTask(
                fn(T.createIdentity),
                { End: true },
                {
                  comment: "User pool tagged with the tenant id, app client, groups, tenant-admin user.",
                  resultSelector: keep("userPoolId", "userPoolClientId"),
                },
              ),
            },
          },
          {
            StartAt: S.setupNamespace,
            States: {
              [S.setupNamespace]: lambdaTask(
                fn(T.setupNamespace),
                { End: true },
                {
                  comment:
                    "Server-side apply of the tenant's Kubernetes objects; EKS access entry for its admins.",
                  resultSelector: keep("namespace"),
                },
              ),
            },
          },
        ],
        ResultSelector: { "identity.$": "$[0]", "namespace.$": "$[1]" },
        ResultPath: "$.provisioned",
        Next: S.needsDedicatedResources,
      },
      [S.needsDedicatedResources]: whenTrue("$.tenant.dedicatedResources", S.runPipeline, S.activateTenant),
      [S.runPipeline]: callbackTask(
        fn(T.runPipeline),
        { "tenantId.$": "$.tenantId" },
        { Next: S.activateTenant },
        {
          comment:
            "Starts the tenant's CodePipeline run and waits for its callback (SendTaskSuccess, or SendTaskFailure " +
            "with PipelineFailed). The callback must send heartbeats more often than HeartbeatSeconds.",
          resultPath: "$.pipeline",
        },
      ),
      [S.activateTenant]: lambdaTask(
        fn(T.activateTenant),
        { Next: S.publishEvents },
        {
          comment: "Status ACTIVE, timestamps, ids of everything created.",
          resultSelector: keep(
            "tenantId",
            "slug",
            "plan",
            "status",
            "userPoolId",
            "userPoolClientId",
            "namespace",
            "pipelineExecutionId",
            "activatedAt",
          ),
          resultPath: "$.activation",
        },
      ),
      [S.publishEvents]: lambdaTask(
        fn(T.publishEvents),
        { Next: S.sendWelcome },
        {
          comment: 'Puts "Tenant Activated" (and any earlier unpublished event) on the embark-tenants bus.',
          parameters: { "tenantId.$": "$.tenantId", onboardingStep: true },
          resultPath: null,
        },
      ),
      [S.sendWelcome]: sendMessageTask(
        r.queueUrl("emails"),
        { "tenantId.$": "$.tenantId", template: "welcome" },
        { Next: S.onboarded },
        "Queues the welcome email; the mailer sends it exactly once.",
      ),
      [S.onboarded]: {
        Type: "Succeed",
        Comment: "Output: the ids activateTenant recorded (OnboardingSummary).",
        OutputPath: "$.activation",
      },
    },
  );
}
