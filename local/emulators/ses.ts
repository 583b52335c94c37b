// aws-ses-v2-local: SES v1 SendEmail/SendRawEmail and the v2 API. Any other v1 action hangs (callers set timeouts).
// Sent mail is readable at GET <url>/store and cleared with POST <url>/clear-store.
// Durability: the package keeps mail in memory. We journal each accepted message (one JSON line, fsynced) under
// the state dir before its answer leaves, and load the journal back at start, so mail SES accepted survives a
// kill. Email templates stay in memory only (Embark renders its own).
// Event publishing (ours; the package has none): configuration sets with EventBridge event destinations, as
// SES v2 CreateConfigurationSet + CreateConfigurationSetEventDestination make them, registered in process by
// `putConfigurationSet` (the mount) and kept in `configuration-sets.json` (atomic). A SendEmail/SendRawEmail
// (v1: ConfigurationSetName, Tags.member.N) or v2 SendEmail (ConfigurationSetName, EmailTags) naming such a set
// journals the mail with its set and tags, then puts SES's "Email Sent" event (source aws.ses, detail eventType
// Send, mail with messageId, timestamp, destination, headers and tags as {name: [value]}, send {}) on the bus
// through the edge (PutEvents answers once its deliveries are journaled), marks the mail published in the
// journal, and only then answers. A kill between the journal write and the publish: at the next start the mail
// journaled without its mark is published then (at least once, as the consumer expects). Copied from AWS: the
// event's shape and detail-type, SES's own tags (ses:configuration-set, ses:from-domain, ses:source-ip,
// ses:caller-identity), the set's ARN in `resources`, SEND only, the default bus. Gaps: the v2 configuration-set
// API itself is not served (sets are registered in process); only the SEND event type and EventBridge
// destinations; a PutEvents that fails after its retries leaves the mail unmarked until the next start (AWS
// publishes best effort, without that second chance); no reputation metrics, suppression or sending quotas.
import { mkdir, open } from "node:fs/promises";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { localClientConfig } from "../aws/client-config.js";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "../aws/constants.js";
import { describeDamage, readJsonState, readTextIfExists, writeFileAtomic } from "../aws/state-file.js";
import { close } from "./listen.js";
import type { RunningEmulator } from "./types.js";

const require = createRequire(import.meta.url);

type StartSes = (config?: { host?: string; port?: number }) => Promise<Server>;
/** A message as the package stores it, plus what we journal with it. */
interface StoredMail {
  messageId: string;
  from?: string;
  destination?: { to?: string[]; cc?: string[]; bcc?: string[] };
  subject?: string;
  /** Epoch seconds (the package's). */
  at?: number;
  configurationSetName?: string;
  tags?: Record<string, string>;
  /** Its sending events are on their buses. */
  eventsPublished?: boolean;
}
interface MailStore {
  emails: StoredMail[];
}

/** A configuration set and its event destinations (SES v2's shapes, the EventBridge kind only). */
export interface ConfigurationSet {
  name: string;
  eventDestinations: Array<{
    name: string;
    enabled: boolean;
    matchingEventTypes: string[];
    eventBridgeDestination: { eventBusArn: string };
  }>;
}

export interface RunningSes extends RunningEmulator {
  /** CreateConfigurationSet with its event destinations, or replaces them (boot-time wiring, in process). */
  putConfigurationSet(set: ConfigurationSet): Promise<void>;
  /** Publishes the events of journaled mail a kill left unpublished (once EventBridge is behind the edge). */
  resumeEvents(): Promise<void>;
}

export const SES_JOURNAL = "mail.jsonl";
const CONFIGURATION_SETS = "configuration-sets.json";

