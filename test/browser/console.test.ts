/**
 * The local operator console in Chromium: find a tenant, open its execution and read the timeline; fail an
 * enterprise onboarding in its pipeline (local failure injection), redrive it from the console and watch both
 * the console and the customer's signup page reach success; redrive a DLQ back to its source queue.
 */
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { LOCAL_NAMES } from "../../core/app/resources.js";
import { awsConfig, cloud } from "../support/cloud.js";
import { eventually, postSignup, sentMail, uniqueCompany, waitForTenant } from "../support/embark.js";
import { setPipelineBehaviour } from "../support/pipeline.js";
import { DESKTOP, hasChromium, screenshot, useChromium } from "./support.js";

describe.skipIf(!hasChromium)("operator console (Chromium)", () => {
  const { desktop, phone, customer } = useChromium({ customer: DESKTOP });
  const web = () => cloud().web;

  it("finds a tenant, opens its execution and shows the timeline", async () => {
    const company = uniqueCompany("Console Find");
    const adminEmail = `ops+${Date.now()}@find.test`;
    const res = await postSignup({ companyName: company, adminEmail, plan: "standard" });
    const slug = String(res.body.slug);
    await waitForTenant(String(res.body.tenantId), ["ACTIVE"]);
    await eventually(sentMail, (mail) =>
      mail.some((m) => m.to.includes(adminEmail) && /Welcome to Embark/.test(m.subject)),
    );

    const { page, errors } = desktop;
    await page.goto(`${web()}/console`);
    expect(new URL(page.url()).pathname).toBe("/console/tenants");
    expect(await page.locator(".banner").textContent()).toContain("Never expose this port");
    await page.getByLabel("Search").fill(slug);
    await page.getByLabel("Search").press("Enter");
    await page.waitForURL(/q=/);
    const rows = page.locator("tbody tr");
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain("ACTIVE");
    await screenshot(page, "console-tenants-1280");

    await page.getByRole("link", { name: company }).click();
    await page.locator("h1", { hasText: company }).waitFor();
    expect(await page.locator("dl.facts").first().textContent()).toContain(adminEmail);
    expect(await page.getByRole("row", { name: /Welcome to Embark/ }).count()).toBe(1);
    await screenshot(page, "console-tenant-1280");

    await page.getByRole("link", { name: `${slug}-onboard-1` }).click();
    await page.locator("h1 .badge", { hasText: "SUCCEEDED" }).waitFor();
    const states = await page
      .locator(".timeline > li[data-state]")
      .evaluateAll((lis) =>
        lis.map((li) => `${li.getAttribute("data-state")}:${li.getAttribute("data-status")}`),
      );
    expect(states).toEqual(
      expect.arrayContaining([
        "Reserve tenant:succeeded",
        "Create identity:succeeded",
        "Set up namespace:succeeded",
        "Activate tenant:succeeded",
        "Send welcome email:succeeded",
      ]),
    );
    expect(states.indexOf("Reserve tenant:succeeded")).toBeLessThan(
      states.indexOf("Activate tenant:succeeded"),
    );
    // The parallel branches sit one level under their Parallel state.
    expect(
      await page.locator('.timeline > li[data-state="Create identity"]').getAttribute("class"),
    ).toContain("depth-1");
    expect(await page.locator('.timeline > li[data-event="ExecutionSucceeded"]').count()).toBe(1);
    expect(
      await page.locator('.timeline > li[data-state="Reserve tenant"] .tl-meta').last().textContent(),
    ).toMatch(/took \d/);
    expect(await page.getByRole("button", { name: "Redrive" }).count()).toBe(0);
    await screenshot(page, "console-execution-1280");

    await phone.page.goto(page.url());
    await phone.page.locator("h1 .badge", { hasText: "SUCCEEDED" }).waitFor();
    await screenshot(phone.page, "console-execution-390");
    expect([...errors, ...phone.errors]).toEqual([]);
  });

  it("redrives a failed enterprise onboarding from the console; the signup page follows it to ready", async () => {
    const reason = "Deploy stage failed: subnet quota exceeded (browser test)";
    const company = uniqueCompany("Redrive Bank");
    const slug = company.toLowerCase().replace(/ /g, "-");
    const onlyThisTenant = { TENANT_SLUG: slug };
    await setPipelineBehaviour({ fail: reason, match: onlyThisTenant });
    try {
      const signup = customer.page;
      await signup.goto(`${web()}/?plan=enterprise`);
      await signup.locator(".plan-card").nth(2).waitFor();
      expect(await signup.locator("#plan-enterprise").isChecked()).toBe(true);
      await signup.getByLabel("Company name").fill(company);
      await signup.getByLabel("Admin email").fill(`ops+${Date.now()}@redrive-bank.test`);
      await signup.getByRole("button", { name: "Create workspace" }).click();
      await signup.locator("#progress-pill", { hasText: "Needs attention" }).waitFor({ timeout: 30_000 });
    } finally {
      await setPipelineBehaviour({ match: onlyThisTenant });
    }
    const signup = customer.page;
    expect(await signup.locator('li[data-step="runPipeline"] .step-detail').textContent()).toContain(reason);
    expect(await signup.locator("#failure-step").textContent()).toBe(
      "Setup stopped at “Run deployment pipeline”",
    );
    await screenshot(signup, "signup-failed-1280");

    const { page, errors } = desktop;
    await page.goto(`${web()}/console/tenants?status=FAILED&q=${slug}`);
    const row = page.locator("tbody tr", { hasText: slug });
    expect(await row.textContent()).toContain("Run deployment pipeline");
    await row.getByRole("link", { name: company }).click();
    await page.getByRole("link", { name: `${slug}-onboard-1` }).click();
    await page.locator("h1 .badge", { hasText: "FAILED" }).waitFor();
    const failedVisit = page.locator('.timeline > li[data-state="Run deployment pipeline"]');
    expect(await failedVisit.getAttribute("data-status")).toBe("failed");
    expect(await failedVisit.textContent()).toContain(reason);
    await screenshot(page, "console-execution-failed-1280");

    await page.getByRole("button", { name: "Redrive" }).click();
    await page.locator(".flash.ok", { hasText: "Redrive started" }).waitFor();
    // The page reloads itself while the execution runs.
    await page.locator("h1 .badge", { hasText: "SUCCEEDED" }).waitFor({ timeout: 30_000 });
    if ((await page.locator('.timeline > li[data-event="ExecutionRedriven"]').count()) === 0)
      await page.reload();
    expect(await page.locator('.timeline > li[data-event="ExecutionRedriven"]').count()).toBe(1);
    const pipelineVisits = await page
      .locator('.timeline > li[data-state="Run deployment pipeline"]')
      .evaluateAll((lis) => lis.map((li) => li.getAttribute("data-status")));
    expect(pipelineVisits).toEqual(["failed", "succeeded"]);
    // Earlier states were not run again.
    expect(await page.locator('.timeline > li[data-state="Reserve tenant"]').count()).toBe(1);
    expect(await page.locator("dl.facts").first().textContent()).toMatch(/Redrives\s*1/);
    await screenshot(page, "console-execution-redriven-1280");

    // The customer's page kept polling through the failure and now shows the workspace.
    await signup.locator("#progress-pill", { hasText: "Ready" }).waitFor({ timeout: 30_000 });
    expect(await signup.locator('li[data-step="runPipeline"]').getAttribute("data-state")).toBe("done");
    await screenshot(signup, "signup-redriven-ready-1280");
    expect([...errors, ...customer.errors]).toEqual([]);
  });

  it("shows queue depths and redrives a dead-letter queue back to its source queue", async () => {
    const adminEmail = `ops+${Date.now()}@dlq.test`;
    const res = await postSignup({ companyName: uniqueCompany("Dlq Co"), adminEmail, plan: "free" });
    const tenantId = String(res.body.tenantId);
    await waitForTenant(tenantId, ["ACTIVE"]);
    await eventually(sentMail, (mail) =>
      mail.some((m) => m.to.includes(adminEmail) && /Welcome to Embark/.test(m.subject)),
    );

    // A welcome email message that ended in the DLQ (the mailer sends each tenant's welcome once, so
    // redriving it is safe to repeat).
    const sqs = new SQSClient(awsConfig());
    const dlqName = `${LOCAL_NAMES.queue("emails")}-dlq`;
    const dlqUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: dlqName }))).QueueUrl!;
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: dlqUrl,
        MessageBody: JSON.stringify({ tenantId, template: "welcome" }),
      }),
    );

    const { page, errors } = desktop;
    await page.goto(`${web()}/console/queues`);
    const dlqRow = page.locator(`tbody tr[data-queue="${dlqName}"]`);
    expect(Number(await dlqRow.locator("td.num").first().textContent())).toBeGreaterThanOrEqual(1);
    expect(await dlqRow.textContent()).toContain(LOCAL_NAMES.queue("emails"));
    await screenshot(page, "console-queues-1280");

    await dlqRow.getByRole("link", { name: dlqName }).click();
    await page.locator("pre", { hasText: tenantId }).waitFor();
    await screenshot(page, "console-dlq-1280");
    await page.getByRole("button", { name: "Redrive to source queue" }).click();
    await page.locator(".flash.ok", { hasText: "Redrive started" }).waitFor();

    const depth = async (url: string) => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      return (
        Number(Attributes.ApproximateNumberOfMessages) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible)
      );
    };
    const emailsUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: LOCAL_NAMES.queue("emails") })))
      .QueueUrl!;
    expect(
      await eventually(
        () => depth(dlqUrl),
        (n) => n === 0,
      ),
    ).toBe(0);
    expect(
      await eventually(
        () => depth(emailsUrl),
        (n) => n === 0,
      ),
    ).toBe(0);
    await page.reload();
    await page.locator(".empty", { hasText: "No messages available." }).waitFor();
    expect(await page.locator("#q-tasks + dl, #q-tasks ~ dl").first().textContent()).toMatch(
      /COMPLETED|RUNNING/,
    );
    // The mailer consumed the redriven message and did not send the welcome twice.
    expect(
      (await sentMail()).filter((m) => m.to.includes(adminEmail) && /Welcome to Embark/.test(m.subject)),
    ).toHaveLength(1);

    await phone.page.goto(`${web()}/console/queues`);
    await screenshot(phone.page, "console-queues-390");
    expect([...errors, ...phone.errors]).toEqual([]);
  });
});
