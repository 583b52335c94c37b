/**
 * The mail the local SES accepted, from the local cloud's edge (GET /_aws/ses, as LocalStack serves it). Local
 * only: AWS keeps no copy of sent mail.
 */

export interface MailMessage {
  messageId: string;
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  html?: string;
  text?: string;
  at: Date;
}

/** Every message, newest first. */
export async function readMail(edgeUrl: string): Promise<MailMessage[]> {
  const res = await fetch(`${edgeUrl}/_aws/ses`);
  if (!res.ok) throw new Error(`GET /_aws/ses answered ${res.status}`);
  const store = (await res.json()) as { emails?: Array<Record<string, unknown>> };
  return (store.emails ?? [])
    .map((e): MailMessage => {
      const destination = (e.destination ?? {}) as { to?: unknown; cc?: unknown };
      const body = (e.body ?? {}) as { html?: unknown; text?: unknown };
      const at = typeof e.at === "number" ? e.at : 0;
      return {
        messageId: String(e.messageId ?? ""),
        from: String(e.from ?? ""),
        to: list(destination.to),
        cc: list(destination.cc),
        subject: String(e.subject ?? ""),
        ...(typeof body.html === "string" ? { html: body.html } : {}),
        ...(typeof body.text === "string" ? { text: body.text } : {}),
        // aws-ses-v2-local stamps seconds; tolerate milliseconds.
        at: new Date(at < 1e12 ? at * 1000 : at),
      };
    })
    .reverse();
}

/** The messages addressed to `email` (tenant emails are stored lower-cased). */
export function sentTo(messages: readonly MailMessage[], email: string): MailMessage[] {
  return messages.filter((m) => m.to.some((to) => addressOf(to) === email));
}

/** "Name <a@b.c>" or "a@b.c" → "a@b.c", lower-cased. */
function addressOf(recipient: string): string {
  const m = /<([^>]+)>/.exec(recipient);
  return (m?.[1] ?? recipient).trim().toLowerCase();
}

function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  return typeof v === "string" && v ? [v] : [];
}