export async function startSes(stateDir?: string, edgeUrl?: string): Promise<RunningSes> {
  // The package is CJS with an ESM-style default export: unwrap whichever shape the loader gives us.
  const mod = require("aws-ses-v2-local") as StartSes | { default: StartSes };
  const start = typeof mod === "function" ? mod : mod.default;
  const { getStoreReadonly } = require("aws-ses-v2-local/dist/store") as { getStoreReadonly(): MailStore };
  const server = await start({ host: "127.0.0.1", port: 0 });
  const store = getStoreReadonly();
  const setsPath = stateDir && join(stateDir, CONFIGURATION_SETS);
  const sets = new Map<string, ConfigurationSet>(
    ((setsPath && (await readJsonState<ConfigurationSet[]>(setsPath, "ses"))) || []).map((c) => [c.name, c]),
  );
  const events = edgeUrl
    ? new EventBridgeClient({ ...localClientConfig(edgeUrl), maxAttempts: 6 })
    : undefined;
  const mailJournal = stateDir
    ? await journal(server, store, join(stateDir, SES_JOURNAL), (mail) => publish(mail))
    : undefined;

  /** Puts the mail's "Email Sent" event on each EventBridge destination of its set; true once all took it. */
  async function publish(mail: StoredMail): Promise<boolean> {
    const set = mail.configurationSetName ? sets.get(mail.configurationSetName) : undefined;
    const destinations = (set?.eventDestinations ?? []).filter(
      (d) => d.enabled && d.matchingEventTypes.includes("SEND"),
    );
    if (!set || destinations.length === 0 || !events) return true;
    try {
      for (const d of destinations) {
        const out = await events.send(
          new PutEventsCommand({
            Entries: [emailSentEntry(mail, set.name, d.eventBridgeDestination.eventBusArn)],
          }),
        );
        if (out.FailedEntryCount) throw new Error(JSON.stringify(out.Entries));
      }
      return true;
    } catch (err) {
      console.warn(
        `[ses] could not publish Email Sent of ${mail.messageId} (published at the next start):`,
        (err as Error).message,
      );
      return false;
    }
  }

  const { port } = server.address() as AddressInfo;
  return {
    signingNames: ["ses", "email"],
    url: `http://127.0.0.1:${port}`,
    stop: () => close(server),
    async putConfigurationSet(set) {
      sets.set(set.name, structuredClone(set));
      if (setsPath) await writeFileAtomic(setsPath, `${JSON.stringify([...sets.values()], null, 2)}\n`);
    },
    async resumeEvents() {
      if (!mailJournal) return;
      const owed = store.emails.filter((m) => m.configurationSetName && !m.eventsPublished);
      for (const mail of owed) await mailJournal.published(mail, await publish(mail));
    },
  };
}

/** SES's "Email Sent" event of a mail (event publishing to EventBridge), as PutEvents takes it. */
function emailSentEntry(mail: StoredMail, setName: string, bus: string) {
  const from = mail.from ?? "";
  const fromDomain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? "";
  const to = mail.destination?.to ?? [];
  const timestamp = new Date((mail.at ?? Date.now() / 1000) * 1000).toISOString();
  const arn = (resource: string) => `arn:aws:ses:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${resource}`;
  return {
    Source: "aws.ses",
    DetailType: "Email Sent",
    EventBusName: bus,
    Resources: [arn(`configuration-set/${setName}`)],
    Time: new Date(timestamp),
    Detail: JSON.stringify({
      eventType: "Send",
      mail: {
        timestamp,
        source: from,
        sourceArn: arn(`identity/${fromDomain}`),
        sendingAccountId: LOCAL_ACCOUNT_ID,
        messageId: mail.messageId,
        destination: [...to, ...(mail.destination?.cc ?? []), ...(mail.destination?.bcc ?? [])],
        headersTruncated: false,
        headers: [
          { name: "From", value: from },
          { name: "To", value: to.join(", ") },
          { name: "Subject", value: mail.subject ?? "" },
        ],
        commonHeaders: { from: [from], to, messageId: mail.messageId, subject: mail.subject ?? "" },
        tags: {
          "ses:configuration-set": [setName],
          "ses:source-ip": ["127.0.0.1"],
          "ses:from-domain": [fromDomain],
          "ses:caller-identity": ["local"],
          ...Object.fromEntries(Object.entries(mail.tags ?? {}).map(([k, v]) => [k, [v]])),
        },
      },
      send: {},
    }),
  };
}

/** The configuration set and tags a send request names (v1 form fields or v2 JSON). */
function sendingOptions(body: unknown): Pick<StoredMail, "configurationSetName" | "tags"> {
  if (typeof body !== "object" || body === null) return {};
  const b = body as Record<string, unknown>;
  const tags: Record<string, string> = {};
  if (Array.isArray(b.EmailTags)) {
    for (const t of b.EmailTags as Array<{ Name?: unknown; Value?: unknown }>) {
      if (typeof t.Name === "string" && typeof t.Value === "string") tags[t.Name] = t.Value;
    }
  }
  for (let i = 1; typeof b[`Tags.member.${i}.Name`] === "string"; i++) {
    tags[b[`Tags.member.${i}.Name`] as string] = String(b[`Tags.member.${i}.Value`] ?? "");
  }
  const set = typeof b.ConfigurationSetName === "string" ? b.ConfigurationSetName : undefined;
  return { ...(set ? { configurationSetName: set } : {}), ...(Object.keys(tags).length ? { tags } : {}) };
}

