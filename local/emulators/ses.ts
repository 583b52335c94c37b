// aws-ses-v2-local: SES v1 SendEmail/SendRawEmail and the v2 API. Any other v1 action hangs (callers set timeouts).
// Sent mail is readable at GET <url>/store and cleared with POST <url>/clear-store.
// Durability: the package keeps mail in memory. We journal each accepted message (one JSON line, fsynced) under
// the state dir before its answer leaves, and load the journal back at start, so mail SES accepted survives a
// kill. Email templates stay in memory only (Embark renders its own).
import { mkdir, open, readFile } from "node:fs/promises";
import type { Server, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { describeDamage, writeFileAtomic } from "../aws/state-file.js";
import { close } from "./listen.js";
import type { RunningEmulator } from "./types.js";

const require = createRequire(import.meta.url);

type StartSes = (config?: { host?: string; port?: number }) => Promise<Server>;
interface MailStore {
  emails: Array<{ messageId: string }>;
}

export const SES_JOURNAL = "mail.jsonl";

export async function startSes(stateDir?: string): Promise<RunningEmulator> {
  // The package is CJS with an ESM-style default export: unwrap whichever shape the loader gives us.
  const mod = require("aws-ses-v2-local") as StartSes | { default: StartSes };
  const start = typeof mod === "function" ? mod : mod.default;
  const { getStoreReadonly } = require("aws-ses-v2-local/dist/store") as { getStoreReadonly(): MailStore };
  const server = await start({ host: "127.0.0.1", port: 0 });
  if (stateDir) await journal(server, getStoreReadonly(), join(stateDir, SES_JOURNAL));
  const { port } = server.address() as AddressInfo;
  return { signingNames: ["ses", "email"], url: `http://127.0.0.1:${port}`, stop: () => close(server) };
}

/** Loads the journal into the store, then journals every message the store gains before its answer is sent. */
async function journal(server: Server, store: MailStore, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  store.emails = await loadJournal(path);
  let emails = store.emails;
  let written = emails.length;
  let chain: Promise<void> = Promise.resolve();
  const persist = (): Promise<void> => {
    chain = chain.then(async () => {
      if (store.emails !== emails) {
        // clear-store replaced the array: the journal starts again from what the store holds now.
        emails = store.emails;
        written = emails.length;
        await writeFileAtomic(path, emails.map((e) => `${JSON.stringify(e)}\n`).join(""));
        return;
      }
      if (emails.length === written) return;
      const lines = emails.slice(written).map((e) => `${JSON.stringify(e)}\n`);
      written = emails.length;
      const fh = await open(path, "a");
      try {
        await fh.writeFile(lines.join(""));
        await fh.sync();
      } finally {
        await fh.close();
      }
    });
    return chain;
  };

  const [app] = server.listeners("request") as Array<(req: unknown, res: ServerResponse) => void>;
  server.removeAllListeners("request");
  server.on("request", (req, res: ServerResponse) => {
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    // The answer (SendEmail's MessageId) leaves only once the message is on disk.
    res.end = ((...args: unknown[]) => {
      persist().then(
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
}

/** The journal's messages. A torn last line is a message whose answer never left: dropped, and said so. */
async function loadJournal(path: string): Promise<Array<{ messageId: string }>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const emails: Array<{ messageId: string }> = [];
  const bad: string[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      emails.push(JSON.parse(line));
    } catch {
      bad.push(line);
    }
  }
  if (bad.length > 0) {
    // No excerpt: mail bodies can hold invitation codes.
    const { holds } = describeDamage(bad.join("\n"));
    console.warn(
      `[ses] mail journal ${path} holds ${bad.length} unreadable line(s) (${holds}); skipped them and kept ` +
        `${emails.length} message(s) (a torn last line is a message whose answer never left)`,
    );
    // Rewrite it whole so the next append doesn't follow a torn line.
    await writeFileAtomic(path, emails.map((e) => `${JSON.stringify(e)}\n`).join(""));
  }
  return emails;
}
