/**
 * Sends one rendered email through SES (v1 SendEmail: what the local SES and every SES region accept), with the
 * stage's configuration set and the tags naming the email (its "Email Sent" event carries them).
 */
import { SESClient, SendEmailCommand } from "@aws-sdk/client-ses";
import type { RenderedEmail } from "../mail/render.js";
import type { MailSender } from "../ports.js";

export class SesMailSender implements MailSender {
  constructor(
    readonly from: string,
    // One attempt: SendEmail takes no idempotency token, so an SDK retry after a lost answer sends the email
    // twice. A failed send fails its message, which comes back after the visibility timeout, when SES's
    // confirmation of a send whose answer was lost is on the tenant record (core/mail/sent.ts).
    private readonly client = new SESClient({ maxAttempts: 1 }),
    readonly configurationSet?: string,
  ) {}

  async send(to: string, email: RenderedEmail, tags: Record<string, string> = {}): Promise<string> {
    const out = await this.client.send(
      new SendEmailCommand({
        Source: this.from,
        Destination: { ToAddresses: [to] },
        Message: {
          Subject: { Data: email.subject, Charset: "UTF-8" },
          Body: {
            Text: { Data: email.text, Charset: "UTF-8" },
            Html: { Data: email.html, Charset: "UTF-8" },
          },
        },
        ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
        // The configuration set's event destinations see them (`mail.tags` of the "Email Sent" event).
        ...(Object.keys(tags).length > 0
          ? { Tags: Object.entries(tags).map(([Name, Value]) => ({ Name, Value })) }
          : {}),
      }),
    );
    return out.MessageId ?? "";
  }
}