/** The message id in a send's answer (v1 XML, v2 JSON). */
function answeredMessageId(chunk: unknown): string | undefined {
  const text = typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) ? chunk.toString("utf8") : "";
  return /<MessageId>([^<]+)<\/MessageId>|"MessageId"\s*:\s*"([^"]+)"/.exec(text)?.slice(1).find(Boolean);
}

/**
 * Loads the journal into the store, then journals every message the store gains before its answer is sent; a
 * message naming a configuration set is published (`publish`) after it is on disk and before its answer, and
 * marked published with a journal line of its own.
 */
async function journal(
  server: Server,
  store: MailStore,
  path: string,
  publish: (mail: StoredMail) => Promise<boolean>,
): Promise<{ published(mail: StoredMail, ok: boolean): Promise<void> }> {
  await mkdir(dirname(path), { recursive: true });
  store.emails = await loadJournal(path);
  let emails = store.emails;
  let written = emails.length;
  let chain: Promise<void> = Promise.resolve();
  const rewrite = () => writeFileAtomic(path, emails.map((e) => `${JSON.stringify(e)}\n`).join(""));
  const append = async (lines: string[]) => {
    const fh = await open(path, "a");
    try {
      await fh.writeFile(lines.join(""));
      await fh.sync();
    } finally {
      await fh.close();
    }
  };
  const persist = (): Promise<void> => {
    chain = chain.then(async () => {
      if (store.emails !== emails) {
        // clear-store replaced the array: the journal starts again from what the store holds now.
        emails = store.emails;
        written = emails.length;
        await rewrite();
        return;
      }
      if (emails.length === written) return;
      const lines = emails.slice(written).map((e) => `${JSON.stringify(e)}\n`);
      written = emails.length;
      await append(lines);
    });
    return chain;
  };
  const published = async (mail: StoredMail, ok: boolean) => {
    if (!ok) return;
    mail.eventsPublished = true;
    // A lost mark only publishes the event once more at the next start.
    chain = chain.then(() => append([`${JSON.stringify({ eventsPublished: mail.messageId })}\n`]));
    await chain;
  };

  const [app] = server.listeners("request") as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    // The answer (SendEmail's MessageId) leaves only once the message is on disk and its events published.
    res.end = ((...args: unknown[]) => {
      const sending = req.method === "POST" && /^\/(v2\/email\/outbound-emails)?(\?|$)/.test(req.url ?? "");
      const id = sending && res.statusCode === 200 ? answeredMessageId(args[0]) : undefined;
      const found = id ? store.emails.findLast((e) => e.messageId === id) : undefined;
      const mail = found?.eventsPublished ? undefined : found;
      if (mail) Object.assign(mail, sendingOptions((req as IncomingMessage & { body?: unknown }).body));
      persist()
        .then(async () => {
          if (mail?.configurationSetName) await published(mail, await publish(mail));
        })
        .then(
          () => end(...args),
          (err: unknown) => {
            console.error(`[ses] could not journal accepted mail to ${path}:`, err);
            res.statusCode = 500;
            end();
          },
        );
      return res;
    }) as ServerResponse["end"];
    app!(req, res);
  });
  return { published };
}

/**
 * The journal's messages, with the marks of those whose events were published. A torn last line is a message
 * whose answer never left: dropped, and said so.
 */
async function loadJournal(path: string): Promise<StoredMail[]> {
  const text = await readTextIfExists(path);
  if (text === undefined) return [];
  const emails: StoredMail[] = [];
  const marks = new Set<string>();
  const bad: string[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const entry = JSON.parse(line) as StoredMail | { eventsPublished: string };
      if ("messageId" in entry) emails.push(entry);
      else marks.add(entry.eventsPublished);
    } catch {
      bad.push(line);
    }
  }
  for (const mail of emails) if (marks.has(mail.messageId)) mail.eventsPublished = true;
  if (bad.length > 0 || marks.size > 0) {
    if (bad.length > 0) {
      // No excerpt: mail bodies can hold invitation codes.
      const { holds } = describeDamage(bad.join("\n"));
      console.warn(
        `[ses] mail journal ${path} holds ${bad.length} unreadable line(s) (${holds}); skipped them and kept ` +
          `${emails.length} message(s) (a torn last line is a message whose answer never left)`,
      );
    }
    // Rewrite it whole (marks folded into their messages) so the next append doesn't follow a torn line.
    await writeFileAtomic(path, emails.map((e) => `${JSON.stringify(e)}\n`).join(""));
  }
  return emails;
}
