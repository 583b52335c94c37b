/**
 * The secrets scan after the soak: every execution history, every log line of the cloud, every DynamoDB item,
 * every SQS message and every email body except the invitations themselves, searched for the temporary passwords
 * (read from the invitations), the webhook signing secret, task tokens (read from the histories) and the AWS
 * credentials the cloud ran with. Task tokens are not searched in the TaskScheduled events that hand them out
 * (AWS's own histories show the Parameters with `$$.Task.Token` resolved).
 */
import { readFile } from "node:fs/promises";
import type { HistoryEvent } from "@aws-sdk/client-sfn";
import type { Message } from "@aws-sdk/client-sqs";
import type { StoredEmail } from "./audit.js";

export interface Secrets {
  webhookSecret: string;
  awsAccessKeyId: string;
  awsSecretAccessKey: string;
}

export interface SecretHit {
  secret: string;
  where: string;
}

const isInvitation = (e: StoredEmail) =>
  /Temporary password/i.test(`${e.body?.html ?? ""}${e.body?.text ?? ""}`);

export function temporaryPasswords(emails: StoredEmail[]): string[] {
  const found = new Set<string>();
  for (const e of emails.filter(isInvitation)) {
    const m = /Temporary password:\s*(?:<strong>)?([^<\s]+)/i.exec(
      `${e.body?.html ?? ""} ${e.body?.text ?? ""}`,
    );
    if (m?.[1]) found.add(m[1]);
  }
  return [...found];
}

export function taskTokens(histories: Map<string, HistoryEvent[]>): string[] {
  const found = new Set<string>();
  for (const events of histories.values()) {
    for (const h of events) {
      const params = h.taskScheduledEventDetails?.parameters;
      if (!params) continue;
      for (const m of params.matchAll(/"(?:taskToken|TaskToken)"\s*:\s*"([^"]+)"/g)) found.add(m[1]!);
    }
  }
  return [...found];
}

export async function scanForSecrets(input: {
  secrets: Secrets;
  emails: StoredEmail[];
  histories: Map<string, HistoryEvent[]>;
  items: Record<string, unknown>[];
  queueMessages: Array<{ queue: string; message: Message }>;
  logFile: string;
}): Promise<{ hits: SecretHit[]; searched: Record<string, number>; looked: Record<string, number> }> {
  const passwords = temporaryPasswords(input.emails);
  const tokens = taskTokens(input.histories);
  const named: Array<[string, string]> = [
    ...passwords.map((p) => [`temporary password ${p.slice(0, 2)}…`, p] as [string, string]),
    ...tokens.map((t) => [`task token ${t.slice(0, 8)}…`, t] as [string, string]),
    ["webhook secret", input.secrets.webhookSecret],
    ["AWS access key id", input.secrets.awsAccessKeyId],
    ["AWS secret access key", input.secrets.awsSecretAccessKey],
  ];
  const hits: SecretHit[] = [];
  const searched: Record<string, number> = {};
  const scan = (where: string, text: string, opts: { tokens?: boolean } = {}) => {
    const kind = where.split(" ")[0]!;
    searched[kind] = (searched[kind] ?? 0) + 1;
    for (const [name, value] of named) {
      if (opts.tokens === false && name.startsWith("task token")) continue;
      if (value.length >= 6 && text.includes(value)) hits.push({ secret: name, where });
    }
  };
  for (const [arn, events] of input.histories) {
    for (const h of events) {
      scan(`history ${arn.split(":").at(-1)} #${h.id} ${h.type}`, JSON.stringify(h), {
        tokens: h.type !== "TaskScheduled",
      });
    }
  }
  const log = await readFile(input.logFile, "utf8").catch(() => "");
  for (const [i, line] of log.split("\n").entries()) scan(`log line ${i + 1}`, line);
  for (const item of input.items) scan(`item ${String(item.pk)}`, JSON.stringify(item));
  for (const { queue, message } of input.queueMessages)
    scan(`message ${queue} ${message.MessageId}`, JSON.stringify(message));
  for (const e of input.emails) {
    if (isInvitation(e)) continue;
    scan(`email "${e.subject}" to ${e.destination?.to?.join(",")}`, JSON.stringify(e));
  }
  return {
    hits,
    searched,
    looked: { temporaryPasswords: passwords.length, taskTokens: tokens.length },
  };
}
