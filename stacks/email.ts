/**
 * SES: the sending identity is the user's, verified beforehand (a domain or address; out of the sandbox for
 * real tenants). Embark adds a configuration set per stage with reputation metrics (bounce and complaint rates)
 * and an EventBridge event destination (SES's "Email Sent" on the default bus, the only bus SES publishes to:
 * record-email-sent notes each tenant email on its record, core/mail/sent.ts), and a sending authorization policy on the identity that lets Cognito send the tenant pools' mail
 * (invitations, password reset codes) through it (EmailSendingAccount DEVELOPER), for this account's pools only.
 */
import { MAIL_CONFIGURATION_SET } from "../core/app/resources.js";
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
  new aws.sesv2.ConfigurationSetEventDestination("MailEvents", {
    configurationSetName: configurationSet.configurationSetName,
    eventDestinationName: MAIL_CONFIGURATION_SET.eventDestination,
    eventDestination: {
      enabled: true,
      matchingEventTypes: [...MAIL_CONFIGURATION_SET.eventTypes],
      eventBridgeDestination: { eventBusArn: ctx.arn("events", "event-bus/default") },
    },
  });
  const identityArn = ctx.arn("ses", $interpolate`identity/${config.sesIdentity}`);
  new aws.ses.IdentityPolicy("CognitoSendsAsEmbark", {
    identity: config.sesIdentity,
    name: ctx.physicalName("cognito"),
    policy: $util
      .all([identityArn, ctx.accountId, ctx.arn("cognito-idp", "userpool/*")])
      .apply(([resource, account, pools]) =>
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "email.cognito-idp.amazonaws.com" },
              Action: ["ses:SendEmail", "ses:SendRawEmail"],
              Resource: resource,
              Condition: {
                StringEquals: { "aws:SourceAccount": account },
                ArnLike: { "aws:SourceArn": pools },
              },
            },
          ],
        }),
      ),
  });
  return {
    configurationSet,
    identityArn,
    configurationSetArn: ctx.arn(
      "ses",
      $interpolate`configuration-set/${configurationSet.configurationSetName}`,
    ),
  };
}
