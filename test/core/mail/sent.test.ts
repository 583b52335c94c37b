/**
 * Exactly one email (core/mail/sent.ts, core/mail/tenant-email.ts): a send names its email in SES tags, SES's
 * "Email Sent" event records it on the tenant, and a later delivery of the same message (a mailer that died
 * after SES accepted the email) sends nothing. In-memory fakes; the SES event as SES publishes it.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  EMAIL_TAGS,
  EmailSentEvent,
  emailKey,
  emailSentPattern,
  recordEmailSent,
} from "../../../core/mail/sent.js";
import { type MailDeps, sendTenantEmail, type TenantEmailMessage } from "../../../core/mail/tenant-email.js";
import type { MailSender } from "../../../core/ports.js";
import { newTenant, type Tenant } from "../../../core/tenant/model.js";
import { matchesPattern } from "../../../local/eventbridge/service.js";
import { FakePlanStore } from "../../support/fakes/plan-store.js";
import { InjectedFault } from "../../support/fakes/recording.js";
import { FakeTenantStore } from "../../support/fakes/tenant-store.js";

/** SES as the mailer sees it: every accepted email, with its tags. */
class FakeSes implements MailSender {
  readonly sent: Array<{ to: string; subject: string; messageId: string; tags: Record<string, string> }> = [];
  async send(to: string, email: { subject: string }, tags: Record<string, string> = {}) {
    const messageId = `ses-${this.sent.length + 1}`;
    this.sent.push({ to, subject: email.subject, messageId, tags });
    return messageId;
  }
}

/** SES's "Email Sent" event for an accepted email (event publishing, EventBridge destination). */
function emailSentEvent(sent: FakeSes["sent"][number], configurationSet = "embark-mail") {
  return {
    version: "0",
    id: "4a1b5f3e-0000-4000-8000-000000000001",
    "detail-type": "Email Sent",
    source: "aws.ses",
    account: "123456789012",
    time: "2026-12-02T10:00:01Z",
    region: "us-east-1",
    resources: [`arn:aws:ses:us-east-1:123456789012:configuration-set/${configurationSet}`],
    detail: {
      eventType: "Send",
      mail: {
        timestamp: "2026-12-02T10:00:00.123Z",
        source: "Embark <no-reply@embark.example.com>",
        sourceArn: "arn:aws:ses:us-east-1:123456789012:identity/embark.example.com",
        sendingAccountId: "123456789012",
        messageId: sent.messageId,
        destination: [sent.to],
        headersTruncated: false,
        headers: [{ name: "Subject", value: sent.subject }],
        commonHeaders: { from: ["no-reply@embark.example.com"], to: [sent.to], subject: sent.subject },
        tags: {
          "ses:configuration-set": [configurationSet],
          "ses:source-ip": ["192.0.2.10"],
          "ses:from-domain": ["embark.example.com"],
          "ses:caller-identity": ["embark-prod-mailer"],
          ...Object.fromEntries(Object.entries(sent.tags).map(([k, v]) => [k, [v]])),
        },
      },
      send: {},
    },
  };
}

let tenants: FakeTenantStore;
let ses: FakeSes;
let deps: MailDeps;
let tenant: Tenant;
const welcome = (t: Tenant): TenantEmailMessage => ({ tenantId: t.tenantId, template: "welcome" });

beforeEach(async () => {
  tenants = new FakeTenantStore();
  ses = new FakeSes();
  deps = {
    tenants,
    plans: new FakePlanStore(),
    sender: ses,
    settings: { appUrl: "https://app.example.com", supportEmail: "support@example.com" },
  };
  tenant = newTenant({
    slug: "acme-corp",
    companyName: "Acme",
    adminEmail: "ops@acme.test",
    plan: "standard",
  });
  await tenants.create(tenant);
});

