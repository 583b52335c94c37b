/** The local SES journals accepted mail: it survives a restart, and a torn journal line is dropped. */

import { appendFile, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SESClient, SendEmailCommand } from "@aws-sdk/client-ses";
import { afterEach, expect, it, vi } from "vitest";
import { SES_JOURNAL, startSes } from "../../../local/emulators/ses.js";
import type { RunningEmulator } from "../../../local/emulators/types.js";

let ses: RunningEmulator | undefined;
afterEach(async () => {
  await ses?.stop();
  vi.restoreAllMocks();
});

const send = (url: string, subject: string) =>
  new SESClient({
    endpoint: url,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  }).send(
    new SendEmailCommand({
      Source: "noreply@example.com",
      Destination: { ToAddresses: ["a@example.com"] },
      Message: { Subject: { Data: subject }, Body: { Text: { Data: "hello" } } },
    }),
  );

const subjects = async (url: string) =>
  ((await (await fetch(`${url}/store`)).json()) as { emails: Array<{ subject: string }> }).emails.map(
    (e) => e.subject,
  );

it("mail accepted before a restart is there after it; a torn last journal line is skipped", async () => {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
  const dir = await mkdtemp(join(tmpdir(), "ses-"));
  ses = await startSes(dir);
  const { MessageId } = await send(ses.url, "first");
  await send(ses.url, "second");
  // On disk by the time SendEmail answered.
  const lines = (await readFile(join(dir, SES_JOURNAL), "utf8")).trim().split("\n");
  expect(lines.map((l) => JSON.parse(l).messageId)[0]).toBe(MessageId);
  await ses.stop();

  await appendFile(join(dir, SES_JOURNAL), '{"messageId":"torn","subj');
  ses = await startSes(dir);
  expect(await subjects(ses.url)).toEqual(["first", "second"]);
  expect(String(warn.mock.calls[0]?.[0])).toMatch(/1 unreadable line.*kept 2 message/);
  await send(ses.url, "third");
  await fetch(`${ses.url}/clear-store`, { method: "POST" });
  await send(ses.url, "after clear");
  await ses.stop();

  ses = await startSes(dir);
  expect(await subjects(ses.url)).toEqual(["after clear"]);
});
