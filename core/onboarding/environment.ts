/**
 * Builds the steps' dependencies from the standard Lambda environment (see stacks/ and local/wiring/ for
 * the variables). AWS clients honour AWS_ENDPOINT_URL, so the same code runs on the local cloud.
 */
import { clusterFromEnvironment } from "../adapters/cluster.js";
import { requireEnv } from "../adapters/dynamo.js";
import { CognitoIdentityProvisioner } from "../adapters/identity.js";
import { SesMailSender } from "../adapters/mail-sender.js";
import { PipelineRunner } from "../adapters/pipeline.js";
import { PlanStore } from "../adapters/plan-store.js";
import { JsonQueue } from "../adapters/queues.js";
import { TaskCallbacks } from "../adapters/task-callbacks.js";
import { TenantStore } from "../adapters/tenant-store.js";
import { Workflows } from "../adapters/workflows.js";
import type { MailSettings } from "../mail/tenant-email.js";
import type { OnboardingDeps } from "./deps.js";

export function onboardingDeps(env: NodeJS.ProcessEnv = process.env): OnboardingDeps {
  return {
    tenants: TenantStore.fromEnvironment(env),
    plans: PlanStore.fromEnvironment(env),
    identity: new CognitoIdentityProvisioner(),
    cluster: () => clusterFromEnvironment(env),
    pipeline: new PipelineRunner(env.PIPELINE_NAME ?? "embark-tenant-pipeline"),
    tasks: new TaskCallbacks(),
  };
}

export const signupsQueue = (env: NodeJS.ProcessEnv = process.env) =>
  new JsonQueue(requireEnv("SIGNUPS_QUEUE_URL", env));
export const onboardingStateMachineArn = (env: NodeJS.ProcessEnv = process.env) =>
  requireEnv("ONBOARDING_STATE_MACHINE_ARN", env);
export const workflows = () => new Workflows();

export function mailSettings(env: NodeJS.ProcessEnv = process.env): MailSettings & { from: string } {
  return {
    from: env.EMBARK_SENDER_EMAIL ?? "Embark <no-reply@embark.example.com>",
    appUrl: env.EMBARK_APP_URL ?? "https://app.embark.example.com",
    supportEmail: env.EMBARK_SUPPORT_EMAIL ?? "support@embark.example.com",
  };
}

export const mailSender = (env: NodeJS.ProcessEnv = process.env) =>
  new SesMailSender(mailSettings(env).from, undefined, env.SES_CONFIGURATION_SET || undefined);
