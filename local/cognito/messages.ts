/**
 * Cognito's own emails (the AdminCreateUser invitation with the temporary password, verification and password
 * reset codes) sent through the local SES, so they land in the same mail store as every other email
 * (`/_aws/ses`, the console's mail view), as a pool with EmailSendingAccount DEVELOPER sends them through SES on
 * AWS. cognito-local's stock sender prints them, code included, to the console: this replaces it, and nothing
 * here logs a message or its code.
 *
 * Wording: the pool's AdminCreateUserConfig.InviteMessageTemplate for invitations, VerificationMessageTemplate
 * (or EmailVerificationMessage/Subject) for codes, else Cognito's defaults; `{username}` and `{####}` filled in
 * as Cognito does. From: the pool's EmailConfiguration.From, else Cognito's own default sender. SMS is not sent
 * (the local cloud has no SMS store).
 */
import { type SESClient, SendEmailCommand } from "@aws-sdk/client-ses";
import {
  attribute,
  type CognitoLocalService,
  type Ctx,
  type LocalUser,
  type PoolOptions,
} from "./services.js";

/** Cognito's sender when a pool does not mail through its developer's SES identity. */
export const COGNITO_DEFAULT_FROM = "no-reply@verificationemail.com";

const DEFAULTS = {
  invitation: {
    subject: "Your temporary password",
    message: "Your username is {username} and temporary password is {####}.",
  },
  code: { subject: "Your verification code", message: "Your verification code is {####}." },
};

interface Delivery {
  DeliveryMedium: string;
  Destination: string;
}

/** The message for one of cognito-local's delivery sources (AdminCreateUser, ForgotPassword, SignUp, …). */
export function cognitoMessage(
  pool: PoolOptions,
  source: string,
  user: LocalUser,
  code: string,
): { subject: string; html: string } {
  const invite = source === "AdminCreateUser";
  const template = invite
    ? pool.AdminCreateUserConfig?.InviteMessageTemplate
    : (pool.VerificationMessageTemplate ?? {
        EmailSubject: pool.EmailVerificationSubject,
        EmailMessage: pool.EmailVerificationMessage,
      });
  const fallback = invite ? DEFAULTS.invitation : DEFAULTS.code;
  // In a pool that signs in by email, the name a person signs in with is the address.
  const username = pool.UsernameAttributes?.includes("email")
    ? (attribute(user, "email") ?? user.Username)
    : user.Username;
  const fill = (text: string) => text.replaceAll("{username}", username).replaceAll("{####}", code);
  return {
    subject: fill(template?.EmailSubject || fallback.subject),
    html: fill(template?.EmailMessage || fallback.message),
  };
}

export class SesMessages {
  constructor(
    private readonly cognito: CognitoLocalService,
    private readonly ses: SESClient,
  ) {}

  /** cognito-local's MessagesService.deliver: what its targets call to send a code or an invitation. */
  async deliver(
    ctx: Ctx,
    source: string,
    _clientId: string | null,
    userPoolId: string,
    user: LocalUser,
    code: string,
    _clientMetadata: unknown,
    delivery: Delivery,
  ): Promise<void> {
    if (delivery.DeliveryMedium !== "EMAIL") {
      ctx.logger.warn(`Cognito ${source} message by ${delivery.DeliveryMedium} not sent: no local SMS`);
      return;
    }
    const pool = (await this.cognito.getUserPool(ctx, userPoolId)).options;
    const message = cognitoMessage(pool, source, user, code);
    await this.ses.send(
      new SendEmailCommand({
        Source: pool.EmailConfiguration?.From || COGNITO_DEFAULT_FROM,
        Destination: { ToAddresses: [delivery.Destination] },
        Message: {
          Subject: { Data: message.subject, Charset: "UTF-8" },
          Body: { Html: { Data: message.html, Charset: "UTF-8" } },
        },
      }),
    );
  }
}
