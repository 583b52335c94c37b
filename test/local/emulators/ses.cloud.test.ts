/**
 * The local SES journals accepted mail: it survives a restart, and a torn journal line is dropped. Mail sent with
 * a configuration set that has an EventBridge destination has its "Email Sent" event put on the bus before the
 * send is answered, and once more at the next start when a kill came between the two.
 */

import { appendFile, mkdtemp, readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SESClient, SendEmailCommand, type SendEmailCommandInput } from "@aws-sdk/client-ses";
import { afterEach, expect, it, vi } from "vitest";
import { type RunningSes, SES_JOURNAL, startSes } from "../../../local/emulators/ses.js";
import type { RunningEmulator } from "../../../local/emulators/types.js";

let ses: RunningEmulator | undefined;
let edge: Server | undefined;
afterEach(async () => {
  await ses?.stop();
  edge?.close();
  vi.restoreAllMocks();
});

const send = (url: string, subject: string, extra: Partial<SendEmailCommandInput> = {}) =>
  new SESClient({
    endpoint: url,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  }).send(
    new SendEmailCommand({
      Source: "Embark <noreply@example.com>",
      Destination: { ToAddresses: ["a@example.com"] },
      Message: { Subject: { Data: subject }, Body: { Text: { Data: "hello" } } },
      ...extra,
    }),
  );

/** A stand-in edge that takes PutEvents and keeps each entry. */
async function eventBus(): Promise<{ url: string; entries: Array<Record<string, unknown>> }> {
  const entries: Array<Record<string, unknown>> = [];
  edge = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      expect(req.headers["x-amz-target"]).toBe("AWSEvents.PutEvents");
      const input = JSON.parse(body) as { Entries: Array<Record<string, unknown>> };
      entries.push(...input.Entries);
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      res.end(
        JSON.stringify({ FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })) }),
      );
    });
  });
  await new Promise<void>((r) => edge!.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(edge.address() as AddressInfo).port}`, entries };
}

const MAIL_SET = {
  name: "embark-mail",
  eventDestinations: [
    {
      name: "embark-events",
      enabled: true,
      matchingEventTypes: ["SEND"],
      eventBridgeDestination: { eventBusArn: "arn:aws:events:us-east-1:000000000000:event-bus/default" },
    },
  ],
};

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

it("puts Email Sent on the bus before answering a send with the configuration set, and owed ones at the next start", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ses-"));
  const bus = await eventBus();
  let running: RunningSes = await startSes(dir, bus.url);
  ses = running;
  await running.putConfigurationSet(MAIL_SET);
  await send(running.url, "no set");
  const { MessageId } = await send(running.url, "Welcome", {
    ConfigurationSetName: "embark-mail",
    Tags: [
      { Name: "embark-tenant", Value: "t-1" },
      { Name: "embark-email", Value: "welcome" },
    ],
  });
  expect(bus.entries).toHaveLength(1);
  const entry = bus.entries[0]!;
  expect(entry).toMatchObject({
    Source: "aws.ses",
    DetailType: "Email Sent",
    EventBusName: "arn:aws:events:us-east-1:000000000000:event-bus/default",
    Resources: ["arn:aws:ses:us-east-1:000000000000:configuration-set/embark-mail"],
  });
  expect(JSON.parse(String(entry.Detail))).toMatchObject({
    eventType: "Send",
    mail: {
      messageId: MessageId,
      source: "Embark <noreply@example.com>",
      destination: ["a@example.com"],
      tags: {
        "ses:configuration-set": ["embark-mail"],
        "ses:from-domain": ["example.com"],
        "embark-tenant": ["t-1"],
        "embark-email": ["welcome"],
      },
    },
    send: {},
  });
  await running.stop();

  // A kill after the mail was journaled and before its event was published: the journal has no mark for it.
  const owed = { messageId: "owed-1", from: "x@example.com", subject: "Owed", at: 1_800_000_000 };
  await appendFile(
    join(dir, SES_JOURNAL),
    `${JSON.stringify({ ...owed, configurationSetName: "embark-mail" })}\n`,
  );
  running = await startSes(dir, bus.url);
  ses = running;
  await running.resumeEvents();
  expect(bus.entries.map((e) => JSON.parse(String(e.Detail)).mail.messageId)).toEqual([MessageId, "owed-1"]);
  await running.stop();

  // Published and marked: not again.
  running = await startSes(dir, bus.url);
  ses = running;
  await running.resumeEvents();
  expect(bus.entries).toHaveLength(2);
  expect(await subjects(running.url)).toEqual(["no set", "Welcome", "Owed"]);
});
