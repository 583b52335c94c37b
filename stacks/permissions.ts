/**
 * Least-privilege IAM statements for what each function's code calls (core/adapters/*), one list per
 * function. test/infra/iam.test.ts derives the expected actions from the adapters' SDK commands on its own and
 * checks these lists against them, so a new SDK call without a permission (or a stale permission) fails there.
 *
 * `*` resources only where AWS has no narrower ARN:
 * - cognito-idp:CreateUserPool / ListUserPools: no pool exists yet / the list is account-wide.
 * - states:SendTask{Success,Failure,Heartbeat}: the task token, not an ARN, names the task.
 */
import type { FunctionName } from "../core/onboarding/resources.js";

export interface Statement {
  actions: string[];
  resources: $util.Input<string>[];
}

/** ARNs the statements refer to. */
export interface PermissionTargets {
  tenantsTable: $util.Input<string>;
  plansTable: $util.Input<string>;
  idempotencyTable: $util.Input<string>;
  signupsQueue: $util.Input<string>;
  onboardingStateMachine: $util.Input<string>;
  /** Executions of the onboarding state machine (`…:execution:<name>:*`). */
  onboardingExecutions: $util.Input<string>;
  /** The plan-change, suspend, reactivate and offboard state machines, and their executions. */
  lifecycleStateMachines: $util.Input<string>[];
  lifecycleExecutions: $util.Input<string>[];
  billingBus: $util.Input<string>;
  pipeline: $util.Input<string>;
  cluster: $util.Input<string>;
  /** Access entries of the cluster (`…:access-entry/<cluster>/*`). */
  clusterAccessEntries: $util.Input<string>;
  /** Every user pool in the account and region (`…:userpool/*`): tenant pools are made at run time. */
  userPools: $util.Input<string>;
  sesIdentity: $util.Input<string>;
  sesConfigurationSet: $util.Input<string>;
}

const ddb = (resource: $util.Input<string>, ...actions: string[]): Statement => ({
  actions: actions.map((a) => `dynamodb:${a}`),
  resources: [resource],
});

