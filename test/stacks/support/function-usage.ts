/**
 * What each function's code path calls in core/adapters/ (read from functions/<name>.ts and the core/ code it
 * runs). IAM actions are NOT listed here: sdk-actions.ts derives them from the adapters' SDK commands, and
 * iam.test.ts checks each function's deployed policy against that. When a function starts calling another
 * adapter method, add it here; the test then asks for the permission.
 *
 * Entries are `<file in core/adapters>#<Class>.<method>`, `#<function>`, or `#*` (every command of the file).
 */
import type { FunctionName } from "../../../core/app/manifest.js";

export interface FunctionUsage {
  calls: string[];
  /** Repo modules outside core/adapters that send SDK commands themselves: all the commands they import. */
  modules?: string[];
  /** Powertools idempotency records (DynamoDBPersistenceLayer on IDEMPOTENCY_TABLE). */
  idempotency: boolean;
  /** Where the calls come from, for a reader checking this list. */
  via: string;
}

// runStep (core/onboarding/run-step.ts) wraps every onboarding step: startStep, else require, transition on a
// redrive (once DescribeExecution says the onboarding runs again), markStep.
const RUN_STEP = [
  "tenant-store.ts#DynamoTenantStore.startStep",
  "tenant-store.ts#DynamoTenantStore.require",
  "tenant-store.ts#DynamoTenantStore.transition",
  "tenant-store.ts#DynamoTenantStore.markStep",
  "workflows.ts#StepFunctionsWorkflows.describe",
];

