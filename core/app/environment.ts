/**
 * Builds what the functions' core code needs from the standard Lambda environment (the variables resources.ts
 * names; stacks/ and the local cloud set them). Each dependency is made on first use, so a function builds only
 * the clients its code calls; AWS clients honour AWS_ENDPOINT_URL, so the same code runs on the local cloud.
 */
import { DynamoBillingRecords } from "../adapters/billing-records.js";
import { clusterFromEnvironment } from "../adapters/cluster.js";
import { CognitoIdentityProvisioner } from "../adapters/identity.js";
import { SesMailSender } from "../adapters/mail-sender.js";
import { CodePipelineRunner } from "../adapters/pipeline.js";
import { DynamoPlanStore } from "../adapters/plan-store.js";
import { SqsJsonQueue } from "../adapters/queues.js";
import { StepFunctionsTaskCallbacks } from "../adapters/task-callbacks.js";
import { DynamoTenantStore } from "../adapters/tenant-store.js";
import { StepFunctionsWorkflows } from "../adapters/workflows.js";
import type { BillingDeps } from "../billing/deps.js";
import type { LifecycleDeps } from "../lifecycle/deps.js";
import type { MailDeps } from "../mail/tenant-email.js";
import type { ClusterProvisioner } from "../ports.js";
import { LIFECYCLE_WORKFLOWS, type LifecycleWorkflow, STATE_MACHINE_OF } from "../workflow/names.js";
import { BUSES, LOCAL_NAMES, QUEUES, requireEnv, SETTINGS, STATE_MACHINES } from "./resources.js";

export interface AppDeps extends Omit<LifecycleDeps, "records">, BillingDeps, MailDeps {
  onboardingStateMachineArn: string;
  billingBusName: string;
}

/** Every dependency of Embark's functions, each made when first read. */
export function appDeps(env: NodeJS.ProcessEnv = process.env): AppDeps {
  const made = new Map<string, unknown>();
  const once =
    <T>(key: string, make: () => T) =>
    (): T => {
      if (!made.has(key)) made.set(key, make());
      return made.get(key) as T;
    };
  const tenants = once("tenants", () => DynamoTenantStore.fromEnvironment(env));
  const plans = once("plans", () => DynamoPlanStore.fromEnvironment(env));
  const records = once("records", () => DynamoBillingRecords.fromEnvironment(env));
  const identity = once("identity", () => new CognitoIdentityProvisioner());
  const pipeline = once(
    "pipeline",
    () => new CodePipelineRunner(env[SETTINGS.pipelineName] ?? LOCAL_NAMES.pipeline),
  );
  const tasks = once("tasks", () => new StepFunctionsTaskCallbacks());
  const workflows = once("workflows", () => new StepFunctionsWorkflows());
  const signups = once("signups", () => new SqsJsonQueue(requireEnv(QUEUES.signups.env, env)));
  const sender = once(
    "sender",
    () =>
      new SesMailSender(mailSettings(env).from, undefined, env[SETTINGS.sesConfigurationSet] || undefined),
  );
  const stateMachines = once(
    "stateMachines",
    () =>
      Object.fromEntries(
        LIFECYCLE_WORKFLOWS.map((wf) => [wf, requireEnv(STATE_MACHINES[STATE_MACHINE_OF[wf]].env, env)]),
      ) as Record<LifecycleWorkflow, string>,
  );
  return {
    get tenants() {
      return tenants();
    },
    get plans() {
      return plans();
    },
    get records() {
      return records();
    },
    get identity() {
      return identity();
    },
    // A fresh cluster connection per invocation: EKS tokens expire after minutes.
    cluster: (): Promise<ClusterProvisioner> => clusterFromEnvironment(env),
    get pipeline() {
      return pipeline();
    },
    get tasks() {
      return tasks();
    },
    get workflows() {
      return workflows();
    },
    get signups() {
      return signups();
    },
    get sender() {
      return sender();
    },
    get settings() {
      return mailSettings(env);
    },
    get stateMachines() {
      return stateMachines();
    },
    get onboardingStateMachineArn() {
      return requireEnv(STATE_MACHINES.onboarding.env, env);
    },
    get billingBusName() {
      return requireEnv(BUSES.billing.env, env);
    },
  };
}

/** Addresses tenant emails use; defaults for a local run without the stage settings. */
export function mailSettings(env: NodeJS.ProcessEnv = process.env) {
  return {
    from: env[SETTINGS.senderEmail] ?? "Embark <no-reply@embark.example.com>",
    appUrl: env[SETTINGS.appUrl] ?? "https://app.embark.example.com",
    supportEmail: env[SETTINGS.supportEmail] ?? "support@embark.example.com",
  };
}