export function codePermissions(t: PermissionTargets): Record<FunctionName, Statement[]> {
  // Powertools idempotency records (DynamoDBPersistenceLayer).
  const idempotency = ddb(t.idempotencyTable, "GetItem", "PutItem", "UpdateItem", "DeleteItem");
  // PlanStore.get: the plan item, then the catalog (Scan) to name the choices when it is unknown.
  const planLookup = ddb(t.plansTable, "GetItem", "Scan");
  // runStep + TenantStore.require/markStep/setResources/transition: read the tenant, conditional updates.
  const tenantStep = ddb(t.tenantsTable, "GetItem", "UpdateItem");
  // TaskCallbacks: the token names the task; Step Functions has no ARN to scope these to.
  const taskCallbacks = (...actions: string[]): Statement => ({
    actions: actions.map((a) => `states:${a}`),
    resources: ["*"],
  });

  return {
    "signup-intake": [
      planLookup,
      ddb(t.tenantsTable, "PutItem", "DeleteItem"), // TenantStore.create (slug claim + tenant), discard
      { actions: ["sqs:SendMessage"], resources: [t.signupsQueue] },
      idempotency, // Idempotency-Key
    ],
    "tenant-status": [ddb(t.tenantsTable, "GetItem")],
    "signup-page": [], // renders HTML; calls no AWS API
    "plan-catalog": [ddb(t.plansTable, "Scan")], // PlanStore.list
    "slug-availability": [ddb(t.tenantsTable, "GetItem")], // TenantStore.getBySlug
    "onboarding-starter": [
      ddb(t.tenantsTable, "GetItem"),
      { actions: ["states:StartExecution"], resources: [t.onboardingStateMachine] },
      // Workflows.start: a finished duplicate answers ExecutionAlreadyExists; its input tells if it is ours.
      { actions: ["states:DescribeExecution"], resources: [t.onboardingExecutions] },
    ],
    "reserve-tenant": [tenantStep, planLookup],
    "create-identity": [
      tenantStep,
      // No pool exists before CreateUserPool; ListUserPools lists the account's pools.
      { actions: ["cognito-idp:CreateUserPool", "cognito-idp:ListUserPools"], resources: ["*"] },
      {
        actions: [
          "cognito-idp:DescribeUserPool",
          "cognito-idp:DeleteUserPool", // removes a twin pool a crashed CreateUserPool left behind
          "cognito-idp:ListUserPoolClients",
          "cognito-idp:CreateUserPoolClient",
          "cognito-idp:DeleteUserPoolClient",
          "cognito-idp:ListGroups",
          "cognito-idp:CreateGroup",
          "cognito-idp:AdminGetUser",
          "cognito-idp:AdminCreateUser",
          "cognito-idp:AdminAddUserToGroup",
        ],
        resources: [t.userPools],
      },
      idempotency,
    ],
    "setup-namespace": [
      tenantStep,
      planLookup,
      { actions: ["eks:DescribeCluster", "eks:CreateAccessEntry"], resources: [t.cluster] },
      {
        actions: [
          "eks:DescribeAccessEntry",
          "eks:UpdateAccessEntry",
          "eks:ListAssociatedAccessPolicies",
          "eks:AssociateAccessPolicy",
        ],
        resources: [t.clusterAccessEntries],
      },
      idempotency,
    ],
    "start-pipeline": [
      ddb(t.tenantsTable, "GetItem", "UpdateItem", "PutItem"), // + PutItem: the pipeline waiter record
      {
        actions: ["codepipeline:StartPipelineExecution", "codepipeline:GetPipelineExecution"],
        resources: [t.pipeline],
      },
      taskCallbacks("SendTaskSuccess", "SendTaskFailure"),
    ],
    "activate-tenant": [tenantStep],
    "pipeline-callback": [
      tenantStep, // + the lifecycle run waiter (GetItem)
      { actions: ["codepipeline:GetPipelineExecution"], resources: [t.pipeline] },
      taskCallbacks("SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat"),
    ],
    "record-failure": [
      tenantStep, // + BillingRecords.recordWorkflowFailure (an UpdateItem)
      {
        actions: ["states:GetExecutionHistory"],
        resources: [t.onboardingExecutions, ...t.lifecycleExecutions],
      },
    ],
    mailer: [
      tenantStep,
      planLookup,
      // SendEmail is authorised on the identity and, when one is given, the configuration set.
      { actions: ["ses:SendEmail"], resources: [t.sesIdentity, t.sesConfigurationSet] },
      idempotency,
    ],
    "billing-intake": [{ actions: ["events:PutEvents"], resources: [t.billingBus] }],
    "billing-router": [
      ddb(t.tenantsTable, "GetItem", "PutItem", "UpdateItem", "DeleteItem"), // BillingRecords + submitSignup
      planLookup,
      { actions: ["sqs:SendMessage"], resources: [t.signupsQueue] }, // a checkout for a new customer signs up
      { actions: ["states:StartExecution"], resources: t.lifecycleStateMachines },
      { actions: ["states:DescribeExecution"], resources: t.lifecycleExecutions },
      idempotency, // once per Stripe event id
    ],
    // BillingRecords (in the tenants table) transitionIf / recordPlan / planChangeOf: reads, conditional updates.
    "set-tenant-status": [tenantStep, ddb(t.plansTable, "GetItem")], // PlanStore.find: no catalog scan
    "record-plan": [tenantStep, planLookup],
    "apply-namespace-policy": [
      ddb(t.tenantsTable, "GetItem"),
      planLookup,
      { actions: ["eks:DescribeCluster"], resources: [t.cluster] },
    ],
    "apply-sign-in": [
      ddb(t.tenantsTable, "GetItem"),
      {
        actions: ["cognito-idp:ListUsers", "cognito-idp:AdminEnableUser", "cognito-idp:AdminDisableUser"],
        resources: [t.userPools],
      },
    ],
    "run-lifecycle-pipeline": [
      ddb(t.tenantsTable, "GetItem", "PutItem"), // + the run and waiter records
      {
        actions: ["codepipeline:StartPipelineExecution", "codepipeline:GetPipelineExecution"],
        resources: [t.pipeline],
      },
      taskCallbacks("SendTaskSuccess", "SendTaskFailure"),
    ],
    "delete-namespace": [
      ddb(t.tenantsTable, "GetItem"),
      { actions: ["eks:DescribeCluster"], resources: [t.cluster] },
      {
        actions: [
          "eks:DescribeAccessEntry",
          "eks:UpdateAccessEntry",
          "eks:DeleteAccessEntry",
          "eks:ListAssociatedAccessPolicies",
          "eks:AssociateAccessPolicy",
          "eks:DisassociateAccessPolicy",
        ],
        resources: [t.clusterAccessEntries],
      },
    ],
    "delete-identity": [
      ddb(t.tenantsTable, "GetItem"),
      { actions: ["cognito-idp:ListUserPools"], resources: ["*"] }, // account-wide list
      { actions: ["cognito-idp:DescribeUserPool", "cognito-idp:DeleteUserPool"], resources: [t.userPools] },
    ],
  };
}