export const FUNCTION_USAGE: Record<FunctionName, FunctionUsage> = {
  "signup-intake": {
    via: "core/signup/submit.ts submitSignup; core/signup/rate-limit.ts checkSignupLimits",
    calls: [
      "plan-store.ts#DynamoPlanStore.get",
      "tenant-store.ts#DynamoTenantStore.create",
      "tenant-store.ts#DynamoTenantStore.discard",
      "queues.ts#SqsJsonQueue.send",
      "rate-limiter.ts#DynamoRateLimiter.take",
    ],
    idempotency: true,
  },
  "tenant-status": {
    via: "functions/tenant-status.ts",
    calls: ["tenant-store.ts#DynamoTenantStore.get", "tenant-store.ts#DynamoTenantStore.getBySlug"],
    idempotency: false,
  },
  "signup-page": { via: "functions/signup-page.ts (renders HTML only)", calls: [], idempotency: false },
  "login-page": { via: "functions/login-page.ts (renders HTML only)", calls: [], idempotency: false },
  "tenant-sign-in": {
    via: "core/tenant/sign-in.ts signInConfig",
    calls: ["tenant-store.ts#DynamoTenantStore.slugFree"],
    idempotency: false,
  },
  "pre-token-generation": {
    via: "core/tenant/token-claims.ts addTenantClaims",
    calls: ["tenant-store.ts#DynamoTenantStore.getByUserPool"],
    idempotency: false,
  },
  "plan-catalog": {
    via: "functions/plan-catalog.ts",
    calls: ["plan-store.ts#DynamoPlanStore.list"],
    idempotency: false,
  },
  "slug-availability": {
    via: "functions/slug-availability.ts",
    calls: ["tenant-store.ts#DynamoTenantStore.getBySlug"],
    idempotency: false,
  },
  "onboarding-starter": {
    via: "core/onboarding/start.ts startOnboarding",
    calls: ["tenant-store.ts#DynamoTenantStore.get", "workflows.ts#StepFunctionsWorkflows.start"],
    idempotency: false,
  },
  "reserve-tenant": {
    via: "core/onboarding/steps.ts reserveTenant",
    calls: [...RUN_STEP, "plan-store.ts#DynamoPlanStore.get"],
    idempotency: false,
  },
  "create-identity": {
    via: "core/onboarding/steps.ts createIdentity",
    calls: [
      ...RUN_STEP,
      "tenant-store.ts#DynamoTenantStore.setResources",
      "tenant-store.ts#DynamoTenantStore.linkUserPool",
      "plan-store.ts#DynamoPlanStore.get",
      "identity.ts#CognitoIdentityProvisioner.ensureTenantIdentity",
    ],
    idempotency: false,
  },
  "setup-namespace": {
    via: "core/onboarding/steps.ts setupNamespace",
    calls: [
      ...RUN_STEP,
      "tenant-store.ts#DynamoTenantStore.setResources",
      "plan-store.ts#DynamoPlanStore.get",
      "cluster.ts#clusterFromEnvironment",
      "cluster.ts#KubernetesClusterProvisioner.apply",
      "cluster.ts#KubernetesClusterProvisioner.grantNamespaceAccess",
    ],
    idempotency: false,
  },
  "start-pipeline": {
    via: "core/onboarding/steps.ts startPipeline + answerIfFinished",
    calls: [
      ...RUN_STEP,
      "tenant-store.ts#DynamoTenantStore.putPipelineWaiter",
      "tenant-store.ts#DynamoTenantStore.deletePipelineWaiter",
      "tenant-store.ts#DynamoTenantStore.setResources",
      "pipeline.ts#CodePipelineRunner.status",
      "pipeline.ts#CodePipelineRunner.start",
      "task-callbacks.ts#StepFunctionsTaskCallbacks.succeed",
      "task-callbacks.ts#StepFunctionsTaskCallbacks.fail",
    ],
    idempotency: false,
  },
  "activate-tenant": {
    via: "core/onboarding/steps.ts activateTenant",
    calls: [...RUN_STEP],
    idempotency: false,
  },
  "publish-tenant-events": {
    via: "core/onboarding/steps.ts publishEvents → core/tenant/publish-events.ts",
    calls: [
      ...RUN_STEP,
      "tenant-store.ts#DynamoTenantStore.removePublishedEvent",
      "tenant-events.ts#EventBridgeTenantEvents.publish",
    ],
    idempotency: false,
  },
  "pipeline-callback": {
    via: "core/onboarding/pipeline-callback.ts onPipelineStateChange + answerIfFinished",
    calls: [
      "pipeline.ts#CodePipelineRunner.variables",
      "pipeline.ts#CodePipelineRunner.status",
      "tenant-store.ts#DynamoTenantStore.get",
      "tenant-store.ts#DynamoTenantStore.getPipelineWaiter",
      "tenant-store.ts#DynamoTenantStore.markStep",
      "task-callbacks.ts#StepFunctionsTaskCallbacks.succeed",
      "task-callbacks.ts#StepFunctionsTaskCallbacks.fail",
      "task-callbacks.ts#StepFunctionsTaskCallbacks.heartbeat",
      "tenant-store.ts#DynamoTenantStore.getRunWaiter", // a lifecycle run's waiter (answerRunIfFinished)
      "tenant-store.ts#DynamoTenantStore.deleteRunWaiter",
      "tenant-store.ts#DynamoTenantStore.deletePipelineWaiter",
    ],
    idempotency: false,
  },
  "record-failure": {
    via: "core/onboarding/record-failure.ts recordExecutionFailure",
    calls: [
      "tenant-store.ts#DynamoTenantStore.get",
      "workflows.ts#StepFunctionsWorkflows.history",
      "tenant-store.ts#DynamoTenantStore.markStep",
      "tenant-store.ts#DynamoTenantStore.transition",
      "billing-records.ts#DynamoBillingRecords.recordWorkflowFailure", // a failed lifecycle workflow
      // "Tenant Onboarding Failed" (core/tenant/publish-events.ts)
      "tenant-store.ts#DynamoTenantStore.require",
      "tenant-store.ts#DynamoTenantStore.removePublishedEvent",
      "tenant-events.ts#EventBridgeTenantEvents.publish",
    ],
    idempotency: false,
  },
  mailer: {
    via: "core/mail/tenant-email.ts sendTenantEmail",
    calls: [
      "tenant-store.ts#DynamoTenantStore.require",
      "plan-store.ts#DynamoPlanStore.get",
      "mail-sender.ts#SesMailSender.send",
      "tenant-store.ts#DynamoTenantStore.markStep",
    ],
    idempotency: true,
  },
  "record-email-sent": {
    via: "core/mail/sent.ts recordEmailSent",
    calls: ["tenant-store.ts#DynamoTenantStore.recordEmailSent"],
    idempotency: false,
  },
  "billing-intake": {
    via: "functions/billing-intake.ts (PutEvents itself)",
    calls: [],
    modules: ["functions/billing-intake.ts"],
    idempotency: false,
  },
  "billing-router": {
    via: "core/billing/route.ts, apply.ts, subscribe.ts (submitSignup), log.ts",
    calls: [
      "billing-records.ts#*", // customer links, parking, marks, event log: nearly all of BillingRecords
      "tenant-store.ts#DynamoTenantStore.get",
      "tenant-store.ts#DynamoTenantStore.create",
      "tenant-store.ts#DynamoTenantStore.discard",
      "plan-store.ts#DynamoPlanStore.list",
      "plan-store.ts#DynamoPlanStore.get",
      "queues.ts#SqsJsonQueue.send",
      "workflows.ts#StepFunctionsWorkflows.start",
    ],
    idempotency: true,
  },
  "set-tenant-status": {
    via: "core/lifecycle/steps.ts setTenantStatus",
    calls: [
      "billing-records.ts#DynamoBillingRecords.transitionIf",
      "tenant-store.ts#DynamoTenantStore.require",
      "tenant-store.ts#DynamoTenantStore.reserveSlug",
      "plan-store.ts#DynamoPlanStore.find",
    ],
    idempotency: false,
  },
  "record-plan": {
    via: "core/lifecycle/steps.ts recordPlan",
    calls: [
      "plan-store.ts#DynamoPlanStore.get",
      "plan-store.ts#DynamoPlanStore.find",
      "tenant-store.ts#DynamoTenantStore.require",
      "billing-records.ts#DynamoBillingRecords.recordPlan",
      "billing-records.ts#DynamoBillingRecords.planChangeOf",
    ],
    idempotency: false,
  },
  "apply-namespace-policy": {
    via: "core/lifecycle/steps.ts applyNamespacePolicy",
    calls: [
      "tenant-store.ts#DynamoTenantStore.require",
      "plan-store.ts#DynamoPlanStore.get",
      "cluster.ts#clusterFromEnvironment",
      "cluster.ts#KubernetesClusterProvisioner.apply",
      "cluster.ts#KubernetesClusterProvisioner.namespaceExists",
      "cluster.ts#KubernetesClusterProvisioner.evictPods",
    ],
    idempotency: false,
  },
  "export-tenant": {
    via: "core/lifecycle/export.ts exportTenant",
    calls: [
      "tenant-store.ts#DynamoTenantStore.require",
      "tenant-store.ts#DynamoTenantStore.recordExport",
      "plan-store.ts#DynamoPlanStore.find",
      "identity.ts#CognitoIdentityProvisioner.exportUsers",
      "cluster.ts#clusterFromEnvironment",
      "cluster.ts#KubernetesClusterProvisioner.read",
      "export-store.ts#S3ExportStore.put",
    ],
    idempotency: false,
  },
  "set-purge-schedule": {
    via: "core/lifecycle/steps.ts setPurgeSchedule",
    calls: [
      "tenant-store.ts#DynamoTenantStore.require",
      "purge-schedules.ts#SchedulerPurgeSchedules.schedule",
      "purge-schedules.ts#SchedulerPurgeSchedules.cancel",
    ],
    idempotency: false,
  },
  "start-purge": {
    via: "core/lifecycle/start-purge.ts startPurge",
    calls: [
      "tenant-store.ts#DynamoTenantStore.get",
      "workflows.ts#StepFunctionsWorkflows.start",
      "purge-schedules.ts#SchedulerPurgeSchedules.schedule",
    ],
    idempotency: false,
  },
  "apply-sign-in": {
    via: "core/lifecycle/steps.ts applySignIn",
    calls: [
      "tenant-store.ts#DynamoTenantStore.require",
      "identity.ts#CognitoIdentityProvisioner.setUsersEnabled",
    ],
    idempotency: false,
  },
  "run-lifecycle-pipeline": {
    via: "core/lifecycle/pipeline.ts runLifecyclePipeline + answerRunIfFinished",
    calls: [
      "tenant-store.ts#DynamoTenantStore.require",
      "tenant-store.ts#DynamoTenantStore.getLifecycleRun",
      "tenant-store.ts#DynamoTenantStore.putLifecycleRun",
      "tenant-store.ts#DynamoTenantStore.putRunWaiter",
      "tenant-store.ts#DynamoTenantStore.deleteRunWaiter", // answered: the token is not kept
      "pipeline.ts#CodePipelineRunner.status",
      "pipeline.ts#CodePipelineRunner.start",
      "task-callbacks.ts#StepFunctionsTaskCallbacks.succeed",
      "task-callbacks.ts#StepFunctionsTaskCallbacks.fail",
    ],
    idempotency: false,
  },
  "delete-namespace": {
    via: "core/lifecycle/steps.ts deleteNamespace",
    calls: [
      "tenant-store.ts#DynamoTenantStore.require",
      "cluster.ts#clusterFromEnvironment",
      "cluster.ts#KubernetesClusterProvisioner.revokeNamespaceAccess",
      "cluster.ts#KubernetesClusterProvisioner.deleteNamespace",
    ],
    idempotency: false,
  },
  "delete-identity": {
    via: "core/lifecycle/steps.ts deleteIdentity",
    calls: [
      "tenant-store.ts#DynamoTenantStore.require",
      "identity.ts#CognitoIdentityProvisioner.findPoolsForTenant",
      "identity.ts#CognitoIdentityProvisioner.deleteTenantIdentity",
      "tenant-store.ts#DynamoTenantStore.unlinkUserPool",
    ],
    idempotency: false,
  },
  reconcile: {
    via: "core/reconcile/pass.ts runReconcilePass (checks.ts, sweep.ts; core/onboarding/start.ts; core/billing/route.ts applyParked)",
    calls: [
      // Billing events left parked (no-parked-billing): applyToTenant, the event log, unpark.
      "billing-records.ts#DynamoBillingRecords.ensureBillingMaps",
      "billing-records.ts#DynamoBillingRecords.parkForTenant",
      "billing-records.ts#DynamoBillingRecords.mark",
      "billing-records.ts#DynamoBillingRecords.noteNewest",
      "billing-records.ts#DynamoBillingRecords.logEvent",
      "billing-records.ts#DynamoBillingRecords.unpark",
      "tenant-store.ts#DynamoTenantStore.get",
      "tenant-store.ts#DynamoTenantStore.getBySlug",
      "tenant-store.ts#DynamoTenantStore.markStep",
      "tenant-store.ts#DynamoTenantStore.transition",
      "tenant-store.ts#DynamoTenantStore.setResources",
      "tenant-store.ts#DynamoTenantStore.require",
      "tenant-store.ts#DynamoTenantStore.removePublishedEvent",
      "tenant-events.ts#EventBridgeTenantEvents.publish",
      "reconcile-store.ts#DynamoReconcileStore.page",
      "reconcile-store.ts#DynamoReconcileStore.count",
      "reconcile-store.ts#DynamoReconcileStore.statuses",
      "reconcile-store.ts#DynamoReconcileStore.loadCursor",
      "reconcile-store.ts#DynamoReconcileStore.saveCursor",
      "reconcile-store.ts#DynamoReconcileStore.record",
      "plan-store.ts#DynamoPlanStore.list",
      "workflows.ts#StepFunctionsWorkflows.start",
      "workflows.ts#StepFunctionsWorkflows.describe",
      "workflows.ts#StepFunctionsWorkflows.redrive",
      "workflows.ts#StepFunctionsWorkflows.history",
      "identity.ts#CognitoIdentityProvisioner.describePool",
      "identity.ts#CognitoIdentityProvisioner.appClientExists",
      "identity.ts#CognitoIdentityProvisioner.ensureAppClient",
      "identity.ts#CognitoIdentityProvisioner.listPools",
      "identity.ts#CognitoIdentityProvisioner.deleteTenantIdentity",
      "identity.ts#CognitoIdentityProvisioner.enabledUsers",
      "identity.ts#CognitoIdentityProvisioner.setUsersEnabled",
      "purge-schedules.ts#SchedulerPurgeSchedules.describe",
      "purge-schedules.ts#SchedulerPurgeSchedules.schedule",
      "cluster.ts#clusterFromEnvironment",
      "cluster.ts#KubernetesClusterProvisioner.apply",
      "cluster.ts#KubernetesClusterProvisioner.read",
      "cluster.ts#KubernetesClusterProvisioner.listManagedNamespaces",
      "cluster.ts#KubernetesClusterProvisioner.startNamespaceDelete",
      "cluster.ts#KubernetesClusterProvisioner.remove",
      "pipeline.ts#CodePipelineRunner.status",
      "pipeline.ts#CodePipelineRunner.stop",
      "dead-letters.ts#SqsDeadLetterQueue.depth",
      "dead-letters.ts#SqsDeadLetterQueue.receive",
      "dead-letters.ts#SqsDeadLetterQueue.remove",
      "dead-letters.ts#SqsDeadLetterQueue.release",
    ],
    idempotency: false,
  },
};
