/**
 * The onboarding steps, in order: each one's label (also its Step Functions state name and what the signup page
 * and operators read), the tenant record's `steps.<name>` key, and the function that runs it. The manifest takes
 * the functions from here, workflow.ts the state names, and functions/<name>.ts the handler (handlers.ts).
 *
 * Add a step: an entry here, its body in steps.ts, its state in workflow.ts, a one-line functions/<name>.ts, a
 * test (docs/design.md, "Add a step").
 */
import * as z from "zod";
import {
  anyResource,
  codepipeline,
  dynamodb,
  eks,
  eksAccessEntries,
  executions,
  planLookup,
  putEvents,
  taskCallbacks,
  tenantProgress,
  userPools,
} from "../app/access.js";
import type { StepFunctionSpec } from "../app/function-spec.js";

/** A tenant id as a payload or message carries it: a UUID (core/tenant/model.ts), checked before any lookup. */
export const TenantIdField = z.uuid({
  error: (iss) =>
    iss.input === undefined ? "tenantId is required" : "tenantId must be a tenant id (a UUID)",
});
export const TenantRef = z.object({ tenantId: TenantIdField });
export type TenantRef = z.infer<typeof TenantRef>;
/** Task tokens are opaque; AWS's are well under this. */
export const TaskToken = z.string().min(1).max(8192);
export const PipelineStepInput = TenantRef.extend({ taskToken: TaskToken });
/** The lifecycle workflows run the same function without recording it as an onboarding step. */
export const PublishEventsInput = TenantRef.extend({ onboardingStep: z.boolean().optional() });
export type PublishEventsInput = z.infer<typeof PublishEventsInput>;
export type PipelineStepInput = z.infer<typeof PipelineStepInput>;

/** A step finding its tenant FAILED reads whether the onboarding execution runs again (run-step.ts: a redrive). */
const redriveCheck = executions(["DescribeExecution"], "onboarding");

export interface OnboardingStepSpec {
  label: string;
  /** The Lambda behind the state; none for a state that only queues a message. */
  function?: StepFunctionSpec;
}

export const ONBOARDING_STEP_TABLE = {
  reserveTenant: {
    label: "Reserve tenant",
    function: {
      name: "reserve-tenant",
      description: "step: Reserve tenant",
      timeoutSeconds: 30,
      input: TenantRef,
      access: [tenantProgress, planLookup, redriveCheck],
    },
  },
  createIdentity: {
    label: "Create identity",
    function: {
      name: "create-identity",
      description: "step: Create identity",
      timeoutSeconds: 60,
      input: TenantRef,
      // No Powertools idempotency record: every call is find-then-create (recorded ids, the pool's tenant tag), so
      // a re-run makes nothing twice, and the tenant record holds the step's progress (issue 12: 2 calls fewer).
      access: [
        tenantProgress,
        dynamodb("tenants", "PutItem"), // the pool → tenant link the claims trigger reads
        planLookup, // the plan's invitation wording
        anyResource(
          "no pool exists before CreateUserPool; GetResources finds the tenant's pool by its tag",
          "cognito-idp:CreateUserPool",
          "tag:GetResources",
        ),
        userPools(
          "DescribeUserPool",
          "UpdateUserPool", // the claims trigger, mail and invitation of a pool made before they existed
          "DeleteUserPool", // removes a twin pool a crashed CreateUserPool left behind
          "ListUserPoolClients",
          "CreateUserPoolClient",
          "DeleteUserPoolClient",
          "ListGroups",
          "CreateGroup",
          "AdminGetUser",
          "AdminCreateUser",
          "AdminAddUserToGroup",
        ),
        redriveCheck,
      ],
    },
  },
  setupNamespace: {
    label: "Set up namespace",
    function: {
      name: "setup-namespace",
      description: "step: Set up namespace",
      timeoutSeconds: 120,
      input: TenantRef,
      // No Powertools idempotency record: server-side apply with one field manager changes nothing the second
      // time, and the access entry is created or merged (issue 12).
      access: [
        tenantProgress,
        planLookup,
        eks("DescribeCluster", "CreateAccessEntry"),
        eksAccessEntries(
          "DescribeAccessEntry",
          "UpdateAccessEntry",
          "ListAssociatedAccessPolicies",
          "AssociateAccessPolicy",
        ),
        redriveCheck,
      ],
    },
  },
  runPipeline: {
    label: "Run deployment pipeline",
    function: {
      name: "start-pipeline",
      description: "step: Run deployment pipeline",
      timeoutSeconds: 30,
      input: PipelineStepInput,
      access: [
        // + PutItem/DeleteItem: the pipeline waiter record, deleted once the task is answered
        dynamodb("tenants", "GetItem", "UpdateItem", "PutItem", "DeleteItem"),
        codepipeline("StartPipelineExecution", "GetPipelineExecution"),
        taskCallbacks("SendTaskSuccess", "SendTaskFailure"),
        redriveCheck,
      ],
    },
  },
  activateTenant: {
    label: "Activate tenant",
    function: {
      name: "activate-tenant",
      description: "step: Activate tenant",
      timeoutSeconds: 30,
      input: TenantRef,
      access: [tenantProgress, redriveCheck],
    },
  },
  publishEvents: {
    label: "Publish tenant events",
    function: {
      name: "publish-tenant-events",
      description: "step: Publish tenant events (outbox → embark-tenants bus)",
      timeoutSeconds: 30,
      input: PublishEventsInput,
      // require + remove the published event (an UpdateItem), progress; PutEvents on the tenants bus.
      access: [tenantProgress, putEvents("tenants"), redriveCheck],
    },
  },
  sendWelcome: { label: "Send welcome email" },
} as const satisfies Record<string, OnboardingStepSpec>;

export type OnboardingStep = keyof typeof ONBOARDING_STEP_TABLE;
/** The steps in order (the tenant record's `steps.<name>`). */
export const ONBOARDING_STEPS = Object.keys(ONBOARDING_STEP_TABLE) as OnboardingStep[];
/** Steps a Lambda runs. */
export type OnboardingFunctionStep = {
  [K in OnboardingStep]: (typeof ONBOARDING_STEP_TABLE)[K] extends { function: object } ? K : never;
}[OnboardingStep];
