/**
 * SES: the sending identity is the user's, verified beforehand (a domain or address; out of the sandbox for
 * real tenants). Embark adds a configuration set per stage with reputation metrics (bounce and complaint rates).
 */
import type { EmbarkConfig } from "./config.js";
import type { Context } from "./context.js";

export interface Email {
  configurationSet: aws.sesv2.ConfigurationSet;
  identityArn: $util.Output<string>;
  configurationSetArn: $util.Output<string>;
}

export function createEmail(ctx: Context, config: EmbarkConfig): Email {
  const name = ctx.physicalName("mail");
  const configurationSet = new aws.sesv2.ConfigurationSet("MailConfigurationSet", {
    configurationSetName: name,
    reputationOptions: { reputationMetricsEnabled: true },
    sendingOptions: { sendingEnabled: true },
  });
  return {
    configurationSet,
    identityArn: ctx.arn("ses", $interpolate`identity/${config.sesIdentity}`),
    configurationSetArn: ctx.arn(
      "ses",
      $interpolate`configuration-set/${configurationSet.configurationSetName}`,
    ),
  };
}
