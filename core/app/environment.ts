/**
 * Builds what the functions' core code needs from the standard Lambda environment (the variables resources.ts
 * names; stacks/ and the local cloud set them). Each dependency is made on first use, so a function builds only
 * the clients its code calls; AWS clients honour AWS_ENDPOINT_URL, so the same code runs on the local cloud.
 */
import { DynamoBillingRecords } from "../adapters/billing-records.js";
import { clusterFromEnvironment } from "../adapters/cluster.js";
import { SqsDeadLetterQueue } from "../adapters/dead-letters.js";
import { documentClient } from "../adapters/dynamo.js";
import { CognitoIdentityProvisioner } from "../adapters/identity.js";
import { SesMailSender } from "../adapters/mail-sender.js";
import { CodePipelineRunner } from "../adapters/pipeline.js";
import { DynamoPlanStore } from "../adapters/plan-store.js";
import { SqsJsonQueue } from "../adapters/queues.js";
import { DynamoReconcileStore } from "../adapters/reconcile-store.js";
import { StepFunctionsTaskCallbacks } from "../adapters/task-callbacks.js";
import { DynamoTenantStore } from "../adapters/tenant-store.js";
import { StepFunctionsWorkflows } from "../adapters/workflows.js";
import type { BillingDeps } from "../billing/deps.js";
import type { LifecycleDeps } from "../lifecycle/deps.js";
import type { MailDeps } from "../mail/tenant-email.js";
import type { ClusterProvisioner } from "../ports.js";
import type { ReconcileDeps } from "../reconcile/deps.js";
import { LIFECYCLE_WORKFLOWS, type LifecycleWorkflow, STATE_MACHINE_OF } from "../workflow/names.js";
import { BUSES, LOCAL_NAMES, QUEUES, requireEnv, SETTINGS, STATE_MACHINES, TABLES } from "./resources.js";

export interface AppDeps extends Omit<LifecycleDeps, "records">, BillingDeps, MailDeps {
  onboardingStateMachineArn: string;
  billingBusName: string;
}

/** Every dependency of Embark's functions, each made when first read. */
export function appDeps(env: NodeJS.ProcessEnv = process.env): AppDeps {
  return lazily<AppDeps>({
    tenants: () => DynamoTenantStore.fromEnvironment(env),
    plans: () => DynamoPlanStore.fromEnvironment(env),
    records: () => new DynamoBillingRecords(documentClient(), requireEnv(TABLES.tenants.env, env)),
    identity: () => new CognitoIdentityProvisioner(),
    // A fresh cluster connection per invocation: EKS tokens expire after minutes.
    cluster: () => (): Promise<ClusterProvisioner> => clusterFromEnvironment(env),
    pipeline: () => new CodePipelineRunner(env[SETTINGS.pipelineName] ?? LOCAL_NAMES.pipeline),
    tasks: () => new StepFunctionsTaskCallbacks(),
    workflows: () => new StepFunctionsWorkflows(),
    signups: () => new SqsJsonQueue(requireEnv(QUEUES.signups.env, env)),
    sender: () =>
      new SesMailSender(mailSettings(env).from, undefined, env[SETTINGS.sesConfigurationSet] || undefined),
    settings: () => mailSettings(env),
    stateMachines: () =>
      Object.fromEntries(
        LIFECYCLE_WORKFLOWS.map((wf) => [wf, requireEnv(STATE_MACHINES[STATE_MACHINE_OF[wf]].env, env)]),
      ) as Record<LifecycleWorkflow, string>,
    onboardingStateMachineArn: () => requireEnv(STATE_MACHINES.onboarding.env, env),
    billingBusName: () => requireEnv(BUSES.billing.env, env),
  });
}

/** What the reconciler needs (core/reconcile): the same adapters, plus its store and the DLQs to sweep. */
export function reconcileDeps(env: NodeJS.ProcessEnv = process.env): ReconcileDeps {
  const app = appDeps(env);
  return lazily<ReconcileDeps>({
    tenants: () => app.tenants,
    store: () => DynamoReconcileStore.fromEnvironment(env),
    plans: () => app.plans,
    identity: () => new CognitoIdentityProvisioner(),
    cluster: () => () => clusterFromEnvironment(env),
    workflows: () => new StepFunctionsWorkflows(),
    pipeline: () => new CodePipelineRunner(env[SETTINGS.pipelineName] ?? LOCAL_NAMES.pipeline),
    deadLetters: () =>
      Object.values(QUEUES).flatMap((q) =>
        q.dlqEnv && env[q.dlqEnv] ? [new SqsDeadLetterQueue(env[q.dlqEnv]!)] : [],
      ),
    onboardingStateMachineArn: () => requireEnv(STATE_MACHINES.onboarding.env, env),
    offboardStateMachineArn: () => requireEnv(STATE_MACHINES.offboard.env, env),
    now: () => () => new Date(),
  });
}

/** An object whose properties are made by their factories on first read, then kept. */
function lazily<T extends object>(factories: { [K in keyof T]: () => T[K] }): T {
  const made = {} as T;
  for (const key of Object.keys(factories) as (keyof T)[]) {
    Object.defineProperty(made, key, {
      enumerable: true,
      get() {
        const value = factories[key]();
        Object.defineProperty(made, key, { value, enumerable: true });
        return value;
      },
      configurable: true,
    });
  }
  return made;
}

/** Addresses tenant emails use; defaults for a local run without the stage settings. */
export function mailSettings(env: NodeJS.ProcessEnv = process.env) {
  return {
    from: env[SETTINGS.senderEmail] ?? "Embark <no-reply@embark.example.com>",
    appUrl: env[SETTINGS.appUrl] ?? "https://app.embark.example.com",
    supportEmail: env[SETTINGS.supportEmail] ?? "support@embark.example.com",
  };
}
