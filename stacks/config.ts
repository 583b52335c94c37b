/**
 * Stage-aware settings, kept in SST secrets (SSM, per stage) so one `npx sst deploy --stage <stage>` needs no
 * edits to code. Set them once per stage: `npx sst secret set EksClusterName my-cluster --stage prod`.
 * Those without a placeholder are required: the deploy stops with "Set a value for <Name>" until they are set.
 * Except StripeWebhookSecret, none is secret: they are unwrapped so they show in plans and outputs.
 */
import type { Context } from "./context.js";

export interface EmbarkConfig {
  /** From address of tenant emails, e.g. `Embark <no-reply@example.com>`. */
  senderEmail: $util.Output<string>;
  /** The verified SES identity that address sends as: its domain (default) or the address itself. */
  sesIdentity: $util.Output<string>;
  appUrl: $util.Output<string>;
  supportEmail: $util.Output<string>;
  /** Existing EKS cluster that gets the tenant namespaces (not created by Embark). */
  eksClusterName: $util.Output<string>;
  /** IAM principal tenant admins use on the cluster; may contain `{slug}` for one role per tenant. */
  eksTenantAdminRoleArn: $util.Output<string>;
  /** Existing CodePipeline (V2) that deploys a tenant's dedicated resources from TENANT_* variables. */
  pipelineName: $util.Output<string>;
  /** Subscribed to the operators' alarm topic when set. */
  alarmEmail: $util.Output<string>;
  /** Stripe's webhook signing secret (a real secret: stays encrypted). Unset: the webhook answers 503. */
  stripeWebhookSecret: $util.Output<string>;
  /** Stripe's partner event bus (`aws.partner/stripe.com/…`), when Stripe sends to EventBridge directly. */
  stripePartnerEventBus: $util.Output<string>;
  /** HTTP API throttling for the whole stage, and tighter for the public signup route. */
  throttle: { rateLimit: number; burstLimit: number; signupRateLimit: number; signupBurstLimit: number };
  logRetention: "2 weeks" | "3 months";
}

/** Secret names and whether a deploy needs them set (the README lists the same). */
export const CONFIG_SECRETS = {
  SenderEmail: { required: true },
  SesIdentity: { required: false },
  AppUrl: { required: false },
  SupportEmail: { required: false },
  EksClusterName: { required: true },
  EksTenantAdminRoleArn: { required: true },
  PipelineName: { required: true },
  AlarmEmail: { required: false },
  StripeWebhookSecret: { required: false },
  StripePartnerEventBus: { required: false },
} as const;
export type ConfigSecret = keyof typeof CONFIG_SECRETS;

export function loadConfig(ctx: Context): EmbarkConfig {
  const value = (name: ConfigSecret, placeholder?: string) =>
    $util.unsecret(new sst.Secret(name, placeholder).value);
  const senderEmail = value("SenderEmail");
  const identity = value("SesIdentity", "");
  return {
    senderEmail,
    sesIdentity: $util.all([identity, senderEmail]).apply(([id, sender]) => id || senderDomain(sender)),
    // Unset: the API's own sign-in page (GET /login), see stacks/index.ts.
    appUrl: value("AppUrl", ""),
    supportEmail: value("SupportEmail", "support@example.com"),
    eksClusterName: value("EksClusterName"),
    eksTenantAdminRoleArn: value("EksTenantAdminRoleArn"),
    pipelineName: value("PipelineName"),
    alarmEmail: value("AlarmEmail", ""),
    stripeWebhookSecret: new sst.Secret("StripeWebhookSecret", "").value,
    stripePartnerEventBus: value("StripePartnerEventBus", ""),
    throttle: ctx.production
      ? { rateLimit: 200, burstLimit: 400, signupRateLimit: 20, signupBurstLimit: 40 }
      : { rateLimit: 20, burstLimit: 40, signupRateLimit: 5, signupBurstLimit: 10 },
    logRetention: ctx.production ? "3 months" : "2 weeks",
  };
}

/** `Embark <no-reply@mail.example.com>` → `mail.example.com`. */
export function senderDomain(sender: string): string {
  const address = /<([^>]+)>/.exec(sender)?.[1] ?? sender;
  const domain = address.split("@")[1]?.trim();
  if (!domain) throw new Error(`SenderEmail "${sender}" is not an email address`);
  return domain;
}