describe("the mailer's decision", () => {
  it("sends a first delivery with tags naming the tenant and the email, reading nothing extra", async () => {
    const out = await sendTenantEmail(deps, welcome(tenant));
    expect(out).toEqual({ messageId: "ses-1", to: "ops@acme.test", alreadySent: false });
    expect(ses.sent[0]?.tags).toEqual({
      [EMAIL_TAGS.tenant]: tenant.tenantId,
      [EMAIL_TAGS.email]: "welcome",
    });
    expect(tenants.count("require")).toBe(1);
    expect(tenants.count("get")).toBe(0);
  });

  it("after a send SES confirmed, a redelivery sends nothing and still marks the welcome step done", async () => {
    // The first attempt dies after SES accepted the email, before anything else.
    tenants.failOn("markStep");
    await expect(sendTenantEmail(deps, welcome(tenant))).rejects.toBeInstanceOf(InjectedFault);
    expect(ses.sent).toHaveLength(1);
    const event = EmailSentEvent.parse(emailSentEvent(ses.sent[0]!));
    expect(await recordEmailSent(deps, event)).toEqual({
      tenantId: tenant.tenantId,
      key: "welcome",
      outcome: "recorded",
    });

    const again = await sendTenantEmail(deps, welcome(tenant));
    expect(again).toEqual({ messageId: "ses-1", to: "ops@acme.test", alreadySent: true });
    expect(ses.sent).toHaveLength(1);
    expect((await tenants.require(tenant.tenantId)).steps.sendWelcome.status).toBe("done");
  });

  it("sends each occurrence of a repeating kind once, apart from the others", async () => {
    const planChanged = (occurrence: string): TenantEmailMessage => ({
      tenantId: tenant.tenantId,
      template: "planChanged",
      occurrence,
      vars: { previousPlanName: "Free" },
    });
    await sendTenantEmail(deps, planChanged("acme-corp-plan-change-1"));
    await recordEmailSent(deps, EmailSentEvent.parse(emailSentEvent(ses.sent[0]!)));
    expect((await sendTenantEmail(deps, planChanged("acme-corp-plan-change-1"))).alreadySent).toBe(true);
    expect((await sendTenantEmail(deps, planChanged("acme-corp-plan-change-2"))).alreadySent).toBe(false);
    expect(ses.sent.map((s) => s.tags[EMAIL_TAGS.email])).toEqual([
      emailKey(planChanged("acme-corp-plan-change-1")),
      emailKey(planChanged("acme-corp-plan-change-2")),
    ]);
  });

  it("keys emails with SES tag characters only, whatever the occurrence holds", () => {
    expect(emailKey({ template: "welcome" })).toBe("welcome");
    const key = emailKey({ template: "suspended", occurrence: "acme/ü:suspend#3 ✓" });
    expect(key).toMatch(/^suspended-[0-9a-f]{20}$/);
    expect(emailKey({ template: "suspended", occurrence: "acme/ü:suspend#4 ✓" })).not.toBe(key);
  });
});

describe("the Email Sent event", () => {
  it("records a repeated event once; a tenant not in this stage is ignored", async () => {
    await sendTenantEmail(deps, welcome(tenant));
    const event = EmailSentEvent.parse(emailSentEvent(ses.sent[0]!));
    await recordEmailSent(deps, event);
    await recordEmailSent(deps, event);
    expect((await tenants.require(tenant.tenantId)).mailSent).toEqual({
      welcome: { messageId: "ses-1", at: "2026-12-02T10:00:00.123Z" },
    });
    const stranger = emailSentEvent({
      ...ses.sent[0]!,
      tags: { [EMAIL_TAGS.tenant]: "8a7b6c5d-0000-4000-8000-000000000000", [EMAIL_TAGS.email]: "welcome" },
    });
    expect((await recordEmailSent(deps, EmailSentEvent.parse(stranger))).outcome).toBe("unknown-tenant");
  });

  it("refuses an event whose tags do not name a tenant email", () => {
    const sent = { to: "a@b.test", subject: "Hi", messageId: "m-1" };
    const refused: Array<Record<string, string>> = [
      {},
      { [EMAIL_TAGS.tenant]: "not-a-uuid", [EMAIL_TAGS.email]: "welcome" },
    ];
    for (const tags of refused) {
      expect(EmailSentEvent.safeParse(emailSentEvent({ ...sent, tags })).success).toBe(false);
    }
  });

  it("the rule takes this configuration set's tenant emails, not Cognito's mail or another stage's", () => {
    const sent = { to: "a@b.test", subject: "Hi", messageId: "m-1" };
    const ours = emailSentEvent({
      ...sent,
      tags: { [EMAIL_TAGS.tenant]: tenant.tenantId, [EMAIL_TAGS.email]: "welcome" },
    });
    const pattern = emailSentPattern("embark-mail");
    expect(matchesPattern(pattern, ours)).toBe(true);
    expect(matchesPattern(pattern, emailSentEvent({ ...sent, tags: {} }))).toBe(false);
    expect(matchesPattern(emailSentPattern("embark-dev-mail"), ours)).toBe(false);
  });
});
